"""Parked messages: a NACKed envelope is parked with its reason, listed by
`status`; once the cause is fixed, `requeue` (beside the running daemon)
moves it back unchanged (same seq, same bytes) and it arrives; naming a
seq that is not parked fails, names it, and moves nothing."""

import lnobtest
from lnobtest import wait_until

from test_relay import aggregator_envelopes, mdb_dump

VALUES = {"households_total": 300, "poor_households": 12}


def parked_envelopes(data_dir, db):
    """{key: envelope bytes} of a collector's parked database."""
    out = {}
    for key, val in mdb_dump(data_dir, db):
        p = lnobtest.pb().ParkedItem()
        p.ParseFromString(val)
        out[key] = p.envelope
    return out


class RequeueTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        self.agg = self.net.add_aggregator()
        self.kw = dict(heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50,
                       backoff_max_ms=500, resend_after_ms=5000)

    def submit(self, c, reports, name):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, reports)
        return c.submit(path)

    def requeue(self, c, *args, ok=True):
        return self.net.cli(c.cmd("requeue", "-c", c.conf, *args), ok=ok)

    def wait_collector(self, c, pred, what, timeout=60):
        def cond():
            st = c.status()
            return pred(st) and st
        return wait_until(cond, timeout, "%s status: %s" % (c.node_id, what), self.net)

    def test_own_parked_requeued_after_scope_fix(self):
        net, agg = self.net, self.agg
        # Enrolled too narrowly: C11 only, but it also reports for C12.
        c = net.add_collector("d1-office", "C11", **self.kw)
        self.submit(c, [{"unit": "C11", "revision": 1, "values": VALUES},
                        {"unit": "C12", "revision": 1, "values": VALUES},
                        {"unit": "V12-0001", "revision": 1, "values": VALUES}], "r.csv")
        agg.start()
        c.start()
        st = self.wait_collector(c, lambda s: s["parked"] == 2 and s["queued"] == 0,
                                 "two parked, none queued")
        self.assertEqual((st["parked_own"], st["parked_relayed"]), (2, 0), st)
        self.assertEqual([(p["seq"], p["signer"], p["relayed"], p["reason"])
                          for p in st["parked_items"]],
                         [(2, "d1-office", False, "out_of_scope"),
                          (3, "d1-office", False, "out_of_scope")], st)
        self.assertTrue(all(p["detail"] for p in st["parked_items"]), st)
        table = net.cli(c.cmd("status", "-c", c.conf)).out
        self.assertIn("seq 2  out_of_scope", table)
        before = parked_envelopes(c.data_dir, "parked")
        self.assertEqual(sorted(int.from_bytes(k, "big") for k in before), [2, 3])
        agg.wait_status(lambda s, k: s["envelopes"] == 1, "the in-scope report stored")

        # Not parked: seq 1 was acked, 99 never existed; nothing moves.
        for bad in ("1", "99"):
            r = self.requeue(c, "2", bad, ok=False)
            self.assertNotEqual(r.returncode, 0, r.out)
            self.assertIn("seq %s is not parked" % bad, r.err)
            self.assertEqual(c.status()["parked"], 2)
        r = self.requeue(c, ok=False)
        self.assertEqual(r.returncode, 2, "no seq named is a usage error: %s" % r.err)
        r = self.requeue(c, "two", ok=False)
        self.assertEqual(r.returncode, 2, r.err)

        # Fix the cause, then requeue both beside the running daemon.
        net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", c.keys.pub_path, "--scope", "D1",
                        "--replace"))
        r = self.requeue(c, "--all")
        self.assertIn("requeued seq 2", r.out)
        self.assertIn("requeued seq 3", r.out)
        self.assertIn("requeued 2 parked items", r.out)
        st = self.wait_collector(c, lambda s: s["queued"] == 0 and s["parked"] == 0
                                 and s["in_flight"] == 0, "requeued items delivered")
        self.assertEqual(st["next_seq"], 4, "requeue must not take new seqs: %r" % st)
        agg.wait_status(lambda s, k: s["envelopes"] == 3, "all three stored")
        stored = aggregator_envelopes(agg)
        self.assertEqual(sorted(stored), [("d1-office", 1), ("d1-office", 2), ("d1-office", 3)])
        for k, raw in before.items():
            self.assertEqual(stored[("d1-office", int.from_bytes(k, "big"))], raw,
                             "a requeued envelope must go unchanged")
        exp = lnobtest.expected_rollups(self.hier, [
            {"unit": u, "revision": 1, "values": VALUES} for u in ("C11", "C12", "V12-0001")])
        self.assertRollupMatches(agg.rollup(unit="C12")["unit"], exp, "C12")
        self.assertRollupMatches(agg.rollup(unit="D1")["unit"], exp, "D1")
        # Nothing parked any more: requeue of a seq now fails.
        r = self.requeue(c, "3", ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("seq 3 is not parked", r.err)

    def test_relayed_parked_requeued(self):
        net, agg = self.net, self.agg
        relay = net.add_collector("d1-office", "D1", relay=True, **self.kw)
        commune = net.add_collector("c11-office", "C11", upstream=relay, **self.kw)
        self.submit(commune, [{"unit": "C11", "revision": 1, "values": VALUES},
                              {"unit": "C12", "revision": 1, "values": VALUES}], "r.csv")
        agg.start()
        relay.start()
        commune.start()
        st = self.wait_collector(relay, lambda s: s["parked"] == 1 and s["queued"] == 0,
                                 "the commune's out-of-scope report parked at the relay")
        item, = st["parked_items"]
        self.assertEqual((item["signer"], item["seq"], item["relayed"], item["reason"]),
                         ("c11-office", 2, True, "out_of_scope"), item)
        self.assertIn("relayed c11-office seq 2  out_of_scope",
                      net.cli(relay.cmd("status", "-c", relay.conf)).out)
        before = list(parked_envelopes(relay.data_dir, "relay_parked").values())
        self.assertEqual(len(before), 1)
        wait_until(commune.drained, 30, "the commune drained into the relay", net)
        # The refusal reached the origin too (a receipt through the relay).
        cst = self.wait_collector(commune, lambda s: s["parked"] == 1,
                                  "the refusal parked at the commune")
        self.assertEqual([(i["seq"], i["reason"]) for i in cst["parked_items"]],
                         [(2, "out_of_scope")], cst)

        r = self.requeue(relay, "c11-office:1", ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("c11-office:1 is not parked", r.err)
        r = self.requeue(relay, "--signer", "c11-office", ok=False)
        self.assertEqual(r.returncode, 2, r.err)

        net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", commune.keys.pub_path, "--scope",
                        "D1", "--replace"))
        r = self.requeue(relay, "--signer", "c11-office", "--seq", "2")
        self.assertIn("requeued relayed c11-office:2", r.out)
        self.wait_collector(relay, lambda s: s["queued"] == 0 and s["parked"] == 0
                            and s["in_flight"] == 0, "the requeued one delivered")
        agg.wait_status(lambda s, k: s["envelopes"] == 2, "both stored")
        stored = aggregator_envelopes(agg)
        self.assertEqual(stored[("c11-office", 2)], before[0])
        # Stored after all: the origin's receipt says so, parked no more.
        self.wait_collector(commune, lambda s: s["parked"] == 0, "unparked at the commune")


if __name__ == "__main__":
    lnobtest.main()
