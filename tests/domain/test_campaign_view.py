"""The campaign view of `lnob-aggregator rollup` with the seeds' own rules.

Real daemons on loopback. A small province (P > D1, D2 > C11 C12 | C21 C22 >
three villages each) under a campaign file written here with Đắk Nông's
targets (seed 000, 417/KH-UBND): the province's poor rate down >= 3 points a
year on average, its ethnic-minority poor rate >= 5, poor districts (here D2)
>= 4, other districts and communes 3 points or poor + near-poor scaled down
50 %, villages poor + near-poor scaled down 50 % (spread evenly: 30 % by
2023, year 3 of 5). Reports land just above and just below each threshold;
the verdicts must say so, exactly.

Deadlines are the seeds': districts before 20 November (Lai Châu), communes
before 1 December (Vĩnh Phúc) but before 30 November in 2023 (a period's own
deadline; Lai Châu's DOLISA date), villages before 5 December (Đắk Nông).
Every report arrives now (2026), long after its 2023 deadline, so the
signed completion time decides; the clock-skew bound is 900 s.
"""

import datetime
import json
from fractions import Fraction

import lnobtest
from lnobtest import CAMPAIGN, wait_until

INDICATORS = ("households_total", "poor_households", "near_poor_households",
              "em_households_total", "em_poor_households", "fund_vnd")
SKEW = 900

CAMPAIGN_INI = """\
; The Đắk Nông plan's targets (seed 000) on lnobtest's small province.
[campaign]
id            = lnob-2021-2025
name          = Vì người nghèo – Không để ai bị bỏ lại phía sau (test)
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
utc_offset    = +07:00
levels        = province, district, commune, village
baseline_file = baseline.csv

[indicators]
households_total     = count
poor_households      = count
near_poor_households = count
em_households_total  = count
em_poor_households   = count
fund_vnd             = amount
poor_near_poor       = sum poor_households + near_poor_households
poor_rate            = rate poor_households / households_total
em_poor_rate         = rate em_poor_households / em_households_total

[reported_by]
; Villages report the counts (the default, the lowest level); districts and
; communes report only the fund they mobilised themselves.
fund_vnd = all

[labels]
poor_rate = Tỷ lệ hộ nghèo

[deadlines]
district = before 11-20
commune  = before 12-01
village  = before 12-05

[period 2022]
kind  = year
start = 2022-01-01
end   = 2022-12-31

[period 2023]
kind  = year
start = 2023-01-01
end   = 2023-12-31
deadline.commune = before 2023-11-30

[target province-poverty]
levels      = province
goal        = poverty
indicator   = poor_rate
down_points = 3

[target province-em-poverty]
levels      = province
goal        = em-poverty
indicator   = em_poor_rate
down_points = 5

[target poor-districts]
units       = D2
goal        = poverty
indicator   = poor_rate
down_points = 4

[target districts]
levels = district
goal   = poverty
any_of = rate-3-points, scale-50-percent

[target communes]
levels = commune
goal   = poverty
any_of = rate-3-points, scale-50-percent

[target villages]
levels       = village
goal         = poverty
indicator    = poor_near_poor
down_percent = 50

[target rate-3-points]
indicator   = poor_rate
down_points = 3

[target scale-50-percent]
indicator    = poor_near_poor
down_percent = 50

[cluster cum-1]
name    = Cụm thi đua số 1
members = D1, D2

[cluster xa]
name    = Cụm các xã
members = C12, C21
"""

# Every village at the end of 2020: 1000 households, 150 poor (15 %), 100
# near-poor (poor + near-poor 250), 400 ethnic-minority households, 100 of
# them poor (25 %).
BASE = {"households_total": 1000, "poor_households": 150, "near_poor_households": 100,
        "em_households_total": 400, "em_poor_households": 100}

VILLAGES = ["V%s-%04d" % (c, i) for c in ("11", "12", "21", "22") for i in (1, 2, 3)]

# 2023 (year 3): villages need poor + near-poor <= 175 (-30 %); poor rate
# targets: -9 points (3/yr), -12 for the poor district D2 (4/yr); the
# province's ethnic-minority poor rate -15 points (25 % -> 10 %: <= 480 of
# 4800).
POOR = dict(zip(VILLAGES, [90, 90, 90, 90, 90, 89, 30, 30, 30, 30, 30, 30]))
NEAR = dict(zip(VILLAGES, [85, 85, 85, 85, 85, 87, 145, 145, 146, 145, 145, 145]))
EM_POOR = dict(zip(VILLAGES, [40] * 11 + [41]))


