"""The national tier (README "The national tier", proto THE NATIONAL TIER).

Three provincial aggregators, each with its own collector, forward snapshots
through their national outboxes (an lnob-collector each, one of them behind a
TCP proxy whose link is cut for 30 s) to a national aggregator. Checked
against figures this test computes from the reports it generated:
  - the national rollup of the country equals the sum of the provinces'
    rollups, and each province's and district's national figures equal the
    province's own rollup of that unit (and the provincial aggregator's);
  - SIGKILLs of a provincial aggregator mid-forward (before the outbox
    commits, and after it committed but before anything was sent) lose and
    double nothing: the national history of every unit holds consecutive
    revisions, `verify` passes, the figures converge;
  - a province's key cannot store a snapshot of a unit outside its scope
    (NACK_OUT_OF_SCOPE), nor a PART_SUBTREE one of a unit with units below
    it at the national aggregator (NACK_INVALID).
"""

import json
import os
import random
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault"))

import faultlib                       # noqa: E402
import lnobtest                       # noqa: E402
from lnobtest import wait_until       # noqa: E402

PROVINCES = ("AAA", "BBB", "CCC")
CUT = "CCC"                # its national link is cut
KILLED = "AAA"             # its aggregator is killed mid-forward
CUT_SECONDS = 30
FEED_INTERVAL_S = 1
INDICATORS = lnobtest.INDICATORS
CONVERGE_TIMEOUT = 240

# Every level raises its own fund and reports what it mobilised itself: the
# province's root too (its PART_OWN snapshot), and so the national campaign
# takes it from provinces and districts alike.
PROVINCE_INI = lnobtest.CAMPAIGN_INI.replace("[deadlines]",
                                             "[reported_by]\nfund_vnd = all\n\n[deadlines]")
NATIONAL_INI = PROVINCE_INI.replace(
    "levels        = province, district, commune, village",
    "levels        = country, province, district").replace(
    "district = before 11-20\ncommune  = before 12-01\nvillage  = before 12-05",
    "province = before 12-10\ndistrict = before 12-10") + """
[target aaa-poverty]
source    = the national plan's own target for AAA
units     = AAA
goal      = poverty
indicator = poor_rate
below     = %s
by        = 2023
pace      = end

[target provinces]
source    = the national plan: every other province
levels    = province
goal      = poverty
indicator = poor_rate
below     = %s
by        = 2023
pace      = end
""" % ("12", "9")
NATIONAL_BELOW = {"AAA": 12.0}      # the rest: 9.0
NATIONAL_INI = NATIONAL_INI.replace("utc_offset    = +07:00",
                                    "utc_offset    = +07:00\nbaseline_file = baseline.csv")
# The national file's own baselines: the provinces' at the start of the term.
NATIONAL_BASELINE = "unit,households_total,poor_households\n" + "".join(
    "%s,10000,1500\n" % c for c in PROVINCES)


class RenamedHierarchy(lnobtest.Hierarchy):
    """Rows given outright (code, name, parent, level, kind)."""

    def __init__(self, rows):
        self.rows = list(rows)
        self.parent = {r[0]: r[2] for r in self.rows}
        self.name = {r[0]: r[1] for r in self.rows}
        self.level = {r[0]: r[3] for r in self.rows}
        self.children = {}
        for code, _, parent, _, _ in self.rows:
            self.children.setdefault(parent, []).append(code)


def province_hierarchy(prefix):
    """lnobtest's small province with every code prefixed: P -> AAA,
    D1 -> AAA-D1, ..."""
    base = lnobtest.Hierarchy(villages_per_commune=2)

    def ren(code):
        return "" if not code else prefix if code == "P" else prefix + "-" + code
    return RenamedHierarchy((ren(c), n.replace("Province P", "Province " + prefix), ren(p), lv, k)
                            for c, n, p, lv, k in base.rows)


def national_hierarchy(provinces):
    """VN > the provinces > their districts (the level below each root)."""
    rows = [("VN", "Country", "", "country", "administrative")]
    for code, h in provinces.items():
        rows.append((code, h.name[code], "VN", "province", "administrative"))
        for d in h.children[code]:
            rows.append((d, h.name[d], code, "district", "administrative"))
    return RenamedHierarchy(rows)


def sums_of(view_unit):
    return {k: v for k, v in (view_unit.get("sums") or {}).items()}


