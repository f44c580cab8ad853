"""No report can overflow a rollup or stop the aggregator.

Signed envelopes from the harness's independent client go straight to a
running aggregator. Values are capped at 10^15, and so is every sum over a
subtree: the second village reporting fund_vnd = 1 under a commune whose
first village reported 10^15 is refused NACK_INVALID (not retryable),
naming the commune and the indicator, with nothing stored; re-sent, and
re-sent after a restart of the daemon, it is refused again while the
daemon keeps running and takes the next report. A rate of the largest
counts (10^15 poor households of 1 household) is shown, exactly, without
overflow. `ctest` runs this in the ASan/UBSan build; `./tests/run` runs it
in a Release build too (where a wrapped sum would not trap).
"""

import json

import lnobtest
from lnobtest import CraftedClient, report_body, sign_envelope

KIND_REPORT = 1
MAX = 10**15

CAMPAIGN_INI = """\
[campaign]
id            = lnob-2021-2025
name          = overflow test
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
levels        = province, district, commune, village

[reported_by]
fund_vnd = all

[indicators]
households_total = count
poor_households  = count
fund_vnd         = amount
poor_rate        = rate poor_households / households_total

[period 2023]
kind  = year
start = 2023-01-01
end   = 2023-12-31
"""


class OverflowTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        self.keys = net.keygen(self.agg.bin, "crafta", net.path("crafta.key"))
        self.agg.enroll(self.keys.pub_path, "P")
        self.sk = self.keys.signing_key()
        self.seq = 0

    def envelope(self, unit, values):
        self.seq += 1
        return sign_envelope(self.sk, "crafta", self.seq, KIND_REPORT, report_body(unit, values))

    def rollup(self, unit):
        r = self.net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign",
                                      "lnob-2021-2025", "--period", "2023", "--unit", unit,
                                      "--json"))
        return json.loads(r.out)

    def expect_overflow(self, cl, env):
        k, n = cl.send_envelope(env)
        self.assertEqual(k, "nack", n)
        self.assertEqual(lnobtest.nack_reason_name(n.reason), "invalid", n)
        self.assertFalse(n.retryable, n)
        self.assertIn("unit 'C11'", n.detail)
        self.assertIn("'fund_vnd'", n.detail)
        self.assertIn("10^15", n.detail)

    def test_overflow_is_refused_and_the_daemon_goes_on(self):
        net, agg = self.net, self.agg
        agg.start()
        big = self.envelope("V11-0001", {"fund_vnd": MAX})
        over = self.envelope("V11-0002", {"fund_vnd": 1})
        with CraftedClient(net, self.keys) as cl:
            cl.handshake()
            self.assertEqual(cl.send_envelope(big)[0], "ack")
            for _ in range(3):          # the sender retries: refused each time
                self.expect_overflow(cl, over)
        net.check_alive()
        agg.stop()
        agg.start()                     # what crash-looped before: the same envelope again
        with CraftedClient(net, self.keys) as cl:
            cl.handshake()
            self.expect_overflow(cl, over)
            # the next report is taken; so is a rate of the largest counts
            self.assertEqual(cl.send_envelope(self.envelope(
                "V12-0001", {"households_total": 1, "poor_households": MAX}))[0], "ack")
        net.check_alive()

        root = self.rollup("P")["unit"]
        self.assertEqual(root["sums"]["fund_vnd"], MAX)
        self.assertEqual(root["units_reported"], 2)
        rate = root["values"]["poor_rate"]
        self.assertEqual((rate["num"], rate["den"]), (MAX, 1))
        self.assertEqual(rate["value"], 100.0 * MAX)
        c11 = self.rollup("C11")["unit"]
        self.assertEqual(c11["sums"], {"fund_vnd": MAX})
        # counters are persisted within a flush interval of the daemon
        st, counters = agg.wait_status(lambda s, k: k["rejected_invalid"] >= 4,
                                       "the refusals counted")
        self.assertEqual(counters["rejected_invalid"], 4, counters)
        self.assertEqual(counters["stored"], 2, counters)
        self.assertEqual(st["envelopes"], 2, st)
        v = agg.verify()
        self.assertEqual(v.returncode, 0, v.out)
        # the table prints too
        net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", "lnob-2021-2025", "--period",
                        "2023"))


if __name__ == "__main__":
    lnobtest.main()
