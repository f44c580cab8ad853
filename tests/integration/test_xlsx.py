"""Excel in, Excel out at the collector (README "Reporting templates in
Excel"): `template` writes the reporting workbook of the node's units
(one sheet per reporting level, Vietnamese labels, the ids row, locked
unit cells, whole-number validation, frozen headers); the test fills it
with openpyxl as a clerk would, `submit` imports it, and the aggregator's
figures equal the cells. A bad cell (negative, text, an unknown unit) is
named by sheet and cell, exit 1, and nothing is queued.
"""

import os

import openpyxl

import lnobtest
import test_levels
from lnobtest import CAMPAIGN

# The campaign of the levels test (villages report the counts, every level
# its fund), with Vietnamese labels.
CAMPAIGN_INI = test_levels.CAMPAIGN_INI + """
[labels]
households_total = Tổng số hộ
poor_households  = Số hộ nghèo
fund_vnd         = Quỹ huy động (đồng)
poor_rate        = Tỷ lệ hộ nghèo
"""

VILLAGE_IDS = ["unit", "name", "level", "parent", "households_total", "poor_households",
               "fund_vnd"]
VILLAGE_LABELS = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Đơn vị cấp trên", "Tổng số hộ",
                  "Số hộ nghèo", "Quỹ huy động (đồng)"]
VILLAGES = ["V11-0001", "V11-0002", "V11-0003"]


class XlsxTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        self.coll = net.add_collector("c11-office", "C11", extra_conf=(
            "\n[campaign]\nfiles = %s\n\n[hierarchy]\nfile = %s\n"
            % (net.path("campaign.ini"), net.hier_path)))

    def template(self, out, *extra, ok=True, period="2023"):
        c = self.coll
        return self.net.cli(c.cmd("template", "-c", c.conf, "--period", period, "--out", out,
                                  *extra), ok=ok)

    def check_template(self, path):
        wb = openpyxl.load_workbook(path)
        self.assertEqual(wb.sheetnames, ["commune", "village"])
        self.assertEqual(wb.defined_names["lnob_period"].attr_text, '"2023"')
        self.assertEqual(wb.defined_names["lnob_campaign"].attr_text, '"%s"' % CAMPAIGN)
        ws = wb["village"]
        self.assertIn("kỳ 2023", ws["A1"].value)
        self.assertEqual([c.value for c in ws[2]], VILLAGE_LABELS)
        self.assertEqual([c.value for c in ws[3]], VILLAGE_IDS)
        self.assertEqual([ws.cell(row=r, column=1).value for r in range(4, 7)], VILLAGES)
        self.assertEqual(ws["B4"].value, "Village 11-1")
        self.assertEqual(ws["D4"].value, "C11 Commune 11")
        self.assertIsNone(ws.cell(row=7, column=1).value)
        self.assertEqual(ws.freeze_panes, "C4")
        self.assertTrue(ws.protection.sheet)
        for ref in ("A4", "B4", "C4", "D4", "E3", "A6"):
            self.assertTrue(ws[ref].protection.locked, ref)
        for ref in ("E4", "F5", "G6"):
            self.assertFalse(ws[ref].protection.locked, ref)
        dv = ws.data_validations.dataValidation
        self.assertEqual(len(dv), 1)
        self.assertEqual((dv[0].type, str(dv[0].sqref)), ("whole", "E4:G6"))
        commune = wb["commune"]
        self.assertEqual([c.value for c in commune[3]], VILLAGE_IDS[:4] + ["fund_vnd"])
        self.assertEqual(commune["A4"].value, "C11")
        # Never a derived indicator.
        for w in wb.worksheets:
            self.assertNotIn("poor_rate", [c.value for c in w[3]])
        return wb

    def fill(self, wb, path, edits):
        for sheet, ref, value in edits:
            wb[sheet][ref] = value
        wb.save(path)
        return path

    def submit_fails(self, path, want):
        c = self.coll
        r = self.net.cli(c.cmd("submit", "-c", c.conf, path), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn(want, r.err)
        self.assertIn("nothing queued", r.err)
        self.assertEqual(c.status()["queued"], 0)

    def test_round_trip(self):
        net, agg, coll = self.net, self.agg, self.coll
        out = net.path("bieu-mau-2023.xlsx")
        r = self.template(out, "--unit", "C11")
        self.assertIn("4 units on 2 sheets", r.out)
        self.assertFalse(os.path.exists(out + ".tmp"))
        wb = self.check_template(out)

        good = [("village", "E4", 150), ("village", "F4", 12), ("village", "G4", 2_000_000),
                ("village", "E5", 90), ("village", "G5", 500_000),
                ("commune", "E4", 30_000_000)]
        filled = self.fill(wb, net.path("filled.xlsx"), good)

        for name, edits, want in (
                ("neg", [("village", "F5", -3)],
                 "bad-neg.xlsx: village!F5: poor_households: not a non-negative integer: '-3'"),
                ("text", [("village", "E6", "nhiều")],
                 "bad-text.xlsx: village!E6: households_total: not a non-negative integer: "
                 "'nhiều'"),
                ("frac", [("commune", "E4", 2.5)],
                 "bad-frac.xlsx: commune!E4: fund_vnd: not a non-negative integer: '2.5'"),
                ("unit", [("village", "A5", "V99-0001")],
                 "bad-unit.xlsx: village!A5: unit 'V99-0001' is not in the hierarchy"),
                ("nounit", [("village", "A5", None)], "bad-nounit.xlsx: village!A5: unit: "),
                ("formula", [("village", "F5", "=E5+1")],
                 "bad-formula.xlsx: village!F5: poor_households: a formula without a stored "
                 "result")):
            wb = openpyxl.load_workbook(filled)
            self.submit_fails(self.fill(wb, net.path("bad-%s.xlsx" % name), edits), want)

        r = net.cli(coll.cmd("submit", "-c", coll.conf, "--period", "2022", filled), ok=False)
        self.assertIn("filled.xlsx: the workbook's lnob_period is '2023', --period says '2022'",
                      r.err)
        # Without the template's defined names, --campaign and --period say
        # them; the file, named .bin, is still known by its zip signature.
        wb = openpyxl.load_workbook(filled)
        del wb.defined_names["lnob_campaign"]
        del wb.defined_names["lnob_period"]
        nameless = net.path("nameless.bin")
        wb.save(nameless)
        self.submit_fails(nameless, "nameless.bin: no defined name lnob_campaign: not a "
                          "template written by `lnob-collector template` (give --campaign)")
        r = net.cli(coll.cmd("submit", "-c", coll.conf, "--campaign", CAMPAIGN, "--period",
                             "2023", nameless))
        self.assertIn("queued 3 reports as seq 1..3", r.out)
        agg.start()
        coll.start()
        coll.wait_drained()
        agg.wait_status(lambda s, k: k["stored"] >= 3, "three reports stored")
        self.assertEqual(agg.rollup(unit="V11-0001")["unit"]["sums"],
                         {"households_total": 150, "poor_households": 12, "fund_vnd": 2_000_000})
        # An empty cell is "not reported", never 0.
        self.assertEqual(agg.rollup(unit="V11-0002")["unit"]["sums"],
                         {"households_total": 90, "fund_vnd": 500_000})
        self.assertEqual(agg.rollup(unit="V11-0003")["unit"]["units_reported"], 0)
        c11 = agg.rollup(unit="C11")["unit"]
        self.assertEqual(c11["sums"], {"households_total": 240, "poor_households": 12,
                                       "fund_vnd": 32_500_000})

    def test_template_errors(self):
        net, coll = self.net, self.coll
        out = net.path("t.xlsx")
        r = self.template(out, ok=False, period="2030")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--period '2030' is not a period of campaign", r.err)
        r = self.template(out, "--unit", "X9", ok=False)
        self.assertIn("--unit 'X9' is not in the hierarchy", r.err)
        self.assertFalse(os.path.exists(out))
        r = self.template(net.path("no-such-dir", "t.xlsx"), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("t.xlsx.tmp: cannot create: No such file or directory (no file written)",
                      r.err)
        bare = lnobtest.Collector(net, "bare", "C11")
        r = net.cli(bare.cmd("template", "-c", bare.conf, "--period", "2023", "--out", out),
                    ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("template needs [campaign] files and [hierarchy] file", r.err)
        self.assertFalse(os.path.exists(out))
        # The whole hierarchy without --unit: every village, commune, district, the province.
        self.assertIn("19 units on 4 sheets", self.template(out).out)
        # A CSV renamed .xlsx is no workbook.
        with open(net.path("fake.xlsx"), "w") as f:
            f.write("campaign,period,unit\n")
        r = net.cli(coll.cmd("submit", "-c", coll.conf, net.path("fake.xlsx")), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("fake.xlsx: not an .xlsx workbook", r.err)


if __name__ == "__main__":
    lnobtest.main()