def ts(text):
    return int(datetime.datetime.fromisoformat(text).timestamp())


def values_2023(v):
    return {"households_total": 1000, "poor_households": POOR[v],
            "near_poor_households": NEAR[v], "em_households_total": 400,
            "em_poor_households": EM_POOR[v]}


# When each office completed its 2023 report (None: no report).
COMPLETED = {
    "D1": "2023-11-19T23:59:00+07:00",          # on time (before 20 Nov)
    "D2": "2023-11-20T09:00:00+07:00",          # late
    "C11": "2023-11-29T17:00:00+07:00",         # on time (before 30 Nov)
    "C12": "2023-11-30T08:00:00+07:00",         # late in 2023 (the annual 1 Dec would allow it)
    "C21": None,                                # missing
    "C22": "2023-11-25T10:00:00+07:00",         # on time
    "V11-0001": "2023-12-04T10:00:00+07:00",
    "V11-0002": "2023-12-04T10:00:00+07:00",
    "V11-0003": "2023-12-04T23:59:59+07:00",    # the last second
    "V12-0001": "2031-01-01T00:00:00+07:00",    # after its own arrival: not believed
    "V12-0002": "2023-12-01T08:00:00+07:00",
    "V12-0003": "2023-12-01T08:00:00+07:00",
    "V21-0001": "2023-12-03T08:00:00+07:00",
    "V21-0002": "2023-12-03T08:00:00+07:00",
    "V21-0003": "2023-12-06T08:00:00+07:00",    # late
    "V22-0001": "2023-12-02T08:00:00+07:00",
    "V22-0002": "2023-12-05T00:15:00+07:00",    # late: exactly at the skew bound
    "V22-0003": "2023-12-05T00:10:00+07:00",    # on time, within the clock skew
}


def find(rows, code):
    for r in rows:
        if r["code"] == code:
            return r
    raise AssertionError("no row %s in %r" % (code, [r["code"] for r in rows]))


def target(row, goal):
    for t in row["targets"]:
        if t["goal"] == goal:
            return t
    raise AssertionError("%s: no target for goal %s: %r" % (row["code"], goal, row["targets"]))


def bp(a, q):
    """floor(10000 * a / q) for fractions, as campaign.h defines it."""
    return (Fraction(10000) * a / q).__floor__()


class CampaignViewTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net()
        with open(self.net.path("campaign.ini"), "w") as f:
            f.write(CAMPAIGN_INI)
        with open(self.net.path("baseline.csv"), "w") as f:
            f.write("unit," + ",".join(BASE) + "\n")
            for v in VILLAGES:
                f.write(v + "," + ",".join(str(x) for x in BASE.values()) + "\n")
        self.agg = self.net.add_aggregator(
            extra_conf="\n[campaign]\nfiles = campaign.ini\nclock_skew_s = %d\n" % SKEW)

    def rollup(self, *extra, period="2023"):
        r = self.net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign", CAMPAIGN,
                                      "--period", period, "--json", *extra))
        return json.loads(r.out)

    def submit(self, coll, name, reports):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, reports, INDICATORS)
        coll.submit(path)

    def test_verdicts_and_timeliness(self):
        net, agg = self.net, self.agg
        coll = net.add_collector("p-office", "P")
        reports = []
        for unit, when in COMPLETED.items():
            if when is None:
                continue
            vals = values_2023(unit) if unit.startswith("V") else {"fund_vnd": 150_000_000}
            reports.append({"period": "2023", "unit": unit, "revision": 1,
                            "completed_at": when, "values": vals})
        # 2022 (the previous period) for the D1 villages only.
        for v in VILLAGES[:6]:
            reports.append({"period": "2022", "unit": v, "revision": 1,
                            "completed_at": "2022-12-01T08:00:00+07:00",
                            "values": dict(BASE, poor_households=120)})
        # A correction made after the deadline does not make V11-0001 late.
        reports.append({"period": "2023", "unit": "V11-0001", "revision": 2,
                        "completed_at": "2023-12-20T08:00:00+07:00",
                        "values": values_2023("V11-0001")})
        self.submit(coll, "reports.csv", reports)
        agg.start()
        coll.start()
        coll.wait_drained()
        n = len(reports)
        agg.wait_status(lambda st, k: k["stored"] >= n, "%d reports stored" % n)

        view = wait_until(lambda: (lambda v: v["unit"]["units_reported"] == 17 and v)(
            self.rollup()), 30, "17 units in the province's 2023 rollup", net)
        self.assertEqual(view["campaign"], CAMPAIGN)
        self.assertEqual(view["period"], "2023")
        self.assertEqual(view["previous_period"], "2022")
        self.assertEqual(view["clock_skew_s"], SKEW)
        p = view["unit"]
        kids = view["children"]
        # 18 units owe a report (2 districts, 4 communes, 12 villages); C21 has not.
        self.assertEqual((p["units_expected"], p["units_expected_reported"], p["complete"]),
                         (18, 17, False))
        self.assertEqual([k["code"] for k in kids], ["D1", "D2"])

        # Counts are sums; rates come from the summed counts.
        poor = sum(POOR.values())
        self.assertEqual(poor, 719)
        self.assertEqual(p["sums"]["poor_households"], 719)
        self.assertEqual(p["sums"]["fund_vnd"], 5 * 150_000_000)
        pr = p["values"]["poor_rate"]
        self.assertEqual((pr["num"], pr["den"]), (719, 12000))
        self.assertAlmostEqual(pr["value"], 5.9917, places=4)
        self.assertAlmostEqual(pr["baseline"], 15.0)
        self.assertAlmostEqual(pr["change_baseline"], -9.0083, places=4)
        self.assertEqual(p["values"]["poor_near_poor"]["value"], 719 + sum(NEAR.values()))

        # Province: poor rate 15 % -> 719/12000 = 5.99 %: 9.008 >= 9 points: met, just.
        t = target(p, "poverty")
        self.assertEqual((t["id"], t["form"], t["verdict"], t["on_target"]),
                         ("province-poverty", "down_points", "MET", True))
        self.assertAlmostEqual(t["required_change"], 9.0)
        self.assertEqual(t["achievement_bp"], bp(15 - Fraction(100 * 719, 12000), 9))
        self.assertEqual(t["achievement_bp"], 10009)
        self.assertAlmostEqual(t["achievement_pct"], 100.09)
        # ... its ethnic-minority poor rate 25 % -> 481/4800 = 10.02 %: 14.98 < 15: not met.
        t = target(p, "em-poverty")
        self.assertEqual((t["id"], t["verdict"], t["on_target"]),
                         ("province-em-poverty", "NOT_MET", False))
        self.assertAlmostEqual(t["required_change"], 15.0)
        self.assertEqual(t["achievement_bp"], bp(25 - Fraction(100 * 481, 4800), 15))
        self.assertEqual(t["achievement_bp"], 9986)

        # D2, a poor district: its own 4 points a year: 15 % -> 3 % exactly: met.
        d2 = find(kids, "D2")
        t = target(d2, "poverty")
        self.assertEqual((t["id"], t["via"], t["verdict"], t["achievement_bp"]),
                         ("poor-districts", "own", "MET", 10000))
        # D1: rate 539/6000 (8.98 %, 6.02 < 9 points) and poor + near-poor 1051 vs
        # 1500 (449 < 450): neither alternative, by one household.
        d1 = find(kids, "D1")
        t = target(d1, "poverty")
        self.assertEqual((t["id"], t["form"], t["verdict"]), ("districts", "any_of", "NOT_MET"))
        alts = {a["id"]: a for a in t["alternatives"]}
        self.assertEqual(alts["rate-3-points"]["verdict"], "NOT_MET")
        self.assertEqual(alts["scale-50-percent"]["verdict"], "NOT_MET")
        self.assertAlmostEqual(alts["scale-50-percent"]["required_change"], 450.0)
        self.assertAlmostEqual(alts["scale-50-percent"]["change_baseline"], 449.0)
        self.assertEqual(alts["scale-50-percent"]["achievement_bp"], bp(Fraction(449), 450))
        self.assertEqual(t["decided_by"]["id"], "scale-50-percent")

        # Communes and villages, one level down.
        d1view = self.rollup("--unit", "D1")
        c11, c12 = find(d1view["children"], "C11"), find(d1view["children"], "C12")
        t = target(c11, "poverty")       # 525 vs 750: exactly -30 %: met
        self.assertEqual((t["id"], t["verdict"], t["decided_by"]["id"], t["achievement_bp"]),
                         ("communes", "MET", "scale-50-percent", 10000))
        t = target(c12, "poverty")       # 526: one household short
        self.assertEqual((t["verdict"], t["on_target"]), ("NOT_MET", False))
        c21 = find(self.rollup("--unit", "D2")["children"], "C21")
        t = target(c21, "poverty")       # rate 3 %: 12 >= 9 points: met by the rate
        self.assertEqual((t["verdict"], t["decided_by"]["id"]), ("MET", "rate-3-points"))

        c12view = self.rollup("--unit", "C12")
        v = {r["code"]: r for r in [c12view["unit"]] + c12view["children"]}
        t = target(v["V12-0002"], "poverty")      # 175 vs 250: exactly -30 %
        self.assertEqual((t["id"], t["form"], t["verdict"], t["achievement_bp"]),
                         ("villages", "down_percent", "MET", 10000))
        t = target(v["V12-0003"], "poverty")      # 176: 74 of 75
        self.assertEqual((t["verdict"], t["achievement_bp"]), ("NOT_MET", bp(Fraction(74), 75)))
        # Against the previous period (2022: 120 poor of 1000).
        self.assertAlmostEqual(v["V12-0003"]["values"]["poor_rate"]["change_previous"], -3.1)
        self.assertAlmostEqual(v["V12-0003"]["values"]["poor_rate"]["change_baseline"], -6.1)
        self.assertEqual(v["V12-0003"]["previous_units_reported"], 1)

        # Completeness and timeliness, per level below the province.
        comp = view["completeness"]
        levels = {g["level"]: g for g in comp["levels"]}
        self.assertEqual([g["level"] for g in comp["levels"]], ["district", "commune", "village"])
        codes = lambda g, k: sorted(u["code"] for u in g[k + "_units"])
        g = levels["district"]
        self.assertEqual(g["late_from"], ts("2023-11-20T00:00:00+07:00"))
        self.assertEqual((g["expected"], g["on_time"], g["late"], g["missing"]), (2, 1, 1, 0))
        self.assertEqual(codes(g, "late"), ["D2"])
        self.assertEqual(comp["children"]["late_units"][0]["code"], "D2")
        g = levels["commune"]
        self.assertEqual(g["late_from"], ts("2023-11-30T00:00:00+07:00"))
        self.assertEqual((g["expected"], g["on_time"], g["late"], g["missing"]), (4, 2, 1, 1))
        self.assertEqual(codes(g, "late"), ["C12"])
        self.assertEqual(codes(g, "missing"), ["C21"])
        self.assertEqual(g["missing_units"][0]["name"], "Commune 21")
        g = levels["village"]
        self.assertEqual(g["late_from"], ts("2023-12-05T00:00:00+07:00"))
        self.assertEqual((g["expected"], g["on_time"], g["late"], g["missing"]), (12, 9, 3, 0))
        self.assertEqual(codes(g, "late"), ["V12-0001", "V21-0003", "V22-0002"])
        late = {u["code"]: u for u in g["late_units"]}
        on = {u["code"]: u for u in g["on_time_units"]}
        self.assertTrue(late["V12-0001"]["clock_suspect"])
        self.assertFalse(late["V22-0002"]["by_skew"])
        self.assertTrue(on["V22-0003"]["by_skew"])
        self.assertFalse(on["V11-0003"]["by_skew"])
        # Completed on time, arrived (now, 2026) late: on time, noted.
        self.assertTrue(all(u["arrived_late"] for u in g["on_time_units"]))
        self.assertEqual(g["on_time_arrived_late"], 9)
        self.assertGreater(on["V11-0002"]["received_at"], ts("2025-01-01T00:00:00+00:00"))
        self.assertEqual(on["V11-0002"]["completed_at"], ts(COMPLETED["V11-0002"]))
        # Judged on the first report: the late correction changes nothing.
        self.assertEqual(on["V11-0001"]["completed_at"], ts(COMPLETED["V11-0001"]))
        self.assertEqual(on["V11-0001"]["revisions"], 2)
        # The district's children are the communes.
        cc = self.rollup("--unit", "D1")["completeness"]["children"]
        self.assertEqual((cc["expected"], cc["on_time"], cc["late"]), (2, 1, 1))
        # The province has no deadline: its own report is not expected.
        self.assertIsNone(p["report"])
        self.assertEqual(d2["report"]["status"], "late")
        self.assertEqual(d1["report"]["status"], "on_time")

        # A cluster, side by side.
        cl = self.rollup("--cluster", "xa")["cluster"]
        self.assertEqual(cl["name"], "Cụm các xã")
        self.assertEqual([m["code"] for m in cl["members"]], ["C12", "C21"])
        self.assertEqual([target(m, "poverty")["verdict"] for m in cl["members"]],
                         ["NOT_MET", "MET"])
        self.assertEqual([m["report"]["status"] for m in cl["members"]], ["late", "missing"])
        self.assertEqual(find(kids, "D1")["clusters"], ["cum-1"])

        # The table names every section; an unknown period or cluster fails.
        out = net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", CAMPAIGN,
                              "--period", "2023")).out
        for text in ("province-poverty", "NOT_MET", "Completeness", "C21 Commune 21",
                     "V22-0003", "within clock skew"):
            self.assertIn(text, out)
        r = net.cli([agg.bin, "rollup", "-c", agg.conf, "--campaign", CAMPAIGN,
                     "--period", "2019"], ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("rollup: --period '2019' is not a period of campaign %s (" % CAMPAIGN,
                      r.err)
        self.assertIn("2023", r.err.split("(")[-1])
        r = net.cli([agg.bin, "rollup", "-c", agg.conf, "--campaign", CAMPAIGN,
                     "--period", "2023", "--cluster", "nope"], ok=False)
        self.assertEqual(r.returncode, 1)
        # Another campaign id: an error naming the configured ones.
        r = net.cli([agg.bin, "rollup", "-c", agg.conf, "--campaign", "other",
                     "--period", "2023"], ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("rollup: --campaign 'other' is not a configured campaign (%s)" % CAMPAIGN,
                      r.err)
        self.assertEqual(agg.verify().returncode, 0)

    def test_revision_conflict(self):
        """Two offices whose scopes both cover V11-0001 correct its revision
        1 independently (both revision 2, base 1): an open conflict, flagged
        in the view; the rollup meanwhile takes the smallest signer's; a
        revision 3 made on top of both closes it."""
        net, agg = self.net, self.agg
        c11 = net.add_collector("c11-office", "C11")
        d1 = net.add_collector("d1-office", "D1")
        agg.start()
        c11.start()
        d1.start()

        def rep(rev, poor, when="2023-12-01T08:00:00+07:00"):
            return {"period": "2023", "unit": "V11-0001", "revision": rev,
                    "completed_at": when, "values": dict(BASE, poor_households=poor)}

        self.submit(c11, "r1.csv", [rep(1, 100)])
        c11.wait_drained()
        self.submit(c11, "r2-c11.csv", [rep(2, 95, "2023-12-10T08:00:00+07:00")])
        self.submit(d1, "r2-d1.csv", [rep(2, 97, "2023-12-11T08:00:00+07:00")])
        c11.wait_drained()
        d1.wait_drained()
        agg.wait_status(lambda st, k: k["stored"] >= 3, "3 revisions stored")

        def village():
            v = self.rollup("--unit", "C11")
            return find(v["children"], "V11-0001"), v

        row, v = wait_until(lambda: (lambda rv: rv[0]["report"]["conflict"] and rv)(village()),
                            30, "V11-0001 flagged as a revision conflict", net)
        self.assertEqual(row["report"]["revisions"], 3)
        self.assertEqual(row["report"]["signer"], "c11-office")   # smallest signer
        self.assertEqual(row["sums"]["poor_households"], 95)
        # Timeliness stays that of revision 1, completed on time.
        self.assertEqual(row["report"]["status"], "on_time")
        self.assertEqual(row["report"]["completed_at"], ts("2023-12-01T08:00:00+07:00"))
        # Two of C11's villages have not reported: its sums are partial.
        self.assertEqual((v["unit"]["units_expected"], v["unit"]["units_expected_reported"],
                          v["unit"]["complete"]), (4, 1, False))
        g = v["completeness"]["levels"][0]
        self.assertEqual((g["level"], g["conflicts"]), ("village", 1))
        self.assertTrue(find(g["on_time_units"], "V11-0001")["conflict"])
        out = net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", CAMPAIGN,
                              "--period", "2023", "--unit", "C11")).out
        self.assertIn("[revision conflict]", out)
        # `conflicts` lists it too, where this build has that command.
        r = net.cli(agg.cmd("conflicts", "-c", agg.conf, "--json"), ok=False)
        if r.returncode == 0:
            self.assertIn("V11-0001", r.out)

        # The resolution: revision 3 on top of both.
        self.submit(d1, "r3.csv", [rep(3, 96, "2023-12-12T08:00:00+07:00")])   # base 2
        d1.wait_drained()
        row, v = wait_until(lambda: (lambda rv: not rv[0]["report"]["conflict"] and rv)(
            village()), 30, "the conflict of V11-0001 closed", net)
        self.assertEqual(row["report"]["revision"], 3)
        self.assertEqual(row["sums"]["poor_households"], 96)
        self.assertEqual(v["completeness"]["levels"][0]["conflicts"], 0)
        self.assertEqual(agg.verify().returncode, 0)


if __name__ == "__main__":
    lnobtest.main()
