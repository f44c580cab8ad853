"""Backups of the aggregator's store (README "Backups").

A collector sends 3,000 reports; while the aggregator stores them,
`lnob-aggregator backup` copies the store. Every envelope the aggregator
held before the backup began is in the copy, the manifest says so, both
files are 0600 in a 0700 directory, and `restore` into a new data_dir
passes `verify`. A damaged copy, a directory that already holds a backup,
and a restore over an existing store or beside the running daemon are
refused with the reason."""

import json
import os
import stat

import lnobtest
from lnobtest import wait_until
from test_relay import mdb_dump

N = 3000


class BackupTest(lnobtest.NetTestCase):

    def keys(self, data_dir):
        # (signer, seq) of every envelope: the log's index (schema 4)
        return {k for k, _ in mdb_dump(data_dir, "envelope_ids")}

    def test_backup_while_ingesting_and_restore(self):
        net = self.net
        agg = net.add_aggregator()
        coll = net.add_collector("c11-office", "C11", window=64)
        path = net.path("r.csv")
        lnobtest.write_reports_csv(path, [{"unit": "C11", "revision": r + 1,
                                           "values": {"households_total": r}}
                                          for r in range(N)])
        coll.submit(path)
        agg.start()
        coll.start()
        agg.wait_status(lambda s, k: s["envelopes"] >= 200, "ingest under way")
        before = self.keys(agg.data_dir)   # all stored before the backup begins
        dest = net.path("backup-1")
        out = net.cli(agg.cmd("backup", "-c", agg.conf, dest)).out
        self.assertIn("backup of %s in %s" % (agg.data_dir, dest), out)
        self.assertLess(len(before), N, "the backup must be taken while ingesting")
        with open(os.path.join(dest, "manifest.json")) as f:
            man = json.load(f)
        self.assertEqual((man["format"], man["program"], man["node"]),
                         ("lnob-backup-1", "lnob-aggregator", agg.node_id))
        self.assertGreaterEqual(man["envelopes"], len(before))
        self.assertEqual(man["bytes"], os.path.getsize(os.path.join(dest, "data.mdb")))
        for name in ("manifest.json", "data.mdb"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(dest, name)).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(dest).st_mode), 0o700)
        copied = self.keys(dest)
        self.assertTrue(before <= copied, "an envelope stored before the backup is missing")
        self.assertGreaterEqual(len(copied), man["envelopes"])

        # A second backup into the same directory: refused.
        r = net.cli(agg.cmd("backup", "-c", agg.conf, dest), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists already; give a new directory", r.err)
        # Restore beside the running daemon, over its store: refused.
        r = net.cli(agg.cmd("restore", "-c", agg.conf, dest), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("another lnob-aggregator run (pid %d)" % agg.daemon.pid, r.err)

        # Restore into a new data_dir, verified.
        conf2 = net.path("restored.conf")
        with open(agg.conf) as f:
            text = f.read()
        with open(conf2, "w") as f:
            f.write(text.replace(agg.data_dir, net.path("restored-data")))
        r = net.cli(agg.cmd("restore", "-c", conf2, dest))
        self.assertIn("restored %s into %s" % (dest, net.path("restored-data")), r.out)
        self.assertIn("0 differences", r.out)
        self.assertEqual(self.keys(net.path("restored-data")), copied)
        r = net.cli(agg.cmd("restore", "-c", conf2, dest), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("data.mdb: exists already", r.err)

        # A damaged copy is refused, naming what is wrong.
        with open(os.path.join(dest, "data.mdb"), "r+b") as f:
            f.seek(100)
            f.write(b"\xff")
        conf3 = net.path("restored3.conf")
        with open(conf3, "w") as f:
            f.write(text.replace(agg.data_dir, net.path("restored-3")))
        r = net.cli(agg.cmd("restore", "-c", conf3, dest), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not what manifest.json says", r.err)
        self.assertFalse(os.path.exists(os.path.join(net.path("restored-3"), "data.mdb")))
        wait_until(lambda: agg.counters()[0]["envelopes"] == N, 120, "every report stored", net)

    def test_collector_backup_and_restore(self):
        """A collector's outbox backed up with 300 reports queued, restored
        after they were sent: the restored outbox sends them again (taken
        as duplicates), and its next seq is a million ahead, so a new report
        never reuses a seq signed since the backup (no quarantine)."""
        net = self.net
        agg = net.add_aggregator()
        coll = net.add_collector("c11-office", "C11")
        path = net.path("r.csv")
        lnobtest.write_reports_csv(path, [{"unit": "C11", "revision": r + 1,
                                           "values": {"households_total": r}}
                                          for r in range(300)])
        coll.submit(path)
        dest = net.path("col-backup")
        out = net.cli(coll.cmd("backup", "-c", coll.conf, dest)).out
        self.assertIn("300 queued, 0 parked, next seq 301", out)
        with open(os.path.join(dest, "manifest.json")) as f:
            man = json.load(f)
        self.assertEqual((man["program"], man["queued"], man["next_seq"]),
                         ("lnob-collector", 300, 301))
        agg.start()
        coll.start()
        coll.wait_drained()
        lnobtest.write_reports_csv(net.path("later.csv"), [{"unit": "C11", "revision": 301,
                                                             "values": {"households_total": 1}}])
        coll.submit(net.path("later.csv"))          # seq 301, signed after the backup
        coll.wait_drained()
        coll.stop()
        # The outbox is lost; restored from the backup into a new data_dir.
        with open(coll.conf) as f:
            text = f.read()
        with open(coll.conf, "w") as f:
            f.write(text.replace(coll.data_dir, net.path("col-restored")))
        coll.data_dir = net.path("col-restored")
        out = net.cli(coll.cmd("restore", "-c", coll.conf, dest)).out
        self.assertIn("next seq 1000301", out)
        coll.start()
        coll.wait_drained()
        lnobtest.write_reports_csv(net.path("new.csv"), [{"unit": "C11", "revision": 302,
                                                           "values": {"households_total": 2}}])
        self.assertIn("as seq 1000301..1000301", coll.submit(net.path("new.csv")).out)
        coll.wait_drained()
        st, k = agg.counters()
        self.assertEqual((st["envelopes"], st["quarantined"]), (302, 0), st)
        self.assertGreaterEqual(k["duplicate"], 300)


if __name__ == "__main__":
    lnobtest.main()
