"""Backups of the aggregator's store (README "Backups").

A collector sends 3,000 reports; while the aggregator stores them,
`lnob-aggregator backup` copies the store. Every envelope the aggregator
held before the backup began is in the copy, the manifest says so, both
files are 0600 in a 0700 directory, and `restore` into a new data_dir
passes `verify`. A damaged copy, a directory that already holds a backup,
and a restore over an existing store or beside the running daemon are
refused with the reason.

A collector's backup holds its outbox and, when it has one, its household
register (DIR/households, its own manifest): taken beside the running
daemon, restored into a new data_dir, the register shows and diffs as the
original did and takes the next import; a damaged register copy, or a data_dir holding a register
already, refuses the restore and leaves nothing restored. A collector
without a register backs up and restores its outbox alone."""

import csv
import json
import os
import random
import stat

import lnobtest
from lnobtest import wait_until
from test_households import CAMPAIGN_INI, DEPRIV, HEADER
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
        self.assertIn("no household register in %s" % coll.data_dir, out)
        with open(os.path.join(dest, "manifest.json")) as f:
            man = json.load(f)
        self.assertEqual((man["program"], man["queued"], man["next_seq"], man["register"]),
                         ("lnob-collector", 300, 301, None))
        self.assertEqual(sorted(os.listdir(dest)), ["data.mdb", "manifest.json"])
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
        self.assertNotIn("household register", out)
        self.assertFalse(os.path.exists(os.path.join(coll.data_dir, "households")))
        coll.start()
        coll.wait_drained()
        lnobtest.write_reports_csv(net.path("new.csv"), [{"unit": "C11", "revision": 302,
                                                           "values": {"households_total": 2}}])
        self.assertIn("as seq 1000301..1000301", coll.submit(net.path("new.csv")).out)
        coll.wait_drained()
        st, k = agg.counters()
        self.assertEqual((st["envelopes"], st["quarantined"]), (302, 0), st)
        self.assertGreaterEqual(k["duplicate"], 300)

    def test_collector_register_backup_and_restore(self):
        """The household register backed up beside the running daemon with
        the outbox, restored with it into a new data_dir: `households show`
        and `diff` of the restored collector are the original's."""
        net = self.net
        agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        coll = net.add_collector("c11-office", "C11", extra_conf=net.sign_key_conf(agg),
                                 heartbeat_ms=300)
        agg.start()
        coll.start()
        wait_until(lambda: coll.status()["metadata"], 60, "the commune holds metadata", net)
        villages = [c for c in self.hier.subtree("C11") if c.startswith("V")]
        rng = random.Random(20261204)
        for name, n in (("ho-ngheo-2023.csv", 60), ("ho-ngheo-2024.csv", 45)):
            path = write_households(net.path(name), rng, villages, n)
            net.cli(coll.cmd("households", "-c", coll.conf, "import", path))

        def households(c, *args):
            return json.loads(net.cli(c.cmd("households", "-c", c.conf, *args, "--json")).out)
        want = [households(coll, *a) for a in (("show",), ("diff",), ("diff", "--import", "1"))]
        self.assertEqual((want[0]["import"], want[0]["total"]["households"]), (2, 45))

        dest = net.path("col-backup")
        out = net.cli(coll.cmd("backup", "-c", coll.conf, dest)).out   # the daemon runs
        self.assertIn("household register of %s/households in %s/households: 45 households, "
                      "import 2 (manifest.json, data.mdb)" % (coll.data_dir, dest), out)
        with open(os.path.join(dest, "manifest.json")) as f:
            self.assertEqual(json.load(f)["register"], "households")
        reg = os.path.join(dest, "households")
        with open(os.path.join(reg, "manifest.json")) as f:
            man = json.load(f)
        self.assertEqual((man["format"], man["program"], man["schema"], man["households"],
                          man["last_import"]), ("lnob-backup-1", "lnob-collector",
                                                "lnob-collector-households", 45, 2))
        self.assertEqual(man["bytes"], os.path.getsize(os.path.join(reg, "data.mdb")))
        for name in ("manifest.json", "data.mdb"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(reg, name)).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(reg).st_mode), 0o700)
        coll.stop()

        # A data_dir holding a register already: refused, nothing restored.
        busy = net.path("col-busy")
        os.mkdir(busy, 0o700)
        os.mkdir(os.path.join(busy, "households"), 0o700)
        with open(os.path.join(busy, "households", "data.mdb"), "wb") as f:
            f.write(b"x")
        r = net.cli(coll.cmd("restore", "-c", conf_for(coll, busy), dest), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s/households/data.mdb: exists already" % busy, r.err)
        self.assertIn("the household register cannot be restored: nothing restored", r.err)
        self.assertEqual(sorted(os.listdir(busy)), ["households", "run.lock"])

        # Restored into a new data_dir: the register is the original's.
        new = net.path("col-restored")
        coll.conf = conf_for(coll, new)
        coll.data_dir = new
        out = net.cli(coll.cmd("restore", "-c", coll.conf, dest)).out
        self.assertIn("next seq", out)
        self.assertIn("restored the household register of %s/households into %s/households: "
                      "45 households, import 2" % (dest, new), out)
        got = [households(coll, *a) for a in (("show",), ("diff",), ("diff", "--import", "1"))]
        self.assertEqual(got, want)
        path = write_households(net.path("ho-ngheo-2025.csv"), rng, villages, 50)
        doc = json.loads(net.cli(coll.cmd("households", "-c", coll.conf, "import", path,
                                          "--json")).out)
        self.assertEqual((doc["import"], doc["previous"], doc["households"]), (3, 2, 50))
        r = net.cli(coll.cmd("restore", "-c", coll.conf, dest), ok=False)
        self.assertIn("%s/data.mdb: exists already" % new, r.err)
        coll.start()
        coll.wait_drained()

        # A damaged register copy: refused, the outbox not restored either.
        with open(os.path.join(reg, "data.mdb"), "r+b") as f:
            f.seek(100)
            f.write(b"\xff")
        bad = net.path("col-bad")
        r = net.cli(coll.cmd("restore", "-c", conf_for(coll, bad), dest), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s/data.mdb: " % reg, r.err)
        self.assertIn("not what manifest.json says (damaged or changed since the backup) (the "
                      "household register cannot be restored: nothing restored)", r.err)
        self.assertFalse(os.path.exists(os.path.join(bad, "data.mdb")))
        self.assertFalse(os.path.exists(os.path.join(bad, "households")))


def conf_for(coll, data_dir):
    """A copy of coll's configuration with data_dir as its data_dir."""
    path = data_dir + ".conf"
    with open(coll.conf) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace(coll.data_dir, data_dir))
    return path


def write_households(path, rng, villages, n):
    """A household list of n households of villages, as test_households
    writes one."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for i in sorted(rng.sample(range(80), n)):
            w.writerow(["Hộ %d" % i, "HH-%04d" % i, rng.choice(villages),
                        rng.choice(("poor", "near-poor", "escaped", "newly-poor", "re-poor")),
                        rng.choice(("yes", "no"))] +
                       [rng.randrange(2) for _ in DEPRIV] + ["Xóm %d" % i])
    return path


if __name__ == "__main__":
    lnobtest.main()
