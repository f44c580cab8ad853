"""A hierarchy that changes over time (README "Hierarchy versions"): the
2025 merger modelled on the sample province (deploy/samples/province,
campaign daknong.ini).

Two communes of Gia Nghĩa are merged (GNG-02 into GNG-01, renamed) and
the district of Tuy Đức (TDU) is abolished: its communes move under Đắk
Song (DSO), its first one directly under the province. A real aggregator
and collectors on 127.0.0.x report 2023 and 2024 (on the first version),
the new version is imported valid from 2025-07-01, and 2025 is reported
on it. Checked, each expected figure computed here from the reports this
test generated and the sample's baseline file:
  - the 2023 rollups are byte for byte what they were before the import;
  - 2025 is rolled up on the new tree (GNG-01 holds GNG-02's villages,
    DSO the moved communes, the province no TDU);
  - across the merge the successor's baseline is the sum of its
    predecessors' rows and its previous-period figures the sum of its
    predecessors' 2024 figures;
  - a 2025 report for a unit gone is refused not_in_period_hierarchy, one
    from a key scoped to the merged commune out_of_scope, both named;
  - the daemon refuses the old file once a version is imported, the
    import refuses a change list that does not explain the trees (file
    and line), `hierarchy list` shows both versions, `verify` passes.
"""

import csv
import json
import os
import random
import re

import lnobtest
from lnobtest import CAMPAIGN, wait_until

SAMPLES = os.path.join(lnobtest.SOURCE_DIR, "deploy", "samples")
UNITS = os.path.join(SAMPLES, "province", "units.csv")
BASELINE = os.path.join(SAMPLES, "province", "baseline.csv")
INI = os.path.join(SAMPLES, "campaigns", "daknong.ini")
INDICATORS = ("households_total", "poor_households", "fund_vnd")
VALID_FROM = "2025-07-01"
SUCCESSOR, MERGED, GONE, HOST, NEW_NAME = "GNG-01", "GNG-02", "TDU", "DSO", "Phường Gia Nghĩa"


