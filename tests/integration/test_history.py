"""Revision history and conflicts through the real daemon: two signers
correct one report from the same base (a conflict, logged, listed by
`conflicts`, marked in `history`, the rollup following the smallest
signer), a later revision resolves it, and `verify` agrees throughout."""

import json

import lnobtest
from lnobtest import CraftedClient, report_body, sign_envelope

KIND_REPORT = 1
UNIT = "V11-0001"


class HistoryTest(lnobtest.NetTestCase):

    def test_conflict_and_resolution(self):
        net = self.net
        agg = net.add_aggregator()
        a = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        c = net.keygen(agg.bin, "craftc", net.path("craftc.key"))
        agg.enroll(a.pub_path, "D1")
        agg.enroll(c.pub_path, "C11")
        agg.start()

        def send(keys, signer, seq, revision, base, poor):
            body = report_body(UNIT, {"poor_households": poor}, revision=revision,
                               base_revision=base)
            with CraftedClient(net, keys) as cl:
                cl.handshake()
                kind, ans = cl.send_envelope(sign_envelope(keys.signing_key(), signer, seq,
                                                           KIND_REPORT, body))
            self.assertEqual(kind, "ack", ans)

        def cli_json(*args):
            return json.loads(net.cli(agg.cmd(*args, "-c", agg.conf, "--json")).out)

        def history():
            return cli_json("history", "--campaign", lnobtest.CAMPAIGN, "--period",
                            lnobtest.PERIOD, "--unit", UNIT)

        def root_poor():
            v = cli_json("rollup", "--campaign", lnobtest.CAMPAIGN, "--period", lnobtest.PERIOD)
            return v["unit"]["sums"].get("poor_households", 0)

        send(c, "craftc", 1, 1, 0, 10)
        send(c, "craftc", 2, 2, 1, 20)
        send(a, "crafta", 1, 2, 1, 30)     # the same base as craftc's rev 2
        conflicts = cli_json("conflicts")["conflicts"]
        self.assertEqual(len(conflicts), 1, conflicts)
        self.assertEqual(conflicts[0]["unit"], UNIT)
        self.assertEqual(sorted((m["signer"], m["seq"]) for m in conflicts[0]["members"]),
                         [("crafta", 1), ("craftc", 2)])
        self.assertEqual(conflicts[0]["current"]["signer"], "crafta")
        h = history()
        self.assertEqual(h["revisions"], 3)
        self.assertIsNotNone(h["conflict"])
        self.assertEqual([(x["revision"], x["signer"], x["current"], x["conflict_member"],
                           x["first"]) for x in h["history"]],
                         [(1, "craftc", False, False, True), (2, "crafta", True, True, False),
                          (2, "craftc", False, True, False)])
        self.assertEqual(h["history"][1]["values"], {"poor_households": 30})
        self.assertEqual(root_poor(), 30)
        self.assertEqual(agg.counters()[1]["conflict"], 1)
        net.cli(agg.cmd("verify", "-c", agg.conf))
        table = net.cli(agg.cmd("history", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN,
                                "--period", lnobtest.PERIOD, "--unit", UNIT)).out
        self.assertIn("OPEN CONFLICT", table)

        send(c, "craftc", 3, 3, 2, 40)     # resolves it
        self.assertEqual(cli_json("conflicts")["conflicts"], [])
        h = history()
        self.assertIsNone(h["conflict"])
        self.assertTrue(h["history"][-1]["current"])
        self.assertEqual(root_poor(), 40)
        net.cli(agg.cmd("verify", "-c", agg.conf))
        agg.stop()
        with open(agg.daemon.log_path) as f:
            log = f.read()
        self.assertIn("revision conflict of %s/%s/%s" % (lnobtest.CAMPAIGN, lnobtest.PERIOD, UNIT),
                      log)
        self.assertIn("resolved by rev 3", log)


if __name__ == "__main__":
    lnobtest.main()