def add(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


class Province:
    """One province: its Net, aggregator (with [national]), collector, and
    the national outbox's sender (a Collector of the national Net)."""

    def __init__(self, code, national, rng, proxy=None):
        self.code = code
        self.rng = rng
        self.hier = province_hierarchy(code)
        self.net = lnobtest.Net(hier=self.hier)
        nat_net = national.net
        self.sender = lnobtest.Collector(
            nat_net, "nat-" + code, code, heartbeat_ms=300, dead_after_ms=2000,
            backoff_max_ms=1000, resend_after_ms=3000,
            endpoint=proxy.endpoint if proxy else None)
        national.agg.enroll(self.sender.keys.pub_path, code)
        extra = ("\n[national]\noutbox = %s\nidentity = %s\ninterval_s = %d\n"
                 % (self.sender.data_dir, self.sender.keys.path, FEED_INTERVAL_S))
        self.agg = self.net.add_campaign_aggregator(PROVINCE_INI, extra_conf=extra)
        self.office = self.net.add_collector("office-" + code, code, heartbeat_ms=300)
        self.reports = []        # everything submitted, every revision
        self.revision = {}
        self.batch = 0
        self.nominations = []    # {kind, unit, form} of each nomination made

    def start(self):
        self.agg.start()
        self.office.start()
        self.sender.start()

    def submit_round(self, fraction=1.0):
        """A new revision for a random share of the villages and the root's
        own fund_vnd."""
        villages = [c for c in self.hier.rows if c[3] == "village"]
        chosen = [r[0] for r in villages if self.rng.random() < fraction] or [villages[0][0]]
        batch = []
        for unit in chosen:
            rev = self.revision.get(unit, 0) + 1
            self.revision[unit] = rev
            batch.append({"unit": unit, "revision": rev,
                          "values": lnobtest.make_values(self.rng)})
        rev = self.revision.get(self.code, 0) + 1
        self.revision[self.code] = rev
        batch.append({"unit": self.code, "revision": rev,
                      "values": {"fund_vnd": self.rng.randint(1, 900) * 1_000_000}})
        self.batch += 1
        path = self.net.path("round-%d.csv" % self.batch)
        lnobtest.write_reports_csv(path, batch)
        self.office.submit(path)
        self.reports.extend(batch)
        return len(batch)

    def nominate(self, nid, kind, unit, form):
        """One nomination through `lnob-collector nominate`, with a
        one-document dossier."""
        dossier = []
        for kind_, title in (("proposal", "Tờ trình"), ("council_minutes", "Biên bản họp"),
                             ("achievement_report", "Báo cáo thành tích")):
            doc = self.net.path("%s-%s.txt" % (kind_, nid))
            with open(doc, "w") as f:
                f.write("%s %s\n" % (title, nid))
            dossier.append({"kind": kind_, "title": "%s %s" % (title, nid),
                            "file": os.path.basename(doc)})
            if kind_ == "council_minutes":
                dossier[-1]["vote"] = "9/11 tán thành"
        path = self.net.path("nomination-%s.json" % nid)
        with open(path, "w") as f:
            json.dump({"campaign": lnobtest.CAMPAIGN, "id": nid, "nominee_kind": kind,
                       "nominee_name": "Đơn vị %s" % unit, "unit": unit, "form": form,
                       "occasion": lnobtest.PERIOD, "summary": "Giảm nghèo bền vững",
                       "dossier": dossier}, f, ensure_ascii=False)
        self.net.cli(self.office.cmd("nominate", "-c", self.office.conf, path))
        self.nominations.append({"kind": kind, "unit": unit, "form": form})

    def expected(self):
        """{unit: sums} over the latest revisions, computed here."""
        rolled = lnobtest.expected_rollups(self.hier, self.reports)
        return {u: r["sums"] for u, r in rolled.items()}

    def stop(self):
        self.net.stop_all()


class National:
    def __init__(self, provinces_hier):
        self.hier = national_hierarchy(provinces_hier)
        self.net = lnobtest.Net(hier=self.hier)
        with open(self.net.path("baseline.csv"), "w") as f:
            f.write(NATIONAL_BASELINE)
        self.http = (self.net.host, lnobtest.free_port(self.net.host))
        self.agg = self.net.add_campaign_aggregator(
            NATIONAL_INI, extra_conf="\n[http]\nlisten = %s:%d\n" % self.http)

    def token(self, scope):
        r = self.net.cli(self.agg.cmd("token", "add", "-c", self.agg.conf, "--role", "viewer",
                                      "--scope", scope))
        return r.out.strip()

    def api(self, token, path):
        """(status, document) of GET path with token."""
        req = urllib.request.Request("http://%s:%d%s" % (self.http + (path,)))
        req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def rollup(self, unit):
        return self.agg.rollup(unit=unit)


def mismatches(national, provinces):
    """What the national figures get wrong against the provinces'
    expected ones ([] when everything matches)."""
    bad, total = [], {}
    for code, p in provinces.items():
        exp = p.expected()
        total = add(total, exp[code])
        view = national.rollup(code)
        if sums_of(view["unit"]) != exp[code]:
            bad.append("%s: %r != %r" % (code, sums_of(view["unit"]), exp[code]))
        for row in view["children"]:
            if sums_of(row) != exp[row["code"]]:
                bad.append("%s: %r != %r" % (row["code"], sums_of(row), exp[row["code"]]))
    got = sums_of(national.rollup("VN")["unit"])
    if got != total:
        bad.append("VN: %r != %r" % (got, total))
    return bad


class NationalTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = None
        self.provinces = {}
        self.national = None
        self.proxy = None

    def tearDown(self):
        errors = []
        for p in self.provinces.values():
            try:
                p.stop()
            except AssertionError as e:
                errors.append(str(e))
        if self.proxy:
            self.proxy.close()
        if self.national:
            try:
                self.national.net.stop_all()
            except AssertionError as e:
                errors.append(str(e))
        keep = os.environ.get("LNOB_KEEP_TMP") == "1"
        for p in self.provinces.values():
            if errors or keep:
                sys.stderr.write(p.net.describe() + "\n")
            p.net.cleanup(keep=keep)
        if errors:
            raise AssertionError("\n\n".join(errors))

    def describe(self):
        nets = [p.net for p in self.provinces.values()] + [self.national.net]
        return "\n".join(n.describe() for n in nets)

    # -- checks -----------------------------------------------------------

    def mismatches(self):
        return mismatches(self.national, self.provinces)

    def wait_converged(self, what):
        def ok():
            return not self.mismatches()
        try:
            wait_until(ok, CONVERGE_TIMEOUT, what, self.national.net, interval=0.5)
        except lnobtest.WaitTimeout:
            raise AssertionError("%s: %s\n%s" % (what, self.mismatches(), self.describe()))

    def check_provinces_agree(self):
        """Each province's own rollup is what this test computed: the
        national figures are compared with an independent sum."""
        for code, p in self.provinces.items():
            exp = p.expected()
            view = p.agg.rollup(unit=code)
            self.assertEqual(sums_of(view["unit"]), exp[code], code)

    def check_national_targets(self):
        """The national campaign's own targets, one per province: each
        province's poor rate, recomputed here from the summed counts,
        against its own threshold."""
        rows = {r["code"]: r for r in self.national.rollup("VN")["children"]}
        for code, p in self.provinces.items():
            exp = p.expected()[code]
            rate = 100.0 * exp["poor_households"] / exp["households_total"]
            below = NATIONAL_BELOW.get(code, 9.0)
            t = rows[code]["targets"][0]
            self.assertEqual(t["id"], "aaa-poverty" if code == "AAA" else "provinces", code)
            self.assertEqual(t["verdict"], "MET" if rate < below else "NOT_MET",
                             "%s: rate %.4f, below %s: %r" % (code, rate, below, t))

    def check_snapshot_info(self):
        """The national view shows, beside each province's figures, what
        the province reckoned: its units reported and expected, and its
        children's completeness, as the province's own view says."""
        rows = {r["code"]: r for r in self.national.rollup("VN")["children"]}
        for code, p in self.provinces.items():
            own = p.agg.rollup(unit=code)
            snap = rows[code]["report"]["snapshot"]
            self.assertEqual(snap["part"], "own", code)
            self.assertEqual(snap["units_reported"], own["unit"]["units_reported"], code)
            self.assertEqual(snap["units_expected"], own["unit"]["units_expected"], code)
            kids = own["completeness"]["children"]
            for k in ("expected", "on_time", "late", "missing"):
                self.assertEqual(snap["children_" + k], kids[k], "%s children %s" % (code, k))
            self.check_nominations(code, snap["nominations"], p.nominations)
            for row in self.national.rollup(code)["children"]:
                snap = row["report"]["snapshot"]
                self.assertEqual(snap["part"], "subtree", row["code"])
                self.check_nominations(row["code"], snap["nominations"],
                                       [n for n in p.nominations
                                        if p.hier.in_subtree(row["code"], n["unit"])])

    def check_nominations(self, code, got, made):
        """The nomination counts a snapshot carried: those made below code
        (all of them only proposed), by form and by kind."""
        self.assertEqual(got["count"], len(made), code)
        for by, key in (("by_form", "form"), ("by_kind", "kind")):
            want = {}
            for n in made:
                want[n[key]] = want.get(n[key], 0) + 1
            self.assertEqual(got[by], want, "%s %s" % (code, by))
        self.assertEqual(got["by_stage"], {"proposed": len(made)} if made else {}, code)

    def check_histories(self):
        """Every unit's national history: revisions 1..n, each once."""
        for unit in self.national.hier.parent:
            if unit == "VN":
                continue
            r = self.national.net.cli(self.national.agg.cmd(
                "history", "-c", self.national.agg.conf, "--campaign", lnobtest.CAMPAIGN,
                "--period", lnobtest.PERIOD, "--unit", unit, "--json"), ok=False)
            if r.returncode != 0:
                continue          # a unit with no snapshot
            hist = sorted(json.loads(r.out)["history"], key=lambda e: e["revision"])
            revs = [e["revision"] for e in hist]
            self.assertEqual(revs, list(range(1, len(revs) + 1)),
                             "%s: national revisions %r" % (unit, revs))
            # Queued only on change: a snapshot sent twice would repeat
            # its content under the next revision.
            for a, b in zip(hist, hist[1:]):
                self.assertIn("snapshot", a, unit)
                strip = ("computed_at",)
                ca = (a["values"], {k: v for k, v in a["snapshot"].items() if k not in strip})
                cb = (b["values"], {k: v for k, v in b["snapshot"].items() if k not in strip})
                self.assertNotEqual(ca, cb, "%s: revisions %d and %d carry the same snapshot"
                                    % (unit, a["revision"], b["revision"]))

    # -- the test -----------------------------------------------------------

    def test_three_provinces(self):
        rng = random.Random(1414)
        hiers = {c: province_hierarchy(c) for c in PROVINCES}
        self.national = National(hiers)
        nat = self.national
        self.net = nat.net          # NetTestCase.run() prints its logs on failure
        nat.agg.start()
        self.proxy = faultlib.Proxy(nat.agg.host, nat.agg.host, nat.agg.port)
        for code in PROVINCES:
            self.provinces[code] = Province(code, nat, random.Random(rng.random()),
                                            proxy=self.proxy if code == CUT else None)
        for p in self.provinces.values():
            p.start()
            p.submit_round()
        self.adhoc_reply(self.provinces["AAA"])
        bbb = self.provinces["BBB"]
        bbb.nominate("2023-001", "collective", "BBB-C11", "giay_khen")
        bbb.nominate("2023-002", "individual", "BBB-V12-0001", "giay_khen")
        bbb.nominate("2023-003", "collective", "BBB-C21", "bang_khen_province")
        faultlib.say("first round submitted in three provinces")
        self.wait_converged("the national figures after the first round")
        self.check_provinces_agree()

        # The cut: CCC keeps working, the national view of CCC stays at the
        # figures from before the cut until the link is back.
        before = self.national.rollup(CUT)
        self.proxy.cut()
        cut_at = time.monotonic()
        for p in self.provinces.values():
            p.submit_round(0.5)
        cut = self.provinces[CUT]
        wait_until(lambda: cut.sender.status()["queued"] > 0, 60,
                   "the cut province's national outbox holding snapshots", nat.net)
        others = [c for c in PROVINCES if c != CUT]
        wait_until(lambda: all(sums_of(nat.rollup(c)["unit"]) ==
                               self.provinces[c].expected()[c] for c in others), 120,
                   "the other provinces' figures arriving during the cut", nat.net)
        self.assertEqual(sums_of(nat.rollup(CUT)["unit"]), sums_of(before["unit"]),
                         "the cut province's national figures changed during the cut")
        left = CUT_SECONDS - (time.monotonic() - cut_at)
        if left > 0:
            wait_until(lambda: time.monotonic() - cut_at >= CUT_SECONDS, left + 5,
                       "the cut lasting %d s" % CUT_SECONDS, nat.net)
        self.proxy.restore()
        faultlib.say("link of %s restored after %.0f s" % (CUT, time.monotonic() - cut_at))
        self.wait_converged("the national figures after the cut")

        # SIGKILLs of a provincial aggregator mid-forward.
        if faultlib.fault_injection_built():
            for point in ("national.enqueue_before_commit", "national.after_enqueue"):
                self.kill_mid_forward(point)
                self.wait_converged("the national figures after a SIGKILL at " + point)
        victim = self.provinces[KILLED]
        victim.submit_round(0.7)
        faultlib.kill9(victim.sender.daemon)
        victim.sender.start()
        self.wait_converged("the national figures after the sender's SIGKILL")
        self.check_provinces_agree()
        self.check_snapshot_info()
        self.check_national_targets()
        self.check_histories()
        r = nat.agg.verify()
        self.assertEqual(r.returncode, 0, "national verify:\n%s%s" % (r.out, r.err))

        self.check_scope()
        self.check_api()
        st = self.adhoc.sender.status()
        self.assertEqual(st["parked"], 0, "the national sender parked snapshots: %r" % st)

    def check_api(self):
        """The HTTP API's national view is the CLI's; a province's token
        sees its province and its districts, not another province."""
        nat = self.national
        q = "/api/rollup?campaign=%s&period=%s&unit=%%s" % (lnobtest.CAMPAIGN, lnobtest.PERIOD)
        country = nat.token("VN")
        code, doc = nat.api(country, q % "VN")
        self.assertEqual(code, 200, doc)
        self.assertEqual(lnobtest.strip_generated(doc),
                         lnobtest.strip_generated(nat.rollup("VN")))
        self.assertEqual(sorted(r["code"] for r in doc["children"]), sorted(PROVINCES))
        aaa = nat.token("AAA")
        code, doc = nat.api(aaa, q % "AAA")
        self.assertEqual(code, 200, doc)
        self.assertEqual(sorted(r["code"] for r in doc["children"]),
                         sorted(self.provinces["AAA"].hier.children["AAA"]))
        code, doc = nat.api(aaa, q % "BBB")
        self.assertEqual(code, 403, doc)

    def adhoc_reply(self, p):
        """An ad-hoc request of the province, and a village's reply to it:
        the province's own, never sent upward (its sender parks nothing)."""
        village = p.hier.children[p.hier.children[p.hier.children[p.code][0]][0]][0]
        p.net.cli(p.agg.cmd("request", "add", "-c", p.agg.conf, "--campaign",
                            lnobtest.CAMPAIGN, "--id", "dx-nat-1", "--units", village,
                            "--indicators", "poor_households", "--due", "2026-12-31"))
        # The running daemon takes it within a second (README "Ad-hoc
        # requests"): the reply is sent once it has.
        wait_until(lambda: "metadata: 1 new ad-hoc request(s)" in lnobtest.log_text(p.agg.daemon),
                   30, "the province's daemon taking the request", p.net)
        path = p.net.path("adhoc.csv")
        lnobtest.write_reports_csv(path, [{"unit": village, "revision": 1, "period": "dx-nat-1",
                                           "values": {"poor_households": 3}}],
                                   indicators=("poor_households",))
        p.office.submit(path)
        wait_until(lambda: p.agg.rollup(unit=village, period="dx-nat-1")["unit"]["sums"] ==
                   {"poor_households": 3}, 60, "the reply stored at the province", p.net)
        self.adhoc = p

    def kill_mid_forward(self, point):
        """Province KILLED's aggregator dies by SIGKILL at point while it
        queues the snapshots of a new round, and is started again."""
        p = self.provinces[KILLED]
        p.agg.stop()
        p.agg.start(env={"LNOB_FAULT": point}, ready=False)
        p.submit_round(0.5)
        faultlib.reap_fault(p.agg.daemon, point, p.net)
        faultlib.say("%s's aggregator killed at %s" % (KILLED, point))
        p.agg.start()

    def check_scope(self):
        """A province's key: a snapshot of another province's district is
        refused out_of_scope, one of its own province as PART_SUBTREE
        invalid (VN's national tree has districts below it)."""
        m = lnobtest.pb()
        a = self.provinces["AAA"]
        keys = a.sender.keys
        sk = keys.signing_key()
        with lnobtest.CraftedClient(self.national.net, keys) as cl:
            cl.handshake()
            cases = [("BBB-D1", m.PART_SUBTREE, "out_of_scope"),
                     ("AAA", m.PART_SUBTREE, "invalid"),
                     ("CCC", m.PART_OWN, "out_of_scope")]
            for i, (unit, part, want) in enumerate(cases):
                s = m.Snapshot(campaign=lnobtest.CAMPAIGN, period=lnobtest.PERIOD, unit=unit,
                               part=part, revision=1, base_revision=0,
                               computed_at=int(time.time()))
                s.sums.add(code="poor_households", count=7)
                seq = 10_000_000 + i
                env = lnobtest.sign_envelope(sk, keys.node_id, seq, m.KIND_SNAPSHOT,
                                             s.SerializeToString())
                verdict, ans = cl.send_envelope(env)
                self.assertEqual(verdict, "nack", "%s accepted" % unit)
                self.assertEqual(lnobtest.nack_reason_name(ans.reason), want,
                                 "%s: %s" % (unit, ans.detail))
        self.assertEqual(self.mismatches(), [], "a refused snapshot changed the figures")


if __name__ == "__main__":
    lnobtest.main()
