"""Reporting levels: each count and amount is reported at the levels its
campaign file names (reported_by), so that nothing is counted twice.

A collector whose configuration names the campaign and the hierarchy
refuses at submit a report carrying an indicator for a unit of another
level, naming the file and line (CSV) or entry (JSON), exit 1, nothing
queued. A collector without them queues it; the aggregator refuses it
(NACK wrong_level), and the collector parks it with that reason while the
good reports of the same file are stored and summed once.
"""

import json

import lnobtest
from lnobtest import CAMPAIGN, wait_until

INDICATORS = ("households_total", "poor_households", "fund_vnd")

# Villages report the counts (the default: the lowest level); every level
# reports the fund it mobilised itself.
CAMPAIGN_INI = """\
[campaign]
id            = lnob-2021-2025
name          = Reporting levels (test)
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
levels        = province, district, commune, village

[indicators]
households_total = count
poor_households  = count
fund_vnd         = amount
poor_rate        = rate poor_households / households_total

[reported_by]
fund_vnd = all

[period 2023]
kind  = year
start = 2023-01-01
end   = 2023-12-31
"""

VILLAGE = {"unit": "V11-0001", "revision": 1,
           "values": {"households_total": 150, "poor_households": 12, "fund_vnd": 2_000_000}}
COMMUNE_FUND = {"unit": "C11", "revision": 1, "values": {"fund_vnd": 30_000_000}}
# The double count: the commune reports its households as its villages do.
COMMUNE_COUNTS = {"unit": "C11", "revision": 2,
                  "values": {"households_total": 1200, "poor_households": 85}}
WRONG = "unit 'C11' is a commune; indicator 'households_total' is reported by village"


class LevelsTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        self.agg = self.net.add_campaign_aggregator(CAMPAIGN_INI)

    def campaign_conf(self):
        return ("\n[campaign]\nfiles = %s\n\n[hierarchy]\nfile = %s\n"
                % (self.net.path("campaign.ini"), self.net.hier_path))

    def write_csv(self, name, reports):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, reports, INDICATORS)
        return path

    def write_json(self, name, reports):
        path = self.net.path(name)
        with open(path, "w") as f:
            json.dump([{"campaign": CAMPAIGN, "period": "2023", "unit": r["unit"],
                        "revision": r["revision"], "values": r["values"]} for r in reports], f)
        return path

    def submit_fails(self, coll, path):
        r = self.net.cli(coll.cmd("submit", "-c", coll.conf, path), ok=False)
        self.assertEqual(r.returncode, 1, "submit must refuse: %s%s" % (r.out, r.err))
        self.assertIn("nothing queued", r.err)
        self.assertEqual(r.out, "")
        return r.err

    def test_submit_refuses_with_campaign_and_hierarchy(self):
        net = self.net
        coll = net.add_collector("c11-office", "C11", extra_conf=self.campaign_conf())
        # The configuration checks: run -n loads the campaign against the hierarchy.
        self.assertIn("configuration OK",
                      net.cli(coll.cmd("run", "-c", coll.conf, "-n")).out)

        # CSV: the third report (line 4) is the commune's count.
        err = self.submit_fails(coll, self.write_csv(
            "reports.csv", [VILLAGE, COMMUNE_FUND, COMMUNE_COUNTS]))
        self.assertIn("%s:4: %s" % (net.path("reports.csv"), WRONG), err)
        # JSON: the entry.
        err = self.submit_fails(coll, self.write_json(
            "reports.json", [VILLAGE, COMMUNE_COUNTS, COMMUNE_FUND]))
        self.assertIn("%s: entry 2: %s" % (net.path("reports.json"), WRONG), err)
        # Several files are one transaction: a good file beside a bad one is
        # not queued either.
        good = self.write_csv("good.csv", [VILLAGE, COMMUNE_FUND])
        r = net.cli(coll.cmd("submit", "-c", coll.conf, good, net.path("reports.json")),
                    ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("entry 2: " + WRONG + " (nothing queued)", r.err)
        # Also what the aggregator would refuse on the campaign's other grounds.
        err = self.submit_fails(coll, self.write_json(
            "derived.json", [{"unit": "V11-0002", "revision": 1, "values": {"poor_rate": 8}}]))
        self.assertIn("entry 1: indicator 'poor_rate' of campaign '%s' is derived" % CAMPAIGN, err)
        err = self.submit_fails(coll, self.write_json(
            "unit.json", [{"unit": "V99-0001", "revision": 1, "values": {"poor_households": 1}}]))
        self.assertIn("entry 1: unit 'V99-0001' is not in the hierarchy", err)

        st = coll.status()
        self.assertEqual((st["queued"], st["parked"], st["next_seq"]), (0, 0, 1), st)

        # The good reports go through.
        r = net.cli(coll.cmd("submit", "-c", coll.conf, good))
        self.assertIn("queued 2 reports as seq 1..2", r.out)
        self.assertEqual(coll.status()["queued"], 2)

    def test_config_needs_both(self):
        net = self.net
        for node, extra, key in (
                ("only-campaign", "\n[campaign]\nfiles = %s\n" % net.path("campaign.ini"),
                 "[campaign] files: needs [hierarchy] file"),
                ("only-hierarchy", "\n[hierarchy]\nfile = %s\n" % net.hier_path,
                 "[hierarchy] file: needs [campaign] files")):
            coll = lnobtest.Collector(net, node, "C11", extra_conf=extra)
            r = net.cli(coll.cmd("run", "-c", coll.conf, "-n"), ok=False)
            self.assertEqual(r.returncode, 1, r.out + r.err)
            self.assertIn(key, r.err)
            r = net.cli(coll.cmd("submit", "-c", coll.conf,
                                 self.write_csv("ok.csv", [VILLAGE])), ok=False)
            self.assertEqual(r.returncode, 1, r.out + r.err)
            self.assertIn(key, r.err)
        # A bad campaign file is named with its line, at submit and by run -n.
        with open(net.path("bad.ini"), "w") as f:
            f.write(CAMPAIGN_INI.replace("fund_vnd = all", "fund_vnd = district, hamlet"))
        coll = lnobtest.Collector(net, "nbad", "C11", extra_conf=(
            "\n[campaign]\nfiles = bad.ini\n\n[hierarchy]\nfile = %s\n" % net.hier_path))
        r = net.cli(coll.cmd("submit", "-c", coll.conf, self.write_csv("ok.csv", [VILLAGE])),
                    ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        want = "bad.ini:16: [reported_by] fund_vnd: unknown level 'hamlet'"
        self.assertIn(want, r.err)
        r = net.cli(coll.cmd("run", "-c", coll.conf, "-n"), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn(want, r.err)

    def test_aggregator_refuses_and_collector_parks(self):
        net, agg = self.net, self.agg
        coll = net.add_collector("c11-office", "C11")      # knows no campaign
        path = self.write_csv("reports.csv", [VILLAGE, COMMUNE_FUND, COMMUNE_COUNTS])
        r = coll.submit(path)
        self.assertIn("queued 3 reports as seq 1..3", r.out)
        agg.start()
        coll.start()

        def parked():
            s = coll.status()
            return s["queued"] == 0 and s["in_flight"] == 0 and s["parked"] == 1 and s

        st = wait_until(parked, 60, "collector: queued 0, parked 1 (wrong_level)", net)
        item = st["parked_items"][0]
        self.assertEqual((item["seq"], item["kind"], item["reason"]), (3, "report", "wrong_level"),
                         st)
        self.assertEqual(item["detail"], WRONG, st)
        _, k = agg.wait_status(lambda s, k: k["stored"] >= 2 and k["rejected_wrong_level"] >= 1,
                               "two stored, one refused wrong_level")
        self.assertEqual((k["stored"], k["rejected_wrong_level"]), (2, 1))
        # Nothing counted twice: the commune's sums are its village's counts
        # and the two funds.
        c11 = agg.rollup(unit="C11")["unit"]
        self.assertEqual(c11["units_reported"], 2)
        self.assertEqual(c11["sums"], {"households_total": 150, "poor_households": 12,
                                       "fund_vnd": 32_000_000})
        self.assertEqual(agg.verify().returncode, 0)


if __name__ == "__main__":
    lnobtest.main()
