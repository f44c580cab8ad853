"""Re-sending is safe: a collector whose outbox is rolled back to before its
first run sends everything again; the aggregator acks each envelope as a
duplicate and nothing changes."""

import os
import random
import shutil

import lnobtest

N_UNITS = 30
N_REVISED = 10


class ResendTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=20))
        self.hier = self.net.hier

    def test_restored_outbox_is_resent_and_changes_nothing(self):
        net = self.net
        agg = net.add_aggregator()
        # No spurious resends during the test: only the restore re-sends.
        c = net.add_collector("d1-office", "D1", resend_after_ms=120000)
        rng = random.Random(7)
        units = [u for u in self.hier.subtree("D1") if u != "D1"][:N_UNITS]
        self.assertEqual(len(units), N_UNITS)
        reports = [{"unit": u, "revision": 1, "values": lnobtest.make_values(rng)}
                   for u in units]
        # Corrections later in the same file: revision 2 supersedes revision 1.
        reports += [{"unit": u, "revision": 2, "values": lnobtest.make_values(rng)}
                    for u in units[:N_REVISED]]
        total = len(reports)
        path = net.path("reports.csv")
        lnobtest.write_reports_csv(path, reports)
        c.submit(path)
        self.assertEqual(c.status()["queued"], total)

        snapshot = net.path("outbox-snapshot")
        shutil.copytree(c.data_dir, snapshot)
        self.assertTrue(os.path.exists(os.path.join(snapshot, "data.mdb")),
                        os.listdir(snapshot))

        agg.start()
        c.start()
        c.wait_drained()
        st1 = agg.status()
        cnt1 = lnobtest.Counters(st1.get("counters") or {})
        self.assertEqual(st1["envelopes"], total, st1)
        self.assertEqual(st1["reports"], N_UNITS, st1)
        self.assertEqual(cnt1["stored"], total, st1)
        expected = lnobtest.expected_rollups(self.hier, reports)
        root1 = agg.rollup()
        d1_1 = agg.rollup(unit="D1")
        self.assertRollupMatches(root1["unit"], expected, "P")
        self.assertRollupMatches(d1_1["unit"], expected, "D1")
        for ch in d1_1["children"]:
            self.assertRollupMatches(ch, expected, ch["code"])

        c.stop()
        shutil.rmtree(c.data_dir)
        shutil.copytree(snapshot, c.data_dir)
        st = c.status()
        self.assertEqual(st["queued"], total, "restored outbox: %r" % st)

        c.start()
        c.wait_drained()

        def all_duplicates_counted():
            s = agg.status()
            k = lnobtest.Counters(s.get("counters") or {})
            return k["duplicate"] - cnt1["duplicate"] >= total and (s, k)

        st2, cnt2 = lnobtest.wait_until(all_duplicates_counted, 30,
                                        "duplicate counter up by %d" % total, net)
        self.assertEqual(cnt2["duplicate"] - cnt1["duplicate"], total, st2)
        self.assertEqual(st2["envelopes"], total, st2)
        self.assertEqual(st2["reports"], N_UNITS, st2)
        self.assertEqual(cnt2["stored"], cnt1["stored"], st2)
        self.assertEqual(st2["quarantined"], 0, st2)
        for k in set(cnt1) | set(cnt2):
            if k.startswith("rejected_") or k == "quarantined":
                self.assertEqual(cnt2[k], 0, "counter %s: %r" % (k, st2))
        self.assertEqual(agg.rollup(), root1)
        self.assertEqual(agg.rollup(unit="D1"), d1_1)
        cs = c.status()
        self.assertEqual(cs["parked"], 0, cs)
        v = agg.verify()
        self.assertEqual(v.returncode, 0, "verify: %s%s" % (v.out, v.err))


if __name__ == "__main__":
    lnobtest.main()
