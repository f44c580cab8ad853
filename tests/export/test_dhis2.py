"""ADX and DHIS2 dataValueSets: `export --format adx|dhis2` and
`baseline import` (README "Export to ADX and DHIS2", "Baselines from DHIS2").

Real daemons on loopback (lnobtest's small province, two villages per
commune) under test_export's campaign file; the villages report 2023
except V22-0002, and no village of D2 reports the fund. A mapping written
here names every unit, four counts (one with a categoryOptionCombo), a sum
and a rate.

- dataValueSets: every field of every value is checked against the
  figures recomputed here from the reports the test submitted (sums over
  the reporting villages of each subtree, the sum and the rate from them),
  unknown figures left out, never 0; the rate's text is also exactly the
  rollup's value.
- ADX: the export is validated with xmllint against deploy/adx/lnob-adx.xsd,
  its values equal the dataValueSets'; broken copies of it are refused by
  the same schema (so the validation is not vacuous).
- /api/export serves the same files with the aggregator's [export] mapping.
- baseline import: the DHIS2 and the ADX export of every village read back
  into a baseline CSV equal to the reported counts (and the province's row
  their sums), which the campaign then takes (its rollup's change against
  the baseline is 0); hostile inputs are refused with their JSON path or
  ADX line, and nothing is written.
- mapping errors name the file and line; an unmapped unit, --mapping
  without adx/dhis2 and adx/dhis2 without a mapping are refused.
"""

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import lnobtest
from lnobtest import CAMPAIGN, PERIOD
import test_export as te

ADX_NS = "urn:ihe:qrph:adx:2015"
XSD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "adx",
                   "lnob-adx.xsd")
COUNTS = ("households_total", "poor_households", "near_poor_households", "fund_vnd")
DES = {"households_total": ("DeHhTotal01", None), "poor_households": ("DeHhPoor001", "CocPoor0001"),
       "near_poor_households": ("DeHhNearP01", None), "fund_vnd": ("DeFundVnd01", None),
       "poor_near_poor": ("DePnpSum001", None), "poor_rate": ("DePoorRate1", None)}
DATA_SET = "LnobDataSet"
AOC = "HllvX50cXC0"


def org_unit(code):
    return "OU" + code.replace("-", "")


def mapping_text(units, periods=("2022", "2023"), extra=""):
    lines = ["[mapping]", "data_set = " + DATA_SET, "attribute_option_combo = " + AOC,
             "baseline_period = 2023", "", "[org_units]"]
    lines += ["%s = %s" % (u, org_unit(u)) for u in units]
    lines += ["", "[data_elements]"]
    lines += ["%s = %s%s" % (c, de, " " + coc if coc else "") for c, (de, coc) in DES.items()]
    lines += ["", "[periods]"] + ["%s = %s" % (p, p) for p in periods]
    return "\n".join(lines) + "\n" + extra


