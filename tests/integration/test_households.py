"""The household register at the commune's collector (README "The
household register"):

    aggregator (campaign.ini: villages report the register's counts and
    households_total, the commune its em_poor_households and every level
    its fund)
     |- c11-office (scope C11; aggregator_sign_key: holds the metadata)

The test generates the commune's list (random, seeded; a name and an
address column beside the register's columns, as a real export has),
imports it with `households import`, and checks the changes printed (all
new) against its own reading of the list. `households report` queues the
register's counts as signed reports; once the collector drained, the
aggregator's rollups of every village and of the commune equal a recount
of the CSV done here in Python, independently of the collector. A typed
report's households_total survives the register's next revision of it.
A second list (escaped, newly poor, re-poor, added, removed, reclassified,
moved households) is imported: the changes printed, and `households diff`
later, equal the ones computed here from the two lists; the reports follow
(revision 2), and a third `report` queues nothing. A bad list (a village
of another commune, a bad cell in an .xlsx) is refused naming the file and
line or the sheet and cell, and nothing of it is stored. Finally every
file of the collector's outbox store and of the aggregator's data
directory is scanned for the list: no household id, name or address is
there, while the register's own store (positive control) holds them.
"""

import csv
import json
import os
import random

import openpyxl

import lnobtest
from lnobtest import wait_until

CAMPAIGN = "lnob-2021-2025"
PERIOD = "2023"
COUNTS = ("poor_households", "near_poor_households", "escaped_households",
          "newly_poor_households", "repoor_households")
CAMPAIGN_INI = """\
[campaign]
id            = lnob-2021-2025
name          = Sổ hộ nghèo (test)
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
levels        = province, district, commune, village
reported_by   = village

[indicators]
households_total      = count
poor_households       = count
near_poor_households  = count
escaped_households    = count
newly_poor_households = count
repoor_households     = count
em_poor_households    = count
fund_vnd              = amount
poor_rate             = rate poor_households / households_total

[reported_by]
fund_vnd           = all
em_poor_households = commune

[period 2023]
kind  = year
start = 2023-01-01
end   = 2023-12-31
"""

DEPRIV = ("employment", "dependants", "nutrition", "health_insurance", "adult_education",
          "school_attendance", "housing_quality", "floor_area", "drinking_water",
          "sanitation", "telecom", "information")
HEADER = ["name", "household", "village", "classification", "ethnic_minority"] + \
    list(DEPRIV) + ["address"]
CLASSES = ("poor", "near-poor", "escaped", "newly-poor", "re-poor")
# The spellings of the list: the Vietnamese labels too.
SPELLING = {"poor": ["poor", "nghèo"], "near-poor": ["near-poor", "cận nghèo"],
            "escaped": ["escaped", "thoát nghèo"], "newly-poor": ["newly-poor", "phát sinh"],
            "re-poor": ["re-poor", "tái nghèo"]}
POOR = ("poor", "newly-poor", "re-poor")


def recount(rows, village=None):
    """The campaign's counts of rows (dicts with canonical classes), as
    README "The household register" defines them."""
    sel = [r for r in rows if village is None or r["village"] == village]
    return {
        "poor_households": sum(r["cls"] in POOR for r in sel),
        "near_poor_households": sum(r["cls"] == "near-poor" for r in sel),
        "escaped_households": sum(r["cls"] == "escaped" for r in sel),
        "newly_poor_households": sum(r["cls"] == "newly-poor" for r in sel),
        "repoor_households": sum(r["cls"] == "re-poor" for r in sel),
        "em_poor_households": sum(r["cls"] in POOR and r["em"] for r in sel),
    }


def change_of(old, new):
    """The README's one change kind of a household, None when unchanged."""
    if new is None:
        return "removed"
    for cls, kind in (("escaped", "escaped"), ("newly-poor", "newly_poor"),
                      ("re-poor", "re_poor")):
        if new["cls"] == cls and (old is None or old["cls"] != cls):
            return kind
    if old is None:
        return "added"
    if old["cls"] != new["cls"]:
        return "reclassified"
    if (old["village"], old["em"], old["dep"]) != (new["village"], new["em"], new["dep"]):
        return "updated"
    return None


def diff(old_rows, new_rows):
    old = {r["id"]: r for r in old_rows}
    new = {r["id"]: r for r in new_rows}
    out = []
    for hid in sorted(set(old) | set(new)):
        kind = change_of(old.get(hid), new.get(hid))
        if kind:
            out.append((hid, kind))
    return out


class HouseholdsTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.rng = random.Random(20231128)
        self.agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        self.coll = net.add_collector("c11-office", "C11", extra_conf=net.sign_key_conf(self.agg),
                                      heartbeat_ms=300)
        self.villages = [c for c in self.hier.subtree("C11") if c.startswith("V")]

    def hh(self, *args, ok=True):
        c = self.coll
        return self.net.cli(c.cmd("households", "-c", c.conf, *args), ok=ok)

    def hh_json(self, *args):
        return json.loads(self.hh(*args, "--json").out)

    def new_row(self, i):
        return {"id": "HH-C11-%05d" % i, "village": self.rng.choice(self.villages),
                "cls": self.rng.choice(CLASSES), "em": self.rng.random() < 0.3,
                "dep": tuple(self.rng.random() < 0.25 for _ in DEPRIV),
                "name": "Nguyễn Thị Hộ%05d" % i, "address": "Xóm Đồi %05d" % i}

    def write_csv(self, name, rows):
        path = self.net.path(name)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            for r in rows:
                w.writerow([r["name"], r["id"], r["village"],
                            self.rng.choice(SPELLING[r["cls"]]),
                            self.rng.choice(["yes", "có", "1"] if r["em"] else ["no", "0"])] +
                           [int(d) for d in r["dep"]] + [r["address"]])
        return path

    def check_changes(self, doc, want):
        got = [(c["household"], c["change"]) for c in doc["changes"]]
        self.assertEqual(got, want)
        for kind in ("escaped", "newly_poor", "re_poor", "added", "removed", "reclassified",
                     "updated"):
            self.assertEqual(doc["counts"][kind], sum(k == kind for _, k in want), kind)

    def report(self):
        return self.hh_json("report", "--campaign", CAMPAIGN, "--period", PERIOD)

    def check_rollups(self, rows, extra=None):
        """Every village's and the commune's sums equal the recount of rows."""
        agg, extra = self.agg, extra or {}
        for v in self.villages:
            want = {k: n for k, n in recount(rows, v).items() if k in COUNTS}
            want.update(extra.get(v, {}))
            self.assertEqual(agg.rollup(unit=v)["unit"]["sums"], want, v)
        c11 = agg.rollup(unit="C11")["unit"]["sums"]
        total = recount(rows)
        for k in COUNTS + ("em_poor_households",):
            self.assertEqual(c11[k], total[k], k)

    def wait_stored(self, n):
        self.coll.wait_drained()
        self.agg.wait_status(lambda st, c: c["stored"] >= n, "%d reports stored" % n)

    def test_register(self):
        net, agg, coll = self.net, self.agg, self.coll
        agg.start()
        coll.start()
        wait_until(lambda: coll.status()["metadata"], 60, "the commune holds metadata", net)

        rows1 = [self.new_row(i) for i in range(240)]
        path1 = self.write_csv("ho-ngheo-2023.csv", rows1)
        r = self.hh("import", path1)
        self.assertIn("import 1 of the register of C11: %s" % path1, r.out)
        self.assertIn("240 households", r.out)
        doc = self.hh_json("diff")
        self.assertEqual((doc["import"], doc["previous"], doc["households"]), (1, None, 240))
        self.check_changes(doc, diff([], rows1))

        # The counts shown are the recount's, per village and in all.
        show = self.hh_json("show")
        self.assertEqual([u["unit"] for u in show["villages"]], sorted(self.villages))
        for u in show["villages"] + [show["total"]]:
            want = recount(rows1, None if u["unit"] == "C11" else u["unit"])
            self.assertEqual({k: u[k] for k in want}, want, u["unit"])

        # A report typed for a village before: its households_total stays.
        typed = net.path("typed.json")
        with open(typed, "w") as f:
            json.dump({"campaign": CAMPAIGN, "period": PERIOD, "unit": self.villages[0],
                       "values": {"households_total": 400, "poor_households": 999}}, f)
        coll.submit(typed)
        rep = self.report()
        self.assertEqual(rep["queued"], len(self.villages) + 1)
        first = {r["unit"]: r for r in rep["reports"]}
        self.assertEqual(first[self.villages[0]]["revision"], 2)
        self.assertEqual(first["C11"]["values"],
                         {"em_poor_households": recount(rows1)["em_poor_households"]})
        self.wait_stored(len(self.villages) + 2)
        kept = {self.villages[0]: {"households_total": 400}}
        self.check_rollups(rows1, kept)

        # The second list: households escape, fall back, appear, go, move.
        rows2 = [dict(r) for r in rows1]
        for r in rows2[:30]:
            r["cls"] = "escaped" if r["cls"] in POOR else "poor"
        for r in rows2[30:40]:
            r["cls"] = "re-poor" if r["cls"] != "re-poor" else "near-poor"
        for r in rows2[40:50]:
            r["village"] = self.rng.choice(self.villages)
        del rows2[50:70]
        fresh = [self.new_row(i) for i in range(1000, 1025)]
        for r in fresh[::5]:
            r["cls"] = "newly-poor"   # phát sinh: new to the list, poor
        rows2 += fresh
        self.rng.shuffle(rows2)
        path2 = self.write_csv("ho-ngheo-2023-ra-soat.csv", rows2)
        want = diff(rows1, rows2)
        self.assertTrue({k for _, k in want} >= {"escaped", "re_poor", "added", "removed",
                                                  "newly_poor"}, want)
        out = self.hh("import", path2).out
        self.assertIn("changes since import 1:", out)
        for hid, kind in want:
            self.assertRegex(out, r"\n  %s +%s " % (hid, kind))
        doc = self.hh_json("diff")
        self.assertEqual((doc["import"], doc["previous"], doc["households"]),
                         (2, 1, len(rows2)))
        self.check_changes(doc, want)
        self.check_changes(self.hh_json("diff", "--import", "1"), diff([], rows1))

        rep = self.report()
        for r in rep["reports"]:
            self.assertEqual(r["revision"], 3 if r["unit"] == self.villages[0] else 2)
        self.wait_stored(len(self.villages) + 2 + rep["queued"])
        self.check_rollups(rows2, kept)
        r = self.hh("report", "--campaign", CAMPAIGN, "--period", PERIOD)
        self.assertIn("nothing queued", r.out)

        self.bad_lists(rows2)
        self.no_list_upstream(rows1 + rows2)
        self.assertEqual(agg.verify().returncode, 0)

    def bad_lists(self, rows2):
        """A bad list is refused, naming its place, and nothing is stored."""
        net = self.net
        rows = [dict(r) for r in rows2[:5]]
        rows[3]["village"] = "V12-0001"
        bad = self.write_csv("bad.csv", rows)
        r = self.hh("import", bad, ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        # The metadata's hierarchy is the node's subtree: another commune's
        # village is not in it at all.
        self.assertIn("%s:5: village: 'V12-0001' is not a unit of the hierarchy held "
                      "(nothing imported)" % bad, r.err)

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Danh sách"
        ws.append(HEADER)
        for r in rows2[:4]:
            ws.append([r["name"], r["id"], r["village"], r["cls"], "yes" if r["em"] else "no"] +
                      [int(d) for d in r["dep"]] + [r["address"]])
        ws["H4"] = 7
        xlsx = net.path("bad.xlsx")
        wb.save(xlsx)
        r = self.hh("import", xlsx, ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s: Danh sách!H4: nutrition: '7' is not 0 or 1" % xlsx, r.err)
        self.assertEqual(self.hh_json("diff")["import"], 2)
        self.assertEqual(self.hh_json("show")["total"]["households"], len(rows2))

        # The same workbook, good: imported, its counts the recount's.
        ws["H4"] = 0
        wb.save(xlsx)
        r = self.hh("import", xlsx, "--json")
        doc = json.loads(r.out)
        self.assertEqual((doc["import"], doc["households"]), (3, 4))
        self.assertEqual(doc["counts"]["removed"], len(rows2) - 4)
        fixed = [dict(r) for r in rows2[:4]]
        fixed[2]["dep"] = fixed[2]["dep"][:2] + (False,) + fixed[2]["dep"][3:]
        total = self.hh_json("show")["total"]
        self.assertEqual({k: total[k] for k in recount(fixed)}, recount(fixed))

    def no_list_upstream(self, rows):
        """No household id, name or address in any file of the outbox or
        of the aggregator; the register's own store has them."""
        needles = set()
        for r in rows:
            needles.update((r["id"], r["name"], r["address"]))
        needles = [n.encode() for n in needles]
        register = os.path.join(self.coll.data_dir, "households")
        scanned = 0
        for top in (self.coll.data_dir, self.agg.data_dir):
            for d, subdirs, files in os.walk(top):
                if os.path.abspath(d).startswith(os.path.abspath(register)):
                    continue
                for name in files:
                    with open(os.path.join(d, name), "rb") as f:
                        data = f.read()
                    scanned += len(data)
                    for n in needles:
                        self.assertNotIn(n, data, "%s holds %r" % (os.path.join(d, name), n))
        self.assertGreater(scanned, 0)
        with open(os.path.join(register, "data.mdb"), "rb") as f:
            data = f.read()
        self.assertIn(rows[240]["id"].encode(), data)   # the scan would find one
        # Nor in what the aggregator's API gives out of its store: the
        # envelopes' reports, unit by unit.
        for v in self.villages + ["C11"]:
            text = json.dumps(self.agg.rollup(unit=v)).encode()
            self.assertFalse([n for n in needles if n in text], v)

    def test_without_metadata(self):
        """Without metadata the configured hierarchy is the one held, and
        the commune is named with --unit; no store is made by a refusal."""
        net = self.net
        coll = lnobtest.Collector(net, "c11-plain", "C11", extra_conf=(
            "\n[campaign]\nfiles = %s\n\n[hierarchy]\nfile = %s\n"
            % (net.path("campaign.ini"), net.hier_path)))
        rows = [self.new_row(i) for i in range(12)]
        rows[-1]["village"] = self.villages[-1]   # the village that moves, below
        path = self.write_csv("h.csv", rows)

        def run(*args, ok=True):
            return net.cli(coll.cmd("households", "-c", coll.conf, *args), ok=ok)
        for args, words in ((("import", path), "households: no scope known (no metadata "
                             "held): give --unit CODE, the register's commune"),
                            (("import", path, "--unit", "V11-0001"), "households: 'V11-0001' "
                             "has no villages below it: the register is a commune's"),
                            (("import", path, "--unit", "X9"), "households: --unit 'X9' is "
                             "not a unit of the hierarchy"),
                            (("show", "--unit", "C11"), "no register imported yet"),
                            (("frobnicate",), "'frobnicate': not one of import, show, diff, "
                             "report")):
            r = run(*args, ok=False)
            self.assertNotEqual(r.returncode, 0, r.out + r.err)
            self.assertIn(words, r.err)
        self.assertFalse(os.path.exists(os.path.join(coll.data_dir, "households")))
        doc = json.loads(run("import", path, "--unit", "C11", "--json").out)
        self.assertEqual((doc["commune"], doc["households"]), ("C11", 12))
        # Another commune's village is in this hierarchy, not under C11.
        r = run("import", path, "--unit", "C12", ok=False)
        self.assertIn("%s:2: village: '%s' is not under 'C12' (the register's commune) "
                      "(nothing imported)" % (path, rows[0]["village"]), r.err)
        self.assertEqual(json.loads(run("diff", "--json").out)["import"], 1)

        for args, status, words in (
                (("report", "--unit", "C11"), 2, "report: give --campaign C and --period P"),
                (("import", path, "--unit", "C11", "--period", "2023"), 2,
                 "import: --campaign and --period are report's"),
                (("show", "--import", "1"), 2, "show: --import is diff's"),
                (("diff", "--import", "0"), 2, "--import: not an import number"),
                (("diff", "--import", "7"), 1, "households: no import 7 in the register"),
                (("report", "--unit", "C11", "--campaign", "nope", "--period", "2023"), 1,
                 "--campaign 'nope' is not a configured campaign")):
            r = run(*args, ok=False)
            self.assertEqual(r.returncode, status, r.out + r.err)
            self.assertIn(words, r.err)

        # The configured campaign's rules: the villages' counts, the
        # commune's em_poor_households, queued in this outbox.
        rep = json.loads(run("report", "--unit", "C11", "--campaign", CAMPAIGN, "--period",
                             PERIOD, "--json").out)
        self.assertEqual(rep["queued"], len(self.villages) + 1)
        for r in rep["reports"]:
            want = recount(rows, None if r["unit"] == "C11" else r["unit"])
            keys = ("em_poor_households",) if r["unit"] == "C11" else COUNTS
            self.assertEqual(r["values"], {k: want[k] for k in keys}, r["unit"])
        self.assertEqual(coll.status()["queued"], rep["queued"])

        # The hierarchy changes under the register: a village moves to C12.
        moved = self.villages[-1]
        with open(net.hier_path) as f:
            text = f.read()
        with open(net.path("units-2.csv"), "w") as f:
            f.write(text.replace("%s,Village 11-%s,C11," % (moved, moved[-1]),
                                 "%s,Village 11-%s,C12," % (moved, moved[-1])))
        with open(coll.conf) as f:
            conf = f.read()
        with open(coll.conf, "w") as f:
            f.write(conf.replace(net.hier_path, net.path("units-2.csv")))
        first = sorted(r["id"] for r in rows if r["village"] == moved)[0]
        r = run("report", "--unit", "C11", "--campaign", CAMPAIGN, "--period", PERIOD, ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("households report: household '%s': village '%s' is no longer a village "
                      "under 'C11' in the hierarchy held (import the list again) (nothing "
                      "queued)" % (first, moved), r.err)
        self.assertEqual(coll.status()["queued"], rep["queued"])


if __name__ == "__main__":
    lnobtest.main()