def read_units(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_units(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("code", "name", "parent_code", "level", "kind"))
        for u in rows:
            w.writerow((u["code"], u["name"], u["parent_code"], u["level"], u["kind"]))


def new_tree(old):
    """The 2025 tree and its change list, from the sample's."""
    gone_communes = [u["code"] for u in old if u["parent_code"] == GONE]
    rows, changes = [], [("merged", MERGED, SUCCESSOR), ("renamed", SUCCESSOR, ""),
                         ("abolished", GONE, "")]
    for u in old:
        u = dict(u)
        if u["code"] in (MERGED, GONE):
            continue
        if u["code"] == SUCCESSOR:
            u["name"] = NEW_NAME
        if u["parent_code"] == MERGED:
            u["parent_code"] = SUCCESSOR            # follows the merger: no line
        if u["code"] in gone_communes:
            u["parent_code"] = "DNO" if u["code"] == gone_communes[0] else HOST
            changes.append(("moved", u["code"], u["parent_code"]))
        rows.append(u)
    return rows, changes


def tree_index(rows):
    parent = {u["code"]: u["parent_code"] for u in rows}
    kids = {}
    for u in rows:
        kids.setdefault(u["parent_code"], []).append(u["code"])
    return parent, kids


def subtree(kids, code):
    out, todo = [], [code]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(kids.get(c, []))
    return out


def rollup_of(kids, code, reports):
    """Sums and units_reported of code's subtree from reports {unit: values}."""
    sums, n = {}, 0
    for c in subtree(kids, code):
        if c in reports:
            n += 1
            for k, v in reports[c].items():
                sums[k] = sums.get(k, 0) + v
    return sums, n


class HierVersionsTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        with open(UNITS, encoding="utf-8") as f:
            units = f.read()
        with open(net.hier_path, "w", encoding="utf-8") as f:
            f.write(units)
        with open(INI, encoding="utf-8") as f:
            ini = f.read()
        ini = re.sub(r"(?m)^baseline_file\s*=.*$", "baseline_file = " + BASELINE, ini)
        self.agg = net.add_campaign_aggregator(ini)
        self.old = read_units(UNITS)
        self.new, self.changes = new_tree(self.old)
        self.rng = random.Random(2025)
        with open(BASELINE, newline="", encoding="utf-8") as f:
            self.baseline = {r["unit"]: r for r in csv.DictReader(f)}

    # -- reports ----------------------------------------------------------

    def reporters(self, rows):
        """The villages of the merged communes and of DSO and TDU (every one,
        so that their figures are on the full basis), and one elsewhere."""
        parent, kids = tree_index(rows)
        want = set()
        for root in (SUCCESSOR, MERGED, HOST, GONE):
            if root in parent:
                want.update(c for c in subtree(kids, root)
                            if not kids.get(c) and c != root)
        want.add("KNO-01-01")
        return sorted(want)

    def make(self, period, units, funds=()):
        reports = {}
        for u in units:
            reports[u] = {"households_total": self.rng.randint(100, 900),
                          "poor_households": self.rng.randint(0, 60),
                          "fund_vnd": self.rng.randint(1, 90) * 1_000_000}
        for u in funds:                      # a commune's own fund (reported_by all)
            reports[u] = {"fund_vnd": self.rng.randint(1, 90) * 1_000_000}
        return reports

    def write(self, name, period, reports):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, [
            {"unit": u, "revision": 1, "period": period, "values": v,
             "completed_at": "%s-11-28T10:00:00+07:00" % period}
            for u, v in sorted(reports.items())], indicators=INDICATORS)
        return path

    def rollup_raw(self, period, unit, ok=True):
        agg = self.agg
        return self.net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", CAMPAIGN,
                                    "--period", period, "--unit", unit, "--json"), ok=ok)

    def rollup(self, period, unit):
        return json.loads(self.rollup_raw(period, unit).out)

    @staticmethod
    def stable(text):
        """A view's text without its generated_at (the moment it was built)."""
        return re.sub(r'"generated_at": [0-9]+', '"generated_at": 0', text)

    def wait_stored(self, n):
        return self.agg.wait_status(lambda s, k: k["stored"] >= n, "%d reports stored" % n,
                                    timeout=120)

    # -- the checks ---------------------------------------------------------

    def check_import_refusals(self, new_path):
        net, agg = self.net, self.agg
        bad = net.path("changes-bad.csv")
        with open(bad, "w") as f:                     # TDU's abolition left out
            f.write("change,code,other\n")
            for c in self.changes:
                if c[0] != "abolished":
                    f.write(",".join(c) + "\n")
        r = net.cli(agg.cmd("hierarchy", "import", "-c", agg.conf, new_path, "--valid-from",
                            VALID_FROM, "--changes", bad), ok=False)
        line = next(i for i, u in enumerate(self.old, start=2) if u["code"] == GONE)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s:%d: %s is not in the new hierarchy and %s has no line for it"
                      % (net.hier_path, line, GONE, bad), r.err)
        with open(bad, "w") as f:                     # a line that is not true
            f.write("change,code,other\nmerged,GNG-03,GNG-01\n")
        r = net.cli(agg.cmd("hierarchy", "import", "-c", agg.conf, new_path, "--valid-from",
                            VALID_FROM, "--changes", bad), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s:2: merged GNG-03: still in the new hierarchy" % bad, r.err)
        lst = json.loads(net.cli(agg.cmd("hierarchy", "list", "-c", agg.conf, "--json")).out)
        self.assertEqual(lst["versions"], [], "a refused import stores nothing")

    def import_version(self):
        net, agg = self.net, self.agg
        new_path = net.path("units-2025.csv")
        write_units(new_path, self.new)
        ch = net.path("changes-2025.csv")
        with open(ch, "w", encoding="utf-8") as f:
            f.write("change,code,other\n")
            for c in self.changes:
                f.write(",".join(c) + "\n")
        r = net.cli(agg.cmd("hierarchy", "import", "-c", agg.conf, new_path, "--valid-from",
                            VALID_FROM, "--changes", ch), ok=False)
        self.assertEqual(r.returncode, 1, "refused while the daemon runs: " + r.out + r.err)
        self.assertIn("stop the daemon first", r.err)
        agg.stop()
        self.check_import_refusals(new_path)
        net.cli(agg.cmd("hierarchy", "import", "-c", agg.conf, new_path, "--valid-from",
                        VALID_FROM, "--changes", ch))
        # The configured file is no longer the latest version: refused.
        r = net.cli(agg.cmd("run", "-c", agg.conf, "-n"), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s: not the hierarchy's latest version (valid from %s"
                      % (net.hier_path, VALID_FROM), r.err)
        with open(agg.conf) as f:
            conf = f.read()
        with open(agg.conf, "w") as f:
            f.write(conf.replace("file = %s\n" % net.hier_path, "file = %s\n" % new_path))
        lst = json.loads(net.cli(agg.cmd("hierarchy", "list", "-c", agg.conf, "--json")).out)
        got = [(v.get("valid_from"), v["units"], v["changes"]) for v in lst["versions"]]
        self.assertEqual(got, [(None, len(self.old), 0),
                               (VALID_FROM, len(self.new), len(self.changes))])
        agg.start()

    def base(self, code, ind):
        return int(self.baseline[code][ind])

    def check_2025(self, r24, r25):
        parent, kids = tree_index(self.new)
        # The successor: GNG-02's villages under it, its sums theirs and its own.
        v = self.rollup("2025", SUCCESSOR)
        self.assertEqual(v["unit"]["name"], NEW_NAME)
        want_kids = sorted(kids[SUCCESSOR])
        self.assertEqual(sorted(k["code"] for k in v["children"]), want_kids)
        sums, n = rollup_of(kids, SUCCESSOR, r25)
        self.assertEqual((v["unit"]["sums"], v["unit"]["units_reported"]), (sums, n))
        # Across the merge: the baseline is the predecessors' rows summed,
        # the previous period their 2024 figures summed.
        old_parent, old_kids = tree_index(self.old)
        for ind in ("households_total", "poor_households"):
            val = v["unit"]["values"][ind]
            self.assertEqual(val["basis"], "full", val)
            self.assertEqual(val["baseline"], self.base(SUCCESSOR, ind) + self.base(MERGED, ind))
            prev = sum(r24[c][ind] for c in subtree(old_kids, SUCCESSOR) + subtree(old_kids, MERGED)
                       if c in r24 and ind in r24[c])
            self.assertEqual(val["previous"], prev)
            self.assertEqual(val["change_previous"], sums[ind] - prev)
        prev_n = sum(1 for c in subtree(old_kids, SUCCESSOR) + subtree(old_kids, MERGED)
                     if c in r24)
        self.assertEqual(v["unit"]["previous_units_reported"], prev_n)
        # The host district: the moved communes in, baseline their rows and its own.
        d = self.rollup("2025", HOST)
        self.assertEqual(sorted(k["code"] for k in d["children"]), sorted(kids[HOST]))
        sums, n = rollup_of(kids, HOST, r25)
        self.assertEqual((d["unit"]["sums"], d["unit"]["units_reported"]), (sums, n))
        for ind in ("households_total", "poor_households"):
            self.assertEqual(d["unit"]["values"][ind]["baseline"],
                             sum(self.base(c, ind) for c in kids[HOST]))
        # The province: no TDU; every sum is still the whole province's.
        p = self.rollup("2025", "DNO")
        self.assertEqual(sorted(k["code"] for k in p["children"]), sorted(kids["DNO"]))
        sums, n = rollup_of(kids, "DNO", r25)
        self.assertEqual((p["unit"]["sums"], p["unit"]["units_reported"]), (sums, n))
        r = self.rollup_raw("2025", GONE, ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unit '%s' is not in the hierarchy version valid for period 2025 "
                      "(from %s): abolished" % (GONE, VALID_FROM), r.err)

    def test_merger_2025(self):
        net, agg = self.net, self.agg
        prov = net.add_collector("dno-office", "DNO")
        merged_key = net.add_collector("gng02-office", MERGED)
        r23 = self.make("2023", self.reporters(self.old), funds=(SUCCESSOR, MERGED))
        r24 = self.make("2024", self.reporters(self.old), funds=(SUCCESSOR, MERGED))
        prov.submit(self.write("r2023.csv", "2023", r23), self.write("r2024.csv", "2024", r24))
        agg.start()
        prov.start()
        prov.wait_drained()
        self.wait_stored(len(r23) + len(r24))
        views = ("DNO", "GNG", SUCCESSOR, MERGED, GONE, HOST)
        before = {u: self.stable(self.rollup_raw("2023", u).out) for u in views}
        old_parent, old_kids = tree_index(self.old)
        sums, n = rollup_of(old_kids, MERGED, r23)
        got = json.loads(before[MERGED])["unit"]
        self.assertEqual((got["sums"], got["units_reported"]), (sums, n))

        self.import_version()
        after = {u: self.stable(self.rollup_raw("2023", u).out) for u in views}
        for u in views:
            self.assertEqual(after[u], before[u], "2023 view of %s changed by the import" % u)
        # The merged commune is still named for 2023: its history, its export.
        hist = json.loads(net.cli(agg.cmd("history", "-c", agg.conf, "--campaign", CAMPAIGN,
                                          "--period", "2023", "--unit", MERGED, "--json")).out)
        self.assertEqual(hist["unit"], MERGED, hist)
        csv_out = net.cli(agg.cmd("export", "-c", agg.conf, "--campaign", CAMPAIGN, "--period",
                                  "2023", "--unit", MERGED, "--format", "csv",
                                  "--output", "-")).out
        self.assertIn(MERGED, csv_out)
        show = json.loads(net.cli(agg.cmd("hierarchy", "show", "-c", agg.conf, VALID_FROM,
                                          "--json")).out)["versions"][0]
        self.assertEqual([(l["change"], l["code"], l["other"]) for l in show["lines"]],
                         [tuple(c) for c in self.changes])

        r25 = self.make("2025", self.reporters(self.new), funds=(SUCCESSOR,))
        refused = {GONE: {"fund_vnd": 5_000_000}}
        prov.submit(self.write("r2025.csv", "2025", r25), self.write("gone.csv", "2025", refused))
        scoped = {MERGED + "-01": {"households_total": 10, "poor_households": 1,
                                   "fund_vnd": 1_000_000}}
        merged_key.submit(self.write("scoped.csv", "2025", scoped))
        merged_key.start()

        def parked(c):
            def cond():
                s = c.status()
                return s["queued"] == 0 and s["in_flight"] == 0 and s["parked"] == 1 and s
            return cond

        st = wait_until(parked(prov), 120, "dno-office: one report parked", net)
        item = st["parked_items"][0]
        self.assertEqual(item["reason"], "not_in_period_hierarchy", item)
        self.assertIn("unit '%s' is not in the hierarchy version valid for period 2025 (from %s)"
                      ": abolished" % (GONE, VALID_FROM), item["detail"])
        st = wait_until(parked(merged_key), 120, "gng02-office: its 2025 report parked", net)
        item = st["parked_items"][0]
        self.assertEqual(item["reason"], "out_of_scope", item)
        self.assertIn("the signer's scope '%s' is not in the hierarchy version valid for period "
                      "2025 (from %s): merged into %s" % (MERGED, VALID_FROM, SUCCESSOR),
                      item["detail"])
        self.wait_stored(len(r23) + len(r24) + len(r25))
        self.check_2025(r24, r25)
        for u in views:
            self.assertEqual(self.stable(self.rollup_raw("2023", u).out), before[u])
        # The merged commune's 2023 figures can still be approved.
        r = net.cli(agg.cmd("approve", "-c", agg.conf, "--campaign", CAMPAIGN, "--period",
                            "2023", "--unit", MERGED, "--by", "chief"))
        self.assertIn(MERGED, r.out)
        r = net.cli(agg.cmd("approve", "-c", agg.conf, "--campaign", CAMPAIGN, "--period",
                            "2025", "--unit", MERGED, "--by", "chief"), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        # The fleet is of the latest version: a node scoped to a unit gone is
        # not under any of its units (README "Hierarchy versions").
        fleet = json.loads(net.cli(agg.cmd("fleet", "-c", agg.conf, "--json")).out)
        self.assertEqual([n["id"] for n in fleet["nodes"]], ["dno-office"], fleet)
        self.assertEqual(fleet["rejected"]["not_in_period_hierarchy"], 1, fleet)
        r = agg.verify()
        self.assertEqual(r.returncode, 0, r.out + r.err)


if __name__ == "__main__":
    lnobtest.main()
