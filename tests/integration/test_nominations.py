"""Award nominations through the real daemons: a commune's nomination
travels up (district: received, appraised, endorsed; province: received,
decided) with its dossier; a stage signed by a sibling commune is refused
out_of_scope (and parked at that collector); a return with a reason and
the resubmission that revises it keep both histories; bad stages, unknown
nominations and a reused id are refused; `lnob-aggregator nominations`
counts by form, stage and nominee kind per level (JSON), lists one row per
nomination (CSV), and judges eligibility from the verified rollups under a
campaign file's award rules (written here, modelled on seed 004's).

Nominations and stages go through `lnob-collector nominate` / `stage` when
the collector has them (its usage says so); otherwise they are built and
signed here with the harness's crafted client, with the collectors' own
keys (LNOB_NOMINATE_VIA=crafted|cli forces one way)."""

import csv
import hashlib
import io
import json
import os
import subprocess
import time

import lnobtest
from lnobtest import CAMPAIGN, CraftedClient, nack_reason_name, pb, sign_envelope, wait_until

KIND_NOMINATION = 2
KIND_STAGE = 3
INDICATORS = ("households_total", "poor_households")

CAMPAIGN_INI = """\
; Seed 004's award rules (deploy/samples/campaigns/kiengiang.ini) on
; lnobtest's small province.
[campaign]
id            = lnob-2021-2025
name          = Chung tay vì người nghèo (test)
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
utc_offset    = +07:00
levels        = province, district, commune, village
reported_by   = commune         ; here the communes report the counts
baseline_file = baseline.csv

[indicators]
households_total      = count
poor_households       = count
contribution_cash_vnd = amount
contribution_kind_vnd = amount
contribution_vnd      = sum contribution_cash_vnd + contribution_kind_vnd
poor_rate             = rate poor_households / households_total

[period 2022]
kind  = year
start = 2022-01-01
end   = 2022-12-31

[period 2023]
kind  = year
start = 2023-01-01
end   = 2023-12-31

[period midterm-2023]
kind  = midterm
start = 2021-01-01
end   = 2023-06-30

[target poverty]
levels      = province
cascade     = district, commune
goal        = poverty
indicator   = poor_rate
down_points = 0.2

[awards]
sanctions  = reprimand, warning, dismissal
disqualify = reprimand

[award annual-giay-khen]
form         = giay_khen
occasion     = annual
nominees     = collective, individual
achievement  = >= 100%
contribution = contribution_vnd >= 20000000
contribution.individual = contribution_vnd >= 5000000

[award annual-bang-khen]
form         = bang_khen_province
occasion     = annual
nominees     = collective, individual
achievement  = >= 110%
contribution = contribution_vnd >= 100000000
contribution.individual = contribution_vnd >= 20000000
"""

# End of 2020: C11 4.0 % poor, C12 5.0 %. In 2023 (3 years at -0.2 points a
# year: 0.6 points required) C11 is at 3.0 % (1 point: 166 %), C12 at
# 4.875 % (0.125 points: 20 %).
BASELINE = ("unit,households_total,poor_households\n"
            "C11,1000,40\nC12,800,40\nC21,500,50\nC22,500,50\n")
REPORTS = [{"unit": "C11", "revision": 1, "values": {"households_total": 1000, "poor_households": 30}},
           {"unit": "C12", "revision": 1, "values": {"households_total": 800, "poor_households": 39}}]

N1 = "c11/2023-001"     # C11 itself, Bằng khen: up to the province, decided
N2 = "c11/2023-002"     # an individual of V11-0001: returned by the district
N3 = "c11/2023-003"     # its resubmission
N4 = "c12/2023-001"     # C12 itself: rejected by the district
TRICKY_NAME = 'Nguyễn Văn "Ba", thôn 1'   # CSV quoting


def via_cli(collector_bin):
    forced = os.environ.get("LNOB_NOMINATE_VIA")
    if forced:
        return forced == "cli"
    r = subprocess.run([collector_bin], capture_output=True, timeout=30)
    usage = (r.stdout + r.stderr).decode(errors="replace")
    return " nominate -c CONF" in usage and " stage -c CONF" in usage


class NominationsTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        with open(net.path("campaign.ini"), "w") as f:
            f.write(CAMPAIGN_INI)
        with open(net.path("baseline.csv"), "w") as f:
            f.write(BASELINE)
        self.agg = net.add_aggregator(extra_conf="\n[campaign]\nfiles = campaign.ini\n")
        self.cols = {}
        for node, scope in (("c11", "C11"), ("c12", "C12"), ("d1", "D1"), ("prov", "P")):
            self.cols[node] = net.add_collector(node, scope, extra_conf="\n[nominations]\n"
                                                "attach_max_bytes = 65536\n"
                                                if self.__class__.use_cli else "")
        self.docs = net.path("docs")
        os.makedirs(self.docs)
        self.seq = {}

    @classmethod
    def setUpClass(cls):
        cls.use_cli = via_cli(lnobtest.collector_bin())
        print("\nnominations and stages via %s" % ("lnob-collector nominate/stage" if cls.use_cli
                                                  else "the crafted client"), flush=True)

    # -- the two ways in ---------------------------------------------------

    def document(self, name, text):
        path = os.path.join(self.docs, name)
        with open(path, "w") as f:
            f.write(text)
        return name

    def dossier(self, tag):
        return [{"kind": "proposal", "title": "Tờ trình %s" % tag,
                 "file": self.document(tag + "-proposal.txt", "Tờ trình đề nghị khen thưởng %s\n" % tag)},
                {"kind": "council_minutes", "title": "Biên bản họp Hội đồng TĐKT %s" % tag,
                 "file": self.document(tag + "-minutes.txt", "Biên bản %s: 9/11 tán thành\n" % tag),
                 "vote": "9/11 tán thành"},
                {"kind": "achievement_report", "title": "Báo cáo thành tích %s" % tag,
                 "file": self.document(tag + "-report.txt", "Báo cáo thành tích %s\n" % tag * 20)}]

    def crafted_send(self, node, kind, body):
        col = self.cols[node]
        seq = self.seq.get(node, 1000) + 1
        self.seq[node] = seq
        with CraftedClient(self.net, col.keys) as cl:
            cl.handshake()
            return cl.send_envelope(sign_envelope(col.keys.signing_key(), node, seq, kind, body))

    def crafted_nomination(self, d):
        m = pb()
        n = m.Nomination(campaign=d.get("campaign", CAMPAIGN), id=d["id"],
                         nominee_kind=m.NomineeKind.Value("NOMINEE_" + d["nominee_kind"].upper()),
                         nominee_name=d["nominee_name"], unit=d["unit"],
                         form=m.AwardForm.Value("AWARD_" + d["form"].upper()),
                         occasion=d["occasion"], summary=d["summary"], revises=d.get("revises", ""),
                         proposed_at=int(time.time()),
                         contribution_vnd=d.get("contribution_vnd", 0),
                         sanction=d.get("sanction", ""))
        for doc in d["dossier"]:
            with open(os.path.join(self.docs, doc["file"]), "rb") as f:
                data = f.read()
            n.dossier.add(kind=m.DocumentKind.Value("DOCUMENT_" + doc["kind"].upper()),
                          title=doc["title"], sha256=hashlib.sha256(data).digest(),
                          size=len(data), content=data, vote=doc.get("vote", ""))
        return n.SerializeToString()

    def crafted_stage(self, key, kind, reason="", decision_number="", decision_date="",
                      granted="", note=""):
        m = pb()
        s = m.Stage(campaign=CAMPAIGN, nomination=key, kind=m.StageKind.Value("STAGE_" + kind.upper()),
                    reason=reason, decision_number=decision_number, decision_date=decision_date,
                    granted_form=m.AwardForm.Value("AWARD_" + granted.upper()) if granted else 0,
                    at=int(time.time()), note=note)
        return s.SerializeToString()

    def wait_parked(self, node, n):
        col = self.cols[node]
        return wait_until(lambda: (col.drained() and col.status()["parked"] >= n and col.status()),
                          120, "collector %s drained with %d parked" % (node, n), self.net)

    def nominate(self, node, d, expect="ack"):
        """Sends nomination d from node; returns the NACK's (reason, detail)
        or None for an ack."""
        if not self.use_cli:
            kind, ans = self.crafted_send(node, KIND_NOMINATION, self.crafted_nomination(d))
            return self.outcome(kind, ans, expect, d["id"])
        path = os.path.join(self.docs, "nomination-%s-%s.json" % (node, d["id"]))
        d = dict(d)
        d.setdefault("campaign", CAMPAIGN)
        with open(path, "w") as f:
            json.dump(d, f, ensure_ascii=False)
        col = self.cols[node]
        parked = col.status()["parked"]
        self.net.cli(col.cmd("nominate", "-c", col.conf, path))
        return self.cli_outcome(node, parked, expect, d["id"])

    def stage(self, node, key, kind, expect="ack", crafted=False, **kw):
        """crafted: always through the crafted client (what the collector's
        own checks would refuse before it reaches the aggregator)."""
        if crafted or not self.use_cli:
            k, ans = self.crafted_send(node, KIND_STAGE, self.crafted_stage(key, kind, **kw))
            return self.outcome(k, ans, expect, "%s %s" % (key, kind))
        col = self.cols[node]
        argv = col.cmd("stage", "-c", col.conf, "--nomination", key, "--kind", kind,
                       "--campaign", CAMPAIGN)
        for opt, flag in (("reason", "--reason"), ("decision_number", "--decision-number"),
                          ("decision_date", "--decision-date"), ("granted", "--granted"),
                          ("note", "--note")):
            if kw.get(opt):
                argv += [flag, kw[opt]]
        parked = col.status()["parked"]
        self.net.cli(argv)
        return self.cli_outcome(node, parked, expect, "%s %s" % (key, kind))

    def outcome(self, kind, ans, expect, what):
        if expect == "ack":
            self.assertEqual(kind, "ack", "%s: %r" % (what, ans))
            return None
        self.assertEqual(kind, "nack", "%s: expected NACK %s, got %r" % (what, expect, ans))
        self.assertEqual(nack_reason_name(ans.reason), expect, "%s: %r" % (what, ans))
        self.assertFalse(ans.retryable, ans)
        return ans.reason, ans.detail

    def cli_outcome(self, node, parked_before, expect, what):
        col = self.cols[node]
        if expect == "ack":
            st = col.wait_drained()
            self.assertEqual(st["parked"], parked_before, "%s parked: %r" % (what, st))
            return None
        st = self.wait_parked(node, parked_before + 1)
        item = st["parked_items"][-1]
        self.assertEqual(item["reason"], expect, "%s: %r" % (what, item))
        return item["reason"], item["detail"]

    # -- reading the aggregator --------------------------------------------

    def noms(self, *args):
        return json.loads(self.net.cli(self.agg.cmd("nominations", "-c", self.agg.conf,
                                                    "--json", *args)).out)

    def one(self, key):
        return self.noms("--nomination", key)

    @staticmethod
    def counts(group, by):
        return {k: v["count"] for k, v in group[by].items() if v["count"]}

    def check_filters(self, csv_rows):
        """--stage, --form, --holder and --waiting-days: rows and counts
        both follow them; unknown names are errors listing the known ones;
        every row names its holder and how long it has waited."""
        net, agg, hier = self.net, self.agg, self.net.hier
        every = self.noms("--campaign", CAMPAIGN)["nominations"]
        for row in every:
            self.assertEqual(row["holder_name"], hier.name[row["holder"]], row)
            self.assertEqual(row["waiting_days"], 0, row)   # every stage arrived just now
            self.assertEqual(csv_rows[row["key"]]["holder"], row["holder"])
            self.assertEqual(csv_rows[row["key"]]["waiting_days"], "0")
        for stage in ("decided", "returned", "received", "rejected", "proposed"):
            v = self.noms("--campaign", CAMPAIGN, "--stage", stage)
            want = sorted(r["key"] for r in every if r["stage"] == stage)
            self.assertEqual(sorted(r["key"] for r in v["nominations"]), want, stage)
            self.assertEqual(v["total"]["count"], len(want), stage)
            self.assertEqual(v["filters"]["stage"], stage)
        v = self.noms("--campaign", CAMPAIGN, "--form", "bang_khen_province")
        self.assertEqual([r["key"] for r in v["nominations"]], [N1])
        self.assertEqual(self.counts(v["total"], "by_form"), {"bang_khen_province": 1})
        holder = every[0]["holder"]
        v = self.noms("--campaign", CAMPAIGN, "--holder", hier.name[holder].lower())
        self.assertEqual(sorted(r["key"] for r in v["nominations"]),
                         sorted(r["key"] for r in every if r["holder"] == holder))
        v = self.noms("--campaign", CAMPAIGN, "--waiting-days", "1")
        self.assertEqual((v["total"]["count"], v["nominations"]), (0, []))
        r = net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign", CAMPAIGN, "--stage",
                            "sent"), ok=False)
        self.assertEqual(r.returncode, 1, r.err)
        self.assertIn("nominations: --stage 'sent' is not a stage (proposed, received, appraised, "
                      "endorsed, returned, rejected, decided)", r.err)
        r = net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign", CAMPAIGN, "--form",
                            "medal"), ok=False)
        self.assertIn("--form 'medal' is not an award form (giay_khen, ", r.err)
        r = net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign", CAMPAIGN, "--occasion",
                            "2030"), ok=False)
        self.assertIn("--occasion '2030' is not a period of campaign %s (2022, 2023, "
                      "midterm-2023)" % CAMPAIGN, r.err)
        r = net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign", CAMPAIGN,
                            "--waiting-days", "-1"), ok=False)
        self.assertEqual(r.returncode, 2, r.err)

    # -- the test ---------------------------------------------------------------

    def test_nominations(self):
        net, agg, cols = self.net, self.agg, self.cols
        agg.start()
        for c in cols.values():
            c.start()
        path = net.path("reports.csv")
        lnobtest.write_reports_csv(path, REPORTS[:1], INDICATORS)
        cols["c11"].submit(path)
        lnobtest.write_reports_csv(path, REPORTS[1:], INDICATORS)
        cols["c12"].submit(path)
        for c in ("c11", "c12"):
            cols[c].wait_drained()
        self.assertEqual(agg.rollup(unit="C11")["unit"]["sums"],
                         {"households_total": 1000, "poor_households": 30})

        t0 = time.monotonic()
        # N1: C11 for the provincial Bằng khen, up the hierarchy.
        self.nominate("c11", {"id": "2023-001", "nominee_kind": "collective",
                              "nominee_name": "Ủy ban nhân dân xã C11", "unit": "C11",
                              "form": "bang_khen_province", "occasion": "2023",
                              "summary": "Giảm 1 điểm tỷ lệ hộ nghèo", "dossier": self.dossier("n1")})
        self.nominate("c11", {"id": "2023-002", "nominee_kind": "individual",
                              "nominee_name": TRICKY_NAME, "unit": "V11-0001", "form": "giay_khen",
                              "occasion": "2023", "summary": "Đóng góp quỹ vì người nghèo",
                              "contribution_vnd": 30000000, "dossier": self.dossier("n2")})
        self.nominate("c12", {"id": "2023-001", "nominee_kind": "collective",
                              "nominee_name": "Ủy ban nhân dân xã C12", "unit": "C12",
                              "form": "giay_khen", "occasion": "2023", "summary": "C12",
                              "dossier": self.dossier("n4")})
        one = self.one(N1)
        self.assertEqual((one["stage"], one["stages"], one["holder"]), ("proposed", 0, "C11"))

        self.stage("d1", N1, "received")
        # A sibling commune may not touch C11's nomination: out_of_scope,
        # parked at its collector (and refused again as it stands).
        _, detail = self.stage("c12", N1, "appraised", expect="out_of_scope")
        self.assertIn("C11", detail)
        self.stage("d1", N1, "appraised")
        self.stage("d1", N1, "endorsed")
        # Endorsed by the district: the commune cannot decide it (below the
        # holder), the district cannot receive it again (not above itself).
        self.stage("c11", N1, "decided", expect="bad_stage", decision_number="1/QĐ",
                   decision_date="2024-01-15", granted="giay_khen")
        self.stage("d1", N1, "received", expect="bad_stage")
        self.stage("prov", N1, "received")
        # A decision needs its number, date and form.
        self.stage("prov", N1, "decided", expect="invalid", decision_number="1234/QĐ-UBND",
                   crafted=True)
        self.stage("prov", N1, "decided", decision_number="1234/QĐ-UBND",
                   decision_date="2024-01-15", granted="bang_khen_province")
        self.stage("prov", N1, "appraised", expect="bad_stage")      # closed

        # N2: returned with a reason, then resubmitted as N3 revising it.
        self.stage("d1", N2, "received")
        self.stage("d1", N2, "returned", expect="invalid", crafted=True)   # no reason
        self.stage("d1", N2, "returned", reason="Thiếu biên bản họp Hội đồng")
        self.stage("d1", "c11/2023-999", "received", expect="unknown_nomination")
        resub = {"id": "2023-003", "nominee_kind": "individual", "nominee_name": TRICKY_NAME,
                 "unit": "V11-0001", "form": "giay_khen", "occasion": "2023",
                 "summary": "Đóng góp quỹ vì người nghèo (bổ sung biên bản)",
                 "contribution_vnd": 30000000, "revises": N2, "dossier": self.dossier("n3")}
        self.nominate("c11", dict(resub, id="2023-004", revises=N1), expect="bad_stage")
        self.nominate("c11", dict(resub, id="2023-005", revises="c11/2023-404"),
                      expect="unknown_nomination")
        self.nominate("c11", resub)
        self.nominate("c11", dict(resub, id="2023-006"), expect="bad_stage")   # resubmitted already
        self.nominate("c11", dict(resub, summary="another text"), expect="invalid")   # id reused
        self.stage("d1", N3, "received")
        self.stage("d1", N2, "received", expect="bad_stage")         # returned is final

        # N4: rejected by the district.
        self.stage("d1", N4, "received")
        self.stage("d1", N4, "rejected", reason="Chưa đạt chỉ tiêu giảm nghèo")
        print("nominations and stages sent in %.1f s" % (time.monotonic() - t0), flush=True)

        # --nomination: N1's dossier and full history.
        one = self.one(N1)
        self.assertEqual(one["key"], N1)
        self.assertEqual((one["stage"], one["stages"], one["holder"]), ("decided", 5, "P"))
        self.assertEqual([(s["stage"], s["signer"], s["scope"]) for s in one["history"]],
                         [("received", "d1", "D1"), ("appraised", "d1", "D1"),
                          ("endorsed", "d1", "D1"), ("received", "prov", "P"),
                          ("decided", "prov", "P")])
        dec = one["history"][-1]
        self.assertEqual((dec["decision_number"], dec["decision_date"], dec["granted_form"]),
                         ("1234/QĐ-UBND", "2024-01-15", "bang_khen_province"))
        self.assertEqual([d["kind"] for d in one["dossier"]],
                         ["proposal", "council_minutes", "achievement_report"])
        for d, src in zip(one["dossier"], self.dossier("n1")):
            with open(os.path.join(self.docs, src["file"]), "rb") as f:
                data = f.read()
            self.assertEqual((d["title"], d["sha256"], d["size"], d["attached"]),
                             (src["title"], hashlib.sha256(data).hexdigest(), len(data), len(data)))
        self.assertEqual(one["dossier"][1]["vote"], "9/11 tán thành")
        self.assertEqual(one["earlier"], [])
        self.assertEqual(one["eligibility"]["verdict"], "eligible", one["eligibility"])
        self.assertIn("annual-bang-khen", one["eligibility"]["reason"])
        self.assertEqual(one["eligibility"]["highest_form"], "bang_khen_province")

        # The resubmission keeps both histories.
        three = self.one(N3)
        self.assertEqual((three["revises"], three["stage"]), (N2, "received"))
        self.assertEqual([(s["stage"], s["signer"]) for s in three["history"]], [("received", "d1")])
        self.assertEqual(len(three["earlier"]), 1)
        two = three["earlier"][0]
        self.assertEqual((two["key"], two["revised_by"], two["stage"]), (N2, N3, "returned"))
        self.assertEqual([(s["stage"], s["reason"]) for s in two["history"]],
                         [("received", None), ("returned", "Thiếu biên bản họp Hội đồng")])
        self.assertEqual(self.one(N2)["revised_by"], N3)
        # Eligible by the contribution alone (a village has no target).
        self.assertEqual(three["eligibility"]["verdict"], "eligible", three["eligibility"])
        self.assertIn("contribution", three["eligibility"]["reason"])
        four = self.one(N4)
        self.assertEqual(four["eligibility"]["verdict"], "not_eligible", four["eligibility"])
        self.assertEqual(four["history"][-1]["reason"], "Chưa đạt chỉ tiêu giảm nghèo")

        # Per level: counts by form, stage and kind, with the keys behind.
        v = self.noms("--campaign", CAMPAIGN)
        self.assertEqual(v["unit"]["code"], "P")
        self.assertEqual(sorted(r["key"] for r in v["nominations"]), sorted([N1, N2, N3, N4]))
        total = v["total"]
        self.assertEqual(total["count"], 4)
        self.assertEqual(self.counts(total, "by_form"), {"bang_khen_province": 1, "giay_khen": 3})
        self.assertEqual(self.counts(total, "by_stage"),
                         {"decided": 1, "returned": 1, "received": 1, "rejected": 1})
        self.assertEqual(self.counts(total, "by_kind"), {"collective": 2, "individual": 2})
        self.assertEqual(total["by_stage"]["returned"]["nominations"], [N2])
        self.assertEqual(sorted(total["by_form"]["giay_khen"]["nominations"]), [N2, N3, N4])
        levels = {l["level"]: l for l in v["levels"]}
        self.assertEqual(list(levels), ["province", "district", "commune", "village"])
        self.assertEqual((levels["province"]["count"], levels["district"]["count"]), (0, 0))
        self.assertEqual(self.counts(levels["commune"], "by_stage"), {"decided": 1, "rejected": 1})
        self.assertEqual(self.counts(levels["commune"], "by_kind"), {"collective": 2})
        self.assertEqual(self.counts(levels["village"], "by_stage"), {"returned": 1, "received": 1})
        self.assertEqual(sorted(levels["village"]["by_kind"]["individual"]["nominations"]), [N2, N3])
        self.assertEqual({c["code"]: c["count"] for c in v["children"]}, {"D1": 4, "D2": 0})
        rows = {r["key"]: r for r in v["nominations"]}
        self.assertEqual((rows[N1]["eligibility"]["verdict"], rows[N4]["eligibility"]["verdict"]),
                         ("eligible", "not_eligible"))
        self.assertEqual(rows[N1]["current"]["granted_form"], "bang_khen_province")

        d1 = self.noms("--campaign", CAMPAIGN, "--unit", "D1")
        self.assertEqual(d1["total"]["count"], 4)
        self.assertEqual([l["level"] for l in d1["levels"]], ["district", "commune", "village"])
        self.assertEqual({c["code"]: (c["count"], self.counts(c, "by_stage")) for c in d1["children"]},
                         {"C11": (3, {"decided": 1, "returned": 1, "received": 1}),
                          "C12": (1, {"rejected": 1})})
        c12 = self.noms("--campaign", CAMPAIGN, "--unit", "C12")
        self.assertEqual([r["key"] for r in c12["nominations"]], [N4])
        self.assertEqual(self.noms("--campaign", CAMPAIGN, "--occasion", "2022")["total"]["count"], 0)
        self.assertEqual(self.noms("--campaign", CAMPAIGN, "--occasion", "2023")["total"]["count"], 4)

        # CSV: one row per nomination, quoted by libcsv.
        out = net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign", CAMPAIGN, "--csv")).out
        table = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(sorted(r["key"] for r in table), sorted([N1, N2, N3, N4]))
        byk = {r["key"]: r for r in table}
        self.assertEqual(byk[N2]["nominee_name"], TRICKY_NAME)
        self.assertEqual((byk[N2]["stage"], byk[N2]["revised_by"]), ("returned", N3))
        self.assertEqual((byk[N1]["stage"], byk[N1]["granted_form"], byk[N1]["eligibility"]),
                         ("decided", "bang_khen_province", "eligible"))
        self.assertEqual(byk[N4]["eligibility"], "not_eligible")

        self.check_filters(byk)

        # The tables print; bad arguments are usage errors or named.
        text = net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign", CAMPAIGN)).out
        for k in (N1, N2, N3, N4):
            self.assertIn(k, text)
        self.assertRegex(text, r"KEY +NOMINEE +UNIT +FORM +STAGE +HOLDER +DAYS +ELIGIBILITY")
        text = net.cli(agg.cmd("nominations", "-c", agg.conf, "--nomination", N3)).out
        self.assertIn("revises c11/2023-002", text)
        self.assertIn("Thiếu biên bản họp Hội đồng", text)
        r = net.cli(agg.cmd("nominations", "-c", agg.conf, "--nomination", "c11/nope"), ok=False)
        self.assertEqual(r.returncode, 1, r.err)
        r = net.cli(agg.cmd("nominations", "-c", agg.conf, "--json", "--csv", "--campaign", CAMPAIGN),
                    ok=False)
        self.assertEqual(r.returncode, 2, r.err)

        st, k = agg.counters()
        self.assertGreaterEqual(k["rejected_out_of_scope"], 1)
        self.assertGreaterEqual(k["rejected_bad_stage"], 5)
        self.assertGreaterEqual(k["rejected_unknown_nomination"], 2)
        v = agg.verify()
        self.assertEqual(v.returncode, 0, v.out + v.err)


if __name__ == "__main__":
    lnobtest.main()