class Dhis2Test(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=2))
        net, hier = self.net, self.net.hier
        self.villages = [c for c in hier.parent if hier.level[c] == "village"]
        with open(net.path("campaign.ini"), "w") as f:
            f.write(te.CAMPAIGN_INI)
        with open(net.path("baseline.csv"), "w") as f:
            f.write("unit,households_total,poor_households,near_poor_households\n")
            for code in self.villages:
                f.write("%s,1000,150,100\n" % code)
        self.mapping = net.path("mapping.ini")
        with open(self.mapping, "w") as f:
            f.write(mapping_text(list(hier.parent)))
        self.http_port = lnobtest.free_port(net.host)
        self.agg = net.add_aggregator(extra_conf="\n[campaign]\nfiles = campaign.ini\n"
                                      "\n[http]\nlisten = %s:%d\n\n[export]\nmapping = %s\n"
                                      % (net.host, self.http_port, self.mapping))
        self.agg.start()
        col = net.add_collector("prov", "P")
        self.reports = {}
        for i, code in enumerate(self.villages):
            if code != "V22-0002":
                self.reports[code] = te.village_values(code, i)
        lnobtest.write_reports_csv(net.path("reports.csv"),
                                   [{"unit": c, "revision": 1, "values": v}
                                    for c, v in self.reports.items()], te.INDICATORS)
        col.submit(net.path("reports.csv"))
        col.start()
        col.wait_drained()

    # -- helpers ---------------------------------------------------------------

    def cli(self, cmd, *args, ok=True):
        return self.net.cli(self.agg.cmd(cmd, "-c", self.agg.conf, *args), ok=ok)

    def export(self, fmt, *args, ok=True):
        out = self.net.path("%s-%d.out" % (fmt, len(os.listdir(self.net.tmp))))
        r = self.cli("export", "--period", PERIOD, "--format", fmt, "--output", out, *args, ok=ok)
        if not ok:
            return r
        with open(out, "rb") as f:
            return f.read()

    def expected(self, units):
        """{(orgUnit, dataElement, coc): value} recomputed from the reports."""
        want = {}
        for u in units:
            sums = {}
            for v, vals in self.reports.items():
                if self.net.hier.in_subtree(u, v):
                    for c in COUNTS:
                        if c in vals:
                            sums[c] = sums.get(c, 0) + vals[c]
            figs = dict(sums)
            figs["poor_near_poor"] = sums["poor_households"] + sums["near_poor_households"]
            figs["poor_rate"] = 100.0 * sums["poor_households"] / sums["households_total"]
            for c, val in figs.items():
                de, coc = DES[c]
                want[(org_unit(u), de, coc)] = val
        return want

    def check_values(self, values, units):
        """values: [(orgUnit, dataElement, coc, text)] against expected()."""
        want = self.expected(units)
        got = {}
        for ou, de, coc, text in values:
            self.assertRegex(text, r"^-?\d+(\.\d+)?$", "a decimal, no exponent")
            self.assertNotIn((ou, de, coc), got, "one value per unit and data element")
            got[(ou, de, coc)] = text
        self.assertEqual(sorted(got, key=str), sorted(want, key=str),
                         "every known figure, nothing else (D2's fund is unknown: left out)")
        for k, v in want.items():
            if isinstance(v, int):
                self.assertEqual(got[k], str(v), k)
            else:   # the views' rates are rounded to 4 decimals (README "Reading the rollups")
                self.assertEqual(float(got[k]), round(v, 4), k)
                self.assertRegex(got[k], r"^\d+(\.\d{1,4})?$", "its fewest decimals")

    # -- the test ----------------------------------------------------------------

    def test_dhis2(self):
        doc = json.loads(self.export("dhis2", "--mapping", self.mapping))
        self.assertEqual(list(doc), ["dataSet", "dataValues"])
        self.assertEqual(doc["dataSet"], DATA_SET)
        values = []
        for dv in doc["dataValues"]:
            keys = ["dataElement", "period", "orgUnit"] + (
                ["categoryOptionCombo"] if dv["dataElement"] == DES["poor_households"][0] else [])
            self.assertEqual(list(dv), keys + ["attributeOptionCombo", "value"], dv)
            self.assertEqual((dv["period"], dv["attributeOptionCombo"]), (PERIOD, AOC))
            for v in dv.values():
                self.assertIsInstance(v, str, "values as strings, as DHIS2 has them")
            values.append((dv["orgUnit"], dv["dataElement"], dv.get("categoryOptionCombo"),
                           dv["value"]))
        self.check_values(values, ["P", "D1", "D2"])
        self.assertNotIn((org_unit("D2"), DES["fund_vnd"][0]), [(v[0], v[1]) for v in values])
        view = self.agg.rollup("D2")
        rate = [v[3] for v in values if v[:2] == (org_unit("D2"), DES["poor_rate"][0])][0]
        self.assertEqual(float(rate), view["unit"]["values"]["poor_rate"]["value"],
                         "the rollup's figure, not recomputed")

        self.check_adx(doc)
        self.check_api()
        self.check_import()
        self.check_import_errors()
        self.check_mapping_errors()

    def adx_values(self, root):
        out = []
        for g in root.findall("{%s}group" % ADX_NS):
            self.assertEqual((g.get("period"), g.get("dataSet")), ("2023-01-01/P1Y", DATA_SET))
            for dv in g.findall("{%s}dataValue" % ADX_NS):
                out.append((g.get("orgUnit"), dv.get("dataElement"), dv.get("categoryOptionCombo"),
                            dv.get("value")))
        return out

    def xmllint(self, path):
        return subprocess.run(["xmllint", "--noout", "--schema", XSD, path],
                              capture_output=True, text=True, timeout=60)

    def check_adx(self, dhis2_doc):
        data = self.export("adx", "--mapping", self.mapping)
        path = self.net.path("export.adx.xml")
        with open(path, "wb") as f:
            f.write(data)
        r = self.xmllint(path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("validates", r.stderr)
        root = ET.fromstring(data)
        self.assertEqual(root.tag, "{%s}adx" % ADX_NS)
        self.assertRegex(root.get("exported"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        got = self.adx_values(root)
        self.assertEqual(got, [(d["orgUnit"], d["dataElement"], d.get("categoryOptionCombo"),
                                d["value"]) for d in dhis2_doc["dataValues"]],
                         "the same values as dataValueSets, in the same order")
        self.check_values(got, ["P", "D1", "D2"])
        text = data.decode()
        first_group = text[text.index("<group"):text.index("</group>") + len("</group>")]
        broken = {
            "a value that is not a number": re.sub(r'value="\d+"', 'value="many"', text, count=1),
            "a group without dataSet": re.sub(r' dataSet="[^"]*"', "", text, count=1),
            "a DHIS2 period, not ADX's": text.replace('period="2023-01-01/P1Y"', 'period="2023"', 1),
            "a unit twice": text.replace("</group>", "</group>" + first_group, 1),
            "an empty group": re.sub(r"(<group[^>]*>).*?(</group>)", r"\1\2", text, count=1,
                                     flags=re.S),
            "another namespace": text.replace(ADX_NS, "urn:example:other", 1),
            "an unknown attribute": text.replace("<dataValue ", '<dataValue comment="x" ', 1),
            "no exported": re.sub(r' exported="[^"]*"', "", text, count=1),
        }
        for what, bad in broken.items():
            self.assertNotEqual(bad, text, what)
            p = self.net.path("broken.xml")
            with open(p, "w") as f:
                f.write(bad)
            r = self.xmllint(p)
            self.assertNotEqual(r.returncode, 0, "%s validated:\n%s" % (what, bad))
            self.assertIn("fails to validate", r.stderr, what)

    def api(self, token, **q):
        url = "http://%s:%d/api/export?%s" % (self.net.host, self.http_port,
                                             urllib.parse.urlencode(q))
        req = urllib.request.Request(url)
        req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def check_api(self):
        tok = self.cli("token", "add", "--role", "viewer", "--scope", "P").out.strip()
        q = {"campaign": CAMPAIGN, "period": PERIOD}
        status, hdrs, body = self.api(tok, format="dhis2", **q)
        self.assertEqual(status, 200, body)
        self.assertEqual(hdrs["Content-Type"], "application/json")
        self.assertIn('filename="lnob-%s-%s-P.dhis2.json"' % (CAMPAIGN, PERIOD),
                      hdrs["Content-Disposition"])
        self.assertEqual(body, self.export("dhis2"), "the CLI's file ([export] mapping)")
        status, hdrs, body = self.api(tok, format="adx", unit="D1", **q)
        self.assertEqual(status, 200, body)
        self.assertEqual(hdrs["Content-Type"], "application/adx+xml")
        cli = self.export("adx", "--unit", "D1")
        strip = lambda b: re.sub(rb'exported="[^"]*"', b"", b)
        self.assertEqual(strip(body), strip(cli))
        status, _, body = self.api(tok, format="dhis2", level="village", unit="D2", **q)
        self.assertEqual(status, 200, body)

    # -- baseline import ---------------------------------------------------------

    def baseline(self, *args, ok=True):
        return self.cli("baseline", "import", "--mapping", self.mapping, *args, ok=ok)

    def expected_baseline(self, units):
        """{unit: {count: value}} of the reports: the villages', P's their sums."""
        out = {}
        for u in units:
            row = {}
            for v, vals in self.reports.items():
                if self.net.hier.in_subtree(u, v):
                    for c in COUNTS:
                        if c in vals:
                            row[c] = row.get(c, 0) + vals[c]
            if row:
                out[u] = row
        return out

    def read_baseline(self, path):
        with open(path) as f:
            lines = f.read().split("\n")
        self.assertEqual(lines[-1], "")
        head = lines[0].split(",")
        self.assertEqual(head[0], "unit")
        self.assertEqual(head[1:], [c for c in COUNTS], "the imported counts, campaign order")
        out = {}
        for line in lines[1:-1]:
            f = line.split(",")
            out[f[0]] = {c: int(x) for c, x in zip(head[1:], f[1:]) if x != ""}
        return out, [line.split(",")[0] for line in lines[1:-1]]

    def check_import(self):
        units = ["P"] + self.villages
        src = self.net.path("dhis2-villages.json")
        with open(src, "wb") as f:
            f.write(self.export("dhis2", "--level", "village"))
        out = self.net.path("imported.csv")
        r = self.baseline("--period", PERIOD, "--output", out, src)
        got, order = self.read_baseline(out)
        want = self.expected_baseline(units)
        self.assertEqual(got, want)
        self.assertEqual(order, [u for u in self.net.hier.parent if u in want],
                         "rows in the mapping's order")
        n_derived = 2 * len(want)
        self.assertIn("%d units, %d values; %d values of derived indicators skipped"
                      % (len(want), sum(len(v) for v in want.values()), n_derived), r.out)
        # The default period is [mapping] baseline_period (2023 here); ADX reads the same.
        adx = self.net.path("villages.adx.xml")
        with open(adx, "wb") as f:
            f.write(self.export("adx", "--level", "village"))
        r = self.baseline("--output", "-", adx)
        with open(out) as f:
            self.assertEqual(r.out, f.read(), "ADX and dataValueSets: the same baseline")
        # The campaign takes it: against a baseline of the 2023 figures, 2023 changes by 0.
        shutil.copy(out, self.net.path("baseline2.csv"))
        with open(self.net.path("campaign2.ini"), "w") as f:
            f.write(te.CAMPAIGN_INI.replace("baseline_file = baseline.csv",
                                            "baseline_file = baseline2.csv"))
        with open(self.agg.conf) as f:
            conf = f.read().replace("files = campaign.ini", "files = campaign2.ini")
        conf2 = self.net.path("aggregator2.conf")
        with open(conf2, "w") as f:
            f.write(conf)
        here = os.getcwd()
        os.chdir(self.net.tmp)
        try:
            view = json.loads(self.net.cli(self.agg.cmd(
                "rollup", "-c", conf2, "--campaign", CAMPAIGN, "--period", PERIOD,
                "--json")).out)
        finally:
            os.chdir(here)
        vals = view["unit"]["values"]
        self.assertEqual(vals["poor_rate"]["change_baseline"], 0)
        self.assertEqual(vals["poor_near_poor"]["change_baseline"], 0)

    def check_import_errors(self):
        good = json.loads(self.export("dhis2", "--level", "village"))
        dvs = good["dataValues"]
        out = self.net.path("kept.csv")
        with open(out, "w") as f:
            f.write("unit,households_total\nP,1\n")

        def variant(i, **change):
            d = json.loads(json.dumps(good))
            for k, v in change.items():
                if v is None:
                    del d["dataValues"][i][k]
                else:
                    d["dataValues"][i][k] = v
            return json.dumps(d)

        count_i = next(i for i, d in enumerate(dvs) if d["dataElement"] == DES["households_total"][0])
        dup = json.loads(json.dumps(good))
        dup["dataValues"].append(dict(dvs[count_i]))
        last = len(dvs)
        cases = [
            (variant(3, orgUnit="NoSuchUnit"), ["dataValues[3].orgUnit", "NoSuchUnit",
                                                "[org_units]"]),
            (variant(4, dataElement="NoSuchDe"), ["dataValues[4].dataElement", "NoSuchDe"]),
            (variant(5, period="2022"), ["dataValues[5].period", "'2022'", "(2023)"]),
            (variant(6, attributeOptionCombo="OtherAoc"), ["dataValues[6].attributeOptionCombo"]),
            (variant(count_i, value="-5"), ["dataValues[%d].value" % count_i, "'-5'",
                                            "whole number"]),
            (variant(count_i, value="1.5"), ["dataValues[%d].value" % count_i, "'1.5'"]),
            (variant(count_i, value="12abc"), ["dataValues[%d].value" % count_i]),
            (variant(count_i, value="10000000000000000"), ["dataValues[%d].value" % count_i]),
            (variant(count_i, value=1.5), ["dataValues[%d].value" % count_i, "whole number"]),
            (variant(count_i, value=-3), ["dataValues[%d].value" % count_i, "'-3'"]),
            (variant(count_i, value=None), ["dataValues[%d].value" % count_i, "missing"]),
            (variant(count_i, orgUnit=7), ["dataValues[%d].orgUnit" % count_i, "not a string"]),
            (json.dumps(dup), ["dataValues[%d].value" % last, "a second value",
                               "first at dataValues[%d]" % count_i]),
            ('{"dataValues": 5}', ["dataValues", "array"]),
            ('{"dataValues": []}', ["no data value"]),
            ('{"dataValues": [1]}', ["dataValues[0]", "not an object"]),
            ('{"dataValues": [], "dataValues": []}', ["duplicate"]),
            ('{"dataValues": [', [":1:"]),
            ("hello", ["neither"]),
            ('<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY x "5">]>'
             '<adx xmlns="%s" exported="2026-01-01T00:00:00Z"><group orgUnit="OUP" '
             'period="2023-01-01/P1Y" dataSet="%s"><dataValue dataElement="DeHhTotal01" '
             'value="&x;"/></group></adx>' % (ADX_NS, DATA_SET), ["DOCTYPE"]),
            ('<adx xmlns="%s"><group orgUnit="OUP" period="2023-01-01/P1Y" dataSet="Other">'
             '<dataValue dataElement="DeHhTotal01" value="1"/></group></adx>' % ADX_NS,
             ["hostile.in:1: adx/group[1]/@dataSet", "'Other'"]),
            ('<adx xmlns="%s"><group orgUnit="OUP" period="2023-01-01/P1Y" dataSet="%s">'
             '\n<dataValue dataElement="DeHhTotal01" value="1"/>\n<dataValue '
             'dataElement="DeHhTotal01" value="2"/></group></adx>' % (ADX_NS, DATA_SET),
             ["hostile.in:3: adx/group[1]/dataValue[2]/@value", "a second value",
              "(first at line 2)"]),
            ('<adx xmlns="%s"><group orgUnit="OUP" period="2023" dataSet="%s">'
             '<dataValue dataElement="DeHhTotal01" value="1"/></group></adx>' % (ADX_NS, DATA_SET),
             ["hostile.in:1: adx/group[1]/@period", "(2023-01-01/P1Y)"]),
            ('<adx xmlns="%s"><group orgUnit="OUP"' % ADX_NS, ["not well-formed"]),
            ('<adx><group/></adx>', ["root", ADX_NS]),
            ('<adx xmlns="%s">\n<period/></adx>' % ADX_NS,
             ["hostile.in:2: adx: unexpected element <period> (expected <group>)"]),
            ('<adx xmlns="%s"><group orgUnit="OUP" period="2023-01-01/P1Y" dataSet="%s">'
             '<dataValue dataElement="DeHhTotal01" value="7.5"/></group></adx>'
             % (ADX_NS, DATA_SET), ["hostile.in:1: adx/group[1]/dataValue[1]/@value", "'7.5'"]),
        ]
        for text, words in cases:
            src = self.net.path("hostile.in")
            with open(src, "w") as f:
                f.write(text)
            r = self.baseline("--period", PERIOD, "--output", out, src, ok=False)
            self.assertEqual(r.returncode, 1, text[:200])
            for w in words:
                self.assertIn(w, r.err, "%s: %s" % (text[:200], r.err))
            self.assertIn("hostile.in", r.err)
            with open(out) as f:
                self.assertEqual(f.read(), "unit,households_total\nP,1\n", "nothing written")
        self.assertEqual([n for n in os.listdir(self.net.tmp) if n.startswith("kept.csv.")], [],
                         "no temporary left")
        r = self.baseline("--period", "2023W05", "--output", out, src, ok=False)
        self.assertIn("2023W05", r.err)

    # -- mapping errors ------------------------------------------------------------

    def check_mapping_errors(self):
        units = list(self.net.hier.parent)
        cases = [
            (mapping_text(units, extra="[indicators]\nx = y\n"), ["unknown section [indicators]"]),
            (mapping_text(units, periods=("2023W01",)), ["[periods] 2023W01", "DHIS2 period"]),
            (mapping_text(units).replace("D2 = OUD2", "D2 = OUD1"),
             ["[org_units] D2", "'OUD1' is already D1's"]),
            (mapping_text(units).replace("poor_rate =", "hunger_rate ="),
             ["[data_elements] hunger_rate", "not an indicator of campaign " + CAMPAIGN]),
            (mapping_text(units + ["ZZ9"]), ["[org_units] ZZ9", "not a unit of the hierarchy"]),
            (mapping_text(units).replace("data_set = %s\n" % DATA_SET, ""),
             ["[mapping] data_set: missing"]),
            (mapping_text(units).replace("P = OUP", "P = OU P!"), ["[org_units] P",
                                                                  "not an identifier"]),
            (mapping_text(units).replace("P = OUP", "P = OUP\nP = OUP2"), ["given twice"]),
        ]
        d = self.net.path("bad")
        os.makedirs(d)
        for text, words in cases:
            m = self.net.path("badmap.ini")
            with open(m, "w") as f:
                f.write(text)
            for fmt in ("adx", "dhis2"):
                r = self.cli("export", "--period", PERIOD, "--format", fmt, "--mapping", m,
                             "--output", os.path.join(d, "x"), ok=False)
                self.assertEqual(r.returncode, 1, r.err)
                self.assertRegex(r.err, r"badmap\.ini(:\d+)?: ")
                for w in words:
                    self.assertIn(w, r.err)
            self.assertEqual(os.listdir(d), [])
        # A unit of the export without an orgUnit.
        m = self.net.path("partial.ini")
        with open(m, "w") as f:
            f.write(mapping_text(["P", "D1", "D2", "C11", "C12", "C21"]))
        r = self.cli("export", "--period", PERIOD, "--format", "dhis2", "--mapping", m,
                     "--level", "commune", "--output", os.path.join(d, "x"), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("[org_units] has no orgUnit for unit 'C22'", r.err)
        self.assertIn("partial.ini", r.err)
        # A period the mapping does not name.
        with open(m, "w") as f:
            f.write(mapping_text(units, periods=("2022",)))
        r = self.cli("export", "--period", PERIOD, "--format", "adx", "--mapping", m,
                     "--output", os.path.join(d, "x"), ok=False)
        self.assertIn("[periods] has no DHIS2 period for period '2023'", r.err)
        self.assertEqual(os.listdir(d), [])
        r = self.cli("export", "--period", PERIOD, "--format", "csv", "--mapping", self.mapping,
                     ok=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--mapping goes with --format adx or dhis2", r.err)
        # Without [export] mapping: adx and dhis2 need --mapping.
        with open(self.agg.conf) as f:
            conf = f.read()
        bare = self.net.path("bare.conf")
        with open(bare, "w") as f:
            f.write(conf.replace("[export]\nmapping = %s\n" % self.mapping, ""))
        for fmt in ("adx", "dhis2"):
            r = self.net.cli(self.agg.cmd("export", "-c", bare, "--period", PERIOD, "--format",
                                          fmt), ok=False)
            self.assertEqual(r.returncode, 2)
            self.assertIn("needs a DHIS2 mapping: --mapping FILE or [export] mapping", r.err)
        r = self.net.cli(self.agg.cmd("baseline", "import", "-c", bare, "--output", "-",
                                      self.mapping), ok=False)
        self.assertEqual(r.returncode, 2)
        # [export] mapping relative to the configuration's directory, not the current one.
        rel = self.net.path("rel.conf")
        with open(rel, "w") as f:
            f.write(conf.replace("mapping = %s" % self.mapping, "mapping = mapping.ini"))
        here = os.getcwd()
        os.chdir("/")
        try:
            r = self.net.cli(self.agg.cmd("export", "-c", rel, "--period", PERIOD, "--format",
                                          "dhis2", "--output", "-"))
        finally:
            os.chdir(here)
        self.assertEqual(r.out.encode(), self.export("dhis2", "--mapping", self.mapping))
        # A broken [export] mapping stops `run` (and `run -n`) before anything starts.
        badconf = self.net.path("badmap.conf")
        with open(badconf, "w") as f:
            f.write(conf.replace("mapping = %s" % self.mapping, "mapping = %s" % m))
        with open(m, "w") as f:
            f.write(mapping_text(units + ["ZZ9"]))
        r = self.net.cli(self.agg.cmd("run", "-c", badconf, "-n"), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("[export] mapping: %s:" % m, r.err)
        self.assertIn("ZZ9: not a unit of the hierarchy", r.err)


if __name__ == "__main__":
    lnobtest.main()
