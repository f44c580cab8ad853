"""`lnob-aggregator export`: the summary a provincial office sends upward.

Real daemons on loopback (lnobtest's small province P > D1, D2 > C11 C12 |
C21 C22 > two villages each) under a campaign file written here with
Vietnamese labels, village deadlines and targets of three forms (below, any_of, down_percent). The
villages report 2023 except V22-0002 (missing); V11-0002 completed its
report after the deadline (late); no village of D2 reports the fund (an
absent figure). One nomination is proposed for C11.

Then the export, as xlsx and csv, is checked against the rollup's own
`--json` for the same units (figures read from the JSON, never written
here): every count, derived value with its changes and coverage, every
target's achievement and verdict, the completeness counts; the sheet names
and Vietnamese headers; empty cells where the rollup has null; the late and
missing units and the nominations sheets; the CSV's BOM, CRLF and figures;
and bad inputs exit non-zero with a message, leaving no file.
"""

import csv
import datetime
import io
import json
import os

import openpyxl

import lnobtest
from lnobtest import CAMPAIGN, PERIOD

INDICATORS = ("households_total", "poor_households", "near_poor_households", "fund_vnd")
OFFSET = datetime.timedelta(hours=7)

CAMPAIGN_INI = """\
[campaign]
id            = lnob-2021-2025
name          = Vì người nghèo – Không để ai bị bỏ lại phía sau (thử)
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
utc_offset    = +07:00
levels        = province, district, commune, village
reported_by   = village
baseline_file = baseline.csv

[indicators]
households_total     = count
poor_households      = count
near_poor_households = count
fund_vnd             = amount
poor_near_poor       = sum poor_households + near_poor_households
poor_rate            = rate poor_households / households_total

[labels]
households_total     = Tổng số hộ
poor_households      = Số hộ nghèo
near_poor_households = Số hộ cận nghèo
fund_vnd             = Quỹ "Vì người nghèo" (đồng)
poor_near_poor       = Quy mô hộ nghèo và cận nghèo
poor_rate            = Tỷ lệ hộ nghèo

[deadlines]
village = before 12-05

[period 2022]
kind  = year
start = 2022-01-01
end   = 2022-12-31

[period 2023]
kind  = year
start = 2023-01-01
end   = 2023-12-31

[target province-poverty]
levels      = province
goal        = poverty
indicator   = poor_rate
below       = 7

[target districts]
levels = district
goal   = poverty
any_of = rate-2-points, halve-poor-near-poor

[target communes]
levels       = commune
goal         = poverty
indicator    = poor_near_poor
down_percent = 40

[target rate-2-points]
indicator   = poor_rate
down_points = 2

[target halve-poor-near-poor]
indicator    = poor_near_poor
down_percent = 50
"""

SHEETS = ["Tổng hợp", "Chậm, chưa báo cáo", "Khen thưởng"]


def village_values(code, i):
    v = {"households_total": 1000 + 10 * i, "poor_households": 60 + i,
         "near_poor_households": 80 - i, "fund_vnd": 1000000 * (i + 1)}
    if code.startswith("V2"):
        del v["fund_vnd"]
    return v


class ExportTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=2))
        net, hier = self.net, self.net.hier
        self.villages = [c for c in hier.parent if hier.level[c] == "village"]
        with open(net.path("campaign.ini"), "w") as f:
            f.write(CAMPAIGN_INI)
        with open(net.path("baseline.csv"), "w") as f:
            f.write("unit,households_total,poor_households,near_poor_households\n")
            for code in self.villages:
                f.write("%s,1000,150,100\n" % code)
        self.agg = net.add_aggregator(extra_conf="\n[campaign]\nfiles = campaign.ini\n")
        self.agg.start()
        col = net.add_collector("prov", "P")
        reports = []
        for i, code in enumerate(self.villages):
            if code == "V22-0002":
                continue
            r = {"unit": code, "revision": 1, "values": village_values(code, i)}
            if code == "V11-0002":
                r["completed_at"] = "2023-12-10T09:00:00+07:00"
            reports.append(r)
        lnobtest.write_reports_csv(net.path("reports.csv"), reports, INDICATORS)
        col.submit(net.path("reports.csv"))
        self.nominate(col)
        col.start()
        col.wait_drained()

    def nominate(self, col):
        docs = self.net.path("docs")
        os.makedirs(docs)
        dossier = []
        for kind, title in (("proposal", "Tờ trình"), ("council_minutes", "Biên bản họp"),
                            ("achievement_report", "Báo cáo thành tích")):
            with open(os.path.join(docs, kind + ".txt"), "w") as f:
                f.write("%s của xã C11\n" % title)
            dossier.append({"kind": kind, "title": title, "file": kind + ".txt"})
        dossier[1]["vote"] = "9/11"
        nom = {"campaign": CAMPAIGN, "id": "2023-001", "nominee_kind": "collective",
               "nominee_name": "Ủy ban nhân dân xã C11", "unit": "C11", "form": "giay_khen",
               "occasion": PERIOD, "summary": "Giảm quy mô hộ nghèo",
               "dossier": dossier}
        path = os.path.join(docs, "nomination.json")
        with open(path, "w") as f:
            json.dump(nom, f, ensure_ascii=False)
        self.net.cli(col.cmd("nominate", "-c", col.conf, path))

    # -- running the command ---------------------------------------------------

    def export(self, *args, ok=True, cwd=None):
        argv = self.agg.cmd("export", "-c", self.agg.conf) + list(args)
        if "--period" not in args:
            argv += ["--period", PERIOD]
        if cwd is None:
            return self.net.cli(argv, ok=ok)
        here = os.getcwd()
        os.chdir(cwd)
        try:
            return self.net.cli(argv, ok=ok)
        finally:
            os.chdir(here)

    def rollup(self, unit):
        return self.agg.rollup(unit=unit)

    # -- expectations, read from the rollup's JSON --------------------------

    def expected_row(self, code):
        """{column id: value} of unit code from its own rollup --json."""
        view = self.rollup(code)
        u = view["unit"]
        row = {"code": u["code"], "name": u["name"], "level": u["level"],
               "parent": self.net.hier.parent[code] or None,
               "units_reported": u["units_reported"]}
        row["parent_name"] = self.net.hier.name.get(row["parent"]) if row["parent"] else None
        for ind in view["indicators"]:
            c, v = ind["code"], u["values"].get(ind["code"], {})
            if ind["kind"] in ("count", "amount"):
                row[c] = u["sums"].get(c)
                continue
            row[c] = v["value"]
            row[c + ".change_baseline"] = v["change_baseline"]
            row[c + ".change_previous"] = v["change_previous"]
            row[c + ".reported"] = v["coverage"]["reported"]
            row[c + ".expected"] = v["coverage"]["expected"]
        for t in u["targets"]:
            g = "target." + t["goal"]
            row[g + ".achievement_pct"] = t["achievement_pct"]
            verdict = t["verdict"]
            if t["basis"] == "comparable":
                verdict += " on %d of %d units" % (t["coverage"]["reported"],
                                                   t["coverage"]["expected"])
            row[g + ".verdict"] = verdict
        counts = dict.fromkeys(("expected", "on_time", "late", "missing", "pending"), 0)
        for g in view["completeness"]["levels"]:
            for k in counts:
                counts[k] += g[k]
        own = (u["report"] or {}).get("status")
        row["report_status"] = own
        if own in counts:
            counts["expected"] += 1
            counts[own] += 1
        self.assertEqual(counts["expected"], u["units_expected"], code)
        row.update(counts)
        return view, row

    def kinds(self, view):
        return {i["code"]: i["kind"] for i in view["indicators"]}

    # -- checks --------------------------------------------------------------

    def check_rows(self, rows, codes, percent_scale):
        """rows: [{column id: cell value}] of the summary in order; codes the
        units expected in it. percent_scale: what a percent value was
        multiplied by (1/100 in xlsx, 1 in csv)."""
        self.assertEqual([r["code"] for r in rows], codes)
        for got in rows:
            view, exp = self.expected_row(got["code"])
            kinds = self.kinds(view)
            for k, v in exp.items():
                g = got.get(k, "<no column>")
                base = k.split(".")[0]
                what = "%s %s" % (got["code"], k)
                if v is None:
                    self.assertIn(g, (None, ""), what + ": absent must be an empty cell")
                elif isinstance(v, str):
                    self.assertEqual(g, v, what)
                elif (kinds.get(base) == "rate" and k == base) or k.endswith("achievement_pct"):
                    self.assertAlmostEqual(float(g), v * percent_scale, places=9, msg=what)
                else:
                    self.assertAlmostEqual(float(g), v, places=9, msg=what)
            for t in view["unit"]["targets"]:
                self.assertTrue(got["target." + t["goal"]].startswith(t["id"] + ": "), got)

    def read_xlsx(self, path):
        wb = openpyxl.load_workbook(path)
        self.assertEqual(wb.sheetnames, SHEETS)
        return wb

    def sheet_rows(self, ws, ids):
        out = []
        for r in ws.iter_rows(min_row=2, values_only=True):
            out.append(dict(zip(ids, r)))
        return out

    def column_ids(self, headers, view):
        """The column ids behind the Vietnamese headers, by the labels."""
        labels = {i["code"]: i["label"] for i in view["indicators"]}
        self.assertEqual(headers[:6], ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên",
                                       "Tên đơn vị cấp trên", "Số đơn vị đã báo cáo"])
        ids = ["code", "name", "level", "parent", "parent_name", "units_reported"]
        by_head = {}
        for i in view["indicators"]:
            c, lab = i["code"], labels[i["code"]]
            if i["kind"] in ("count", "amount"):
                by_head[lab] = c
                continue
            by_head[lab + (" (%)" if i["kind"] == "rate" else "")] = c
            pts = " (điểm %)" if i["kind"] == "rate" else ""
            by_head[lab + " – thay đổi so với đầu kỳ" + pts] = c + ".change_baseline"
            by_head[lab + " – thay đổi so với kỳ trước" + pts] = c + ".change_previous"
            by_head[lab + " – số đơn vị có số liệu"] = c + ".reported"
            by_head[lab + " – số đơn vị phải báo cáo"] = c + ".expected"
        tail = {"Tình trạng báo cáo của đơn vị": "report_status",
                "Số đơn vị phải nộp báo cáo": "expected", "Nộp đúng hạn": "on_time",
                "Nộp trễ hạn": "late", "Chưa nộp (quá hạn)": "missing", "Chưa đến hạn": "pending"}
        by_head.update(tail)
        for h in headers[6:]:
            if h.startswith("Mục tiêu "):
                goal, _, what = h[len("Mục tiêu "):].partition(" – ")
                ids.append("target.%s%s" % (goal, {"yêu cầu": "", "mức đạt (%)": ".achievement_pct",
                                                    "đánh giá": ".verdict"}[what]))
            else:
                self.assertIn(h, by_head, "a header of the campaign's labels")
                ids.append(by_head[h])
        for lab in labels.values():
            self.assertTrue(any(h.startswith(lab) for h in headers), lab)
        return ids

    def check_xlsx(self, path, codes):
        wb = self.read_xlsx(path)
        ws = wb[SHEETS[0]]
        headers = [c.value for c in ws[1]]
        view = self.rollup(codes[0])
        ids = self.column_ids(headers, view)
        self.assertTrue(ws.cell(1, 1).font.bold)
        self.assertEqual(ws.freeze_panes, "C2")
        rows = self.sheet_rows(ws, ids)
        self.check_rows(rows, codes, 0.01)
        fmt = dict(zip(ids, (c.number_format for c in ws[2])))
        self.assertEqual(fmt["households_total"], "#,##0")
        self.assertEqual(fmt["poor_rate"], "0.00%")
        self.assertIsInstance(rows[0]["households_total"], int)
        return wb, ids, rows

    def test_export(self):
        net = self.net
        out = net.path("out")
        os.makedirs(out)
        path = os.path.join(out, "p.xlsx")
        r = self.export("--format", "xlsx", "--output", path)
        self.assertIn(path, r.out)
        wb, ids, rows = self.check_xlsx(path, ["P", "D1", "D2"])
        d2 = rows[2]
        self.assertIsNone(d2["fund_vnd"], "no village of D2 reported the fund: an empty cell")
        self.assertIsNone(d2["poor_rate.change_previous"], "no 2022 figures: an empty cell")
        self.assertEqual((d2["missing"], rows[1]["late"]), (1, 1))
        self.check_late(wb[SHEETS[1]], self.rollup("P"))
        self.check_nominations(wb[SHEETS[2]])

        # A level in a subtree: the unit itself, then each commune of D2.
        path = os.path.join(out, "d2.xlsx")
        self.export("--unit", "D2", "--level", "commune", "--format", "xlsx", "--output", path)
        self.check_xlsx(path, ["D2", "C21", "C22"])
        self.check_csv(ids)
        self.check_default_name()
        self.check_errors()

    def check_late(self, ws, view):
        heads = [c.value for c in ws[1]]
        self.assertEqual(heads, ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên",
                                 "Tên đơn vị cấp trên", "Cấp", "Hạn nộp: trễ từ (UTC+07:00)",
                                 "Hoàn thành lúc (UTC+07:00)", "Nhận được lúc (UTC+07:00)",
                                 "Tình trạng"])
        got = [r for r in ws.iter_rows(min_row=2, values_only=True)]
        want = []
        for g in view["completeness"]["levels"]:
            for lst, status in (("late_units", "late"), ("missing_units", "missing")):
                for u in g[lst]:
                    want.append((u["code"], status, u["late_from"], u.get("completed_at"),
                                 u.get("received_at")))
        self.assertEqual(len(want), 2)
        self.assertEqual([(r[0], r[8]) for r in got], [(w[0], w[1]) for w in want])
        for r, w in zip(got, want):
            self.assertEqual(r[2], self.net.hier.parent[w[0]])
            for cell, t in zip(r[5:8], w[2:5]):
                if t is None:
                    self.assertIsNone(cell)
                else:
                    local = datetime.datetime.fromtimestamp(t, datetime.timezone.utc) + OFFSET
                    self.assertEqual(cell, local.replace(tzinfo=None))

    def check_nominations(self, ws):
        noms = json.loads(self.net.cli(self.agg.cmd(
            "nominations", "-c", self.agg.conf, "--campaign", CAMPAIGN, "--occasion", PERIOD,
            "--json")).out)["nominations"]
        self.assertEqual(len(noms), 1)
        heads = [c.value for c in ws[1]]
        self.assertEqual(heads[:3], ["Mã hồ sơ", "Đối tượng đề nghị", "Loại đối tượng"])
        got = [dict(zip(heads, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
        self.assertEqual([(g["Mã hồ sơ"], g["Đối tượng đề nghị"], g["Mã đơn vị"],
                           g["Hình thức khen thưởng"], g["Giai đoạn"], g["Đơn vị đang giữ hồ sơ"])
                          for g in got],
                         [(n["key"], n["nominee_name"], n["unit"], n["form"], n["stage"],
                           n["holder"]) for n in noms])

    def check_csv(self, ids):
        path = self.net.path("out", "p.csv")
        self.export("--format", "csv", "--output", path)
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM")
        self.assertIn(b"\r\n", data)
        self.assertNotIn(b"\n", data.replace(b"\r\n", b""), "CRLF line ends only")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        wb = openpyxl.load_workbook(self.net.path("out", "p.xlsx"))
        self.assertEqual(rows[0], [c.value for c in wb[SHEETS[0]][1]], "the same headers")
        got = [dict(zip(ids, r)) for r in rows[1:]]
        self.check_rows(got, ["P", "D1", "D2"], 1)
        r = self.export("--format", "csv", "--output", "-")
        self.assertEqual(r.out, data.decode("utf-8"), "--output -: the same on standard output")
        roll = self.net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign", CAMPAIGN,
                                         "--period", PERIOD, "--csv"))
        self.assertEqual(roll.out, r.out, "rollup --csv: the export's summary of the unit")
        bad = self.net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign", CAMPAIGN,
                                        "--period", PERIOD, "--cluster", "x", "--csv"), ok=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--csv and --cluster", bad.err)
        late = self.net.path("out", "late.csv")
        self.export("--format", "csv", "--sheet", "late", "--output", late)
        with open(late, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0][0], "Mã đơn vị")
        self.assertEqual(sorted(r[8] for r in rows[1:]), ["late", "missing"])
        missing = [r for r in rows[1:] if r[8] == "missing"][0]
        self.assertEqual(missing[6:8], ["", ""], "a missing unit: no times, empty fields")
        self.assertTrue(missing[5].endswith("+07:00"), missing)

    def check_default_name(self):
        d = self.net.path("cwd")
        os.makedirs(d)
        self.export("--format", "csv", "--sheet", "nominations", cwd=d)
        self.export("--format", "xlsx", "--unit", "district 1", cwd=d)   # a name, any case
        self.assertEqual(sorted(os.listdir(d)),
                         ["lnob-%s-%s-D1.xlsx" % (CAMPAIGN, PERIOD),
                          "lnob-%s-%s-P-nominations.csv" % (CAMPAIGN, PERIOD)])

    def check_errors(self):
        d = self.net.path("bad")
        os.makedirs(d)
        target = os.path.join(d, "x.xlsx")
        cases = [(["--period", "2030"], ["2030", "2022, 2023"]),
                 (["--level", "hamlet"], ["hamlet", "province, district, commune, village"]),
                 (["--campaign", "nope"], ["nope", CAMPAIGN]),
                 (["--unit", "ZZZ"], ["ZZZ"]),
                 (["--unit", "D1", "--level", "province"], ["province", "D1"]),
                 (["--format", "pdf"], ["pdf"])]
        for extra, words in cases:
            args = extra + ([] if "--format" in extra else ["--format", "xlsx"])
            args += ["--output", target]
            r = self.export(*args, ok=False)
            self.assertNotEqual(r.returncode, 0, extra)
            for w in words:
                self.assertIn(w, r.err, "%s: %s" % (extra, r.err))
            self.assertEqual(os.listdir(d), [], "%s left a file" % extra)
        r = self.export("--format", "xlsx", "--output", os.path.join(d, "no", "x.xlsx"), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot write", r.err)
        self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    lnobtest.main()
