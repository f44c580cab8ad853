"""Data approval through the real daemons: reports for a district's subtree
arrive; the district is approved for (campaign, period); a late revision of
one of its villages, submitted by its collector, is acked (the outbox
drains) but waits in the amendment queue while the district's and the
province's rollups stay as approved and verify agrees; accepting it moves
them; a second late revision is rejected and moves nothing; a revision for
a unit outside the approved subtree applies at once."""

import json

import lnobtest
from lnobtest import CAMPAIGN, PERIOD, write_reports_csv

VILLAGE = "V11-0001"
OUTSIDE = "V21-0001"


class ApprovalTest(lnobtest.NetTestCase):

    def test_approve_amend_accept_reject(self):
        net = self.net
        agg = net.add_aggregator()
        d1 = net.add_collector("d1", "D1")
        d2 = net.add_collector("d2", "D2")
        agg.start()
        d1.start()
        d2.start()
        csv_n = [0]

        def submit(col, reports):
            csv_n[0] += 1
            path = net.path("reports-%d.csv" % csv_n[0])
            write_reports_csv(path, reports)
            col.submit(path)
            col.wait_drained()

        def cli(*args, ok=True):
            return net.cli(agg.cmd(*args, "-c", agg.conf), ok=ok)

        def cli_json(*args):
            return json.loads(cli(*args, "--json").out)

        def rollups():
            return {u: agg.rollup(u) for u in ("P", "D1", "D2")}

        def poor(view):
            return view["unit"]["sums"].get("poor_households", 0)

        def verify_ok():
            r = agg.verify()
            self.assertEqual(r.returncode, 0, r.out + r.err)
            self.assertIn(" 0 differences", r.out)

        first = []
        for unit in self.hier.subtree("D1") + self.hier.subtree("D2"):
            if unit.startswith("V"):
                first.append({"unit": unit, "revision": 1,
                              "values": {"households_total": 100, "poor_households": 10}})
        submit(d1, [r for r in first if self.hier.in_subtree("D1", r["unit"])])
        submit(d2, [r for r in first if self.hier.in_subtree("D2", r["unit"])])
        agg.wait_status(lambda st, k: k["stored"] == len(first), "every first report stored")
        verify_ok()

        out = cli("approve", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "D1",
                  "--by", "district-1-chief", "--note", "checked 2023 figures").out
        self.assertIn("approved", out)
        again = cli("approve", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "D1",
                    "--by", "someone", ok=False)
        self.assertEqual(again.returncode, 1, again.err)
        self.assertIn("already", again.err)
        approvals = cli_json("approvals")["approvals"]
        self.assertEqual([(a["unit"], a["by"], a["pending_amendments"]) for a in approvals],
                         [("D1", "district-1-chief", 0)])
        self.assertEqual(approvals[0]["approved"]["sums"]["poor_households"], 60)
        self.assertEqual(approvals[0]["approved"]["units_reported"], 6)
        approved = rollups()

        # A late revision inside the approved subtree: acked, held.
        submit(d1, [{"unit": VILLAGE, "revision": 2,
                     "values": {"households_total": 100, "poor_households": 7}}])
        st, k = agg.wait_status(lambda st, k: k["amended"] == 1, "one amendment held")
        self.assertEqual(k["stored"], len(first) + 1)
        self.assertEqual(rollups(), approved)
        verify_ok()
        queue = cli_json("amendments", "--unit", "D1")["amendments"]
        self.assertEqual(len(queue), 1, queue)
        a = queue[0]
        self.assertEqual((a["unit"], a["approved_unit"], a["signer"], a["revision"]),
                         (VILLAGE, "D1", "d1", 2))
        self.assertEqual(a["values"], {"households_total": 100, "poor_households": 7})
        self.assertEqual(a["current"]["values"], {"households_total": 100, "poor_households": 10})
        self.assertEqual(a["difference"], {"households_total": 0, "poor_households": -3})
        self.assertTrue(a["becomes_current"])
        self.assertEqual(a["rollup_change"], {"units_reported": 0,
                                              "sums": {"households_total": 0,
                                                       "poor_households": -3}})
        self.assertEqual(cli_json("amendments", "--unit", "D2")["amendments"], [])
        self.assertEqual(cli_json("amendments", "--unit", "P")["amendments"][0]["key"], a["key"])
        table = cli("amendments").out
        self.assertIn(a["key"], table)
        self.assertIn("poor_households=-3", table)
        h = cli_json("history", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", VILLAGE)
        self.assertEqual(h["revisions"], 1)     # the held revision is not in the history
        self.assertEqual(h["pending_amendments"], 1)
        # The approval cannot be revoked while an amendment waits.
        r = cli("unapprove", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "D1", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("pending", r.err)

        # Accepting it moves the district's and the province's rollups.
        out = cli("accept", "--amendment", a["key"], "--by", "district-1-chief").out
        self.assertIn("accepted", out)
        after = rollups()
        self.assertEqual(poor(after["D1"]), poor(approved["D1"]) - 3)
        self.assertEqual(poor(after["P"]), poor(approved["P"]) - 3)
        self.assertEqual(after["D2"], approved["D2"])
        self.assertEqual(cli_json("amendments")["amendments"], [])
        h = cli_json("history", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", VILLAGE)
        self.assertEqual([(x["revision"], x["current"]) for x in h["history"]],
                         [(1, False), (2, True)])
        self.assertEqual(h["history"][1]["received_at"], a["received_at"])
        self.assertEqual(h["pending_amendments"], 0)
        verify_ok()
        r = cli("accept", "--amendment", a["key"], "--by", "district-1-chief", ok=False)
        self.assertEqual(r.returncode, 1)

        # A second late revision, rejected: nothing moves.
        submit(d1, [{"unit": VILLAGE, "revision": 3,
                     "values": {"households_total": 100, "poor_households": 1}}])
        agg.wait_status(lambda st, k: k["amended"] == 2, "a second amendment held")
        self.assertEqual(rollups(), after)
        b = cli_json("amendments", "--campaign", CAMPAIGN, "--period", PERIOD)["amendments"]
        self.assertEqual([(x["unit"], x["revision"]) for x in b], [(VILLAGE, 3)])
        r = cli("reject", "--amendment", b[0]["key"], "--by", "district-1-chief", ok=False)
        self.assertEqual(r.returncode, 2)      # a reason is required
        cli("reject", "--amendment", b[0]["key"], "--by", "district-1-chief",
            "--reason", "figures not signed off by the commune")
        self.assertEqual(rollups(), after)
        self.assertEqual(cli_json("amendments")["amendments"], [])
        decided = cli_json("amendments", "--decided")["amendments"]
        self.assertEqual(sorted((x["revision"], x["decision"]["decision"], x["decision"]["reason"])
                                for x in decided),
                         [(2, "accepted", ""), (3, "rejected",
                                                "figures not signed off by the commune")])
        verify_ok()

        # Outside the approved subtree a revision applies at once.
        submit(d2, [{"unit": OUTSIDE, "revision": 2,
                     "values": {"households_total": 100, "poor_households": 4}}])
        agg.wait_status(lambda st, k: k["stored"] == len(first) + 3, "the D2 revision stored")
        final = rollups()
        self.assertEqual(poor(final["D2"]), poor(after["D2"]) - 6)
        self.assertEqual(poor(final["P"]), poor(after["P"]) - 6)
        self.assertEqual(final["D1"], after["D1"])
        self.assertEqual(agg.counters()[1]["amended"], 2)
        verify_ok()

        # Revoked, the district takes revisions at once again.
        cli("unapprove", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "D1")
        self.assertEqual(cli_json("approvals")["approvals"], [])
        submit(d1, [{"unit": VILLAGE, "revision": 4,
                     "values": {"households_total": 100, "poor_households": 2}}])
        agg.wait_status(lambda st, k: k["stored"] == len(first) + 4, "the last revision stored")
        self.assertEqual(poor(agg.rollup("D1")), poor(after["D1"]) - 5)
        verify_ok()
        agg.stop()
        with open(agg.daemon.log_path) as f:
            log = f.read()
        self.assertIn("held as an amendment", log)


if __name__ == "__main__":
    lnobtest.main()
