"""The HTTP API over real HTTP on loopback (README "HTTP API"): the
aggregator with [http] listen, collectors sending a small province's
commune reports, tokens made with `lnob-aggregator token add`; every
endpoint; no, bad, revoked and expired tokens are 401; out of scope 403; a
viewer on an operator action 403; bad parameters 400 naming the parameter;
the documents equal the CLI's --json on the same store (minus generated_at);
an operator approves a district and accepts an amendment through the API
and the CLI sees it; ETag and If-None-Match give 304."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import lnobtest
from lnobtest import CAMPAIGN, PERIOD, free_port, tcp_accepts, wait_until, write_reports_csv
import test_nominations as tn

REPORTS = tn.REPORTS + [
    {"unit": "C21", "revision": 1, "values": {"households_total": 500, "poor_households": 45}},
    {"unit": "C22", "revision": 1, "values": {"households_total": 500, "poor_households": 40}}]


strip = lnobtest.strip_generated


class ApiTest(lnobtest.NetTestCase):

    def call(self, path, token=None, method="GET", body=None, params=None, headers=None):
        """(status, headers, JSON or text) of one request."""
        url = "http://%s:%d%s" % (self.http_host, self.http_port, path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        ctype = hdrs.get("Content-Type") or ""
        doc = json.loads(raw) if raw and ctype.startswith("application/json") else raw
        return status, hdrs, doc

    def ok(self, path, token, **kw):
        status, _, doc = self.call(path, token, **kw)
        self.assertEqual(status, 200, "%s: %r" % (path, doc))
        return doc

    def err(self, status, path, token, name, needle=None, **kw):
        got, _, doc = self.call(path, token, **kw)
        self.assertEqual(got, status, "%s: %r" % (path, doc))
        self.assertEqual(doc["error"], name, doc)
        self.assertTrue(doc["message"], doc)
        if needle:
            self.assertIn(needle, doc["message"])
        return doc

    def cli(self, *args, ok=True):
        return self.net.cli(self.agg.cmd(*args, "-c", self.agg.conf), ok=ok)

    def cli_json(self, *args):
        return json.loads(self.cli(*args, "--json").out)

    def token(self, role, scope, *extra):
        r = self.cli("token", "add", "--role", role, "--scope", scope, *extra)
        tok = r.out.strip()
        self.assertRegex(tok, r"^lnob_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$")
        return tok

    def setUp(self):
        super().setUp()
        net = self.net
        with open(net.path("campaign.ini"), "w") as f:
            f.write(tn.CAMPAIGN_INI)
        with open(net.path("baseline.csv"), "w") as f:
            f.write(tn.BASELINE)
        self.http_host = net.host
        self.http_port = free_port(net.host)
        self.agg = net.add_aggregator(extra_conf="\n[campaign]\nfiles = campaign.ini\n"
                                      "\n[http]\nlisten = %s:%d\n"
                                      % (self.http_host, self.http_port))
        self.d1 = net.add_collector("d1", "D1")
        self.d2 = net.add_collector("d2", "D2")

    def submit(self, col, reports, name):
        path = self.net.path(name)
        write_reports_csv(path, reports, indicators=tn.INDICATORS)
        col.submit(path)
        col.wait_drained()

    def test_api(self):
        net, agg = self.net, self.agg
        op = self.token("operator", "P", "--name", "province office")
        viewer = self.token("viewer", "P")
        d1view = self.token("viewer", "D1")
        d1op = self.token("operator", "D1")
        revoked = self.token("viewer", "P")
        expired = self.token("viewer", "P", "--expires", "2001-01-01")
        rid = revoked.split("_")[1]
        self.cli("token", "revoke", rid)
        tokens = self.cli_json("token", "list")["tokens"]
        self.assertEqual(len(tokens), 6)
        self.assertNotIn("hash", json.dumps(tokens))
        self.assertTrue([t for t in tokens if t["id"] == rid][0]["revoked"])
        agg.start()
        wait_until(lambda: tcp_accepts(self.http_host, self.http_port), 30,
                   "the HTTP API accepting connections", net)
        self.d1.start()
        self.d2.start()
        self.submit(self.d1, [r for r in REPORTS if r["unit"].startswith("C1")], "d1.csv")
        self.submit(self.d2, [r for r in REPORTS if r["unit"].startswith("C2")], "d2.csv")
        agg.wait_status(lambda st, k: k["stored"] == len(REPORTS), "every report stored")
        self.check_auth(op, viewer, d1view, revoked, expired)
        self.check_views(op, viewer, d1view)
        self.check_errors(op, d1view)
        self.check_stage(op, viewer, d1view)
        self.check_actions(op, viewer, d1op, d1view)
        self.check_requests(op, viewer, d1op, d1view)
        # A revocation beside the running daemon holds at the next request.
        self.ok("/api/whoami", d1view)
        self.cli("token", "revoke", d1view.split("_")[1])
        self.err(401, "/api/whoami", d1view, "unauthorized", "revoked")
        r = agg.verify()
        self.assertEqual(r.returncode, 0, r.out + r.err)
        agg.stop()
        with open(agg.daemon.log_path) as f:
            log = f.read()
        self.assertIn("api: token %s: approved" % op.split("_")[1], log)
        self.assertIn("api: token %s: stage received of d1/2023-100 recorded" % op.split("_")[1],
                      log)

    def check_auth(self, op, viewer, d1view, revoked, expired):
        self.err(401, "/api/whoami", None, "unauthorized")
        self.err(401, "/api/whoami", "lnob_000000000000_" + "A" * 43, "unauthorized")
        self.err(401, "/api/whoami", op[:-1] + ("B" if op[-1] != "B" else "C"), "unauthorized")
        self.err(401, "/api/whoami", revoked, "unauthorized", "revoked")
        self.err(401, "/api/whoami", expired, "unauthorized", "expired")
        me = self.ok("/api/whoami", op)
        self.assertEqual((me["role"], me["scope"]["code"], me["expires"]), ("operator", "P", None))
        me = self.ok("/api/whoami", d1view)
        self.assertEqual((me["role"], me["scope"]["code"]), ("viewer", "D1"))
        # Assets need no token.
        status, hdrs, body = self.call("/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", hdrs["Content-Type"])
        status, _, _ = self.call("/", headers={"If-None-Match": hdrs["ETag"]})
        self.assertEqual(status, 304)
        self.err(404, "/no-such-file.js", None, "not_found")

    def check_views(self, op, viewer, d1view):
        cl = strip(self.cli_json("rollup", "--campaign", CAMPAIGN, "--period", PERIOD))
        self.assertEqual(strip(self.ok("/api/rollup", viewer,
                                       params={"campaign": CAMPAIGN, "period": PERIOD})), cl)
        cl = strip(self.cli_json("rollup", "--campaign", CAMPAIGN, "--period", PERIOD,
                                 "--unit", "D1"))
        # A district token's default unit is its scope.
        self.assertEqual(strip(self.ok("/api/rollup", d1view,
                                       params={"campaign": CAMPAIGN, "period": PERIOD})), cl)
        self.err(403, "/api/rollup", d1view, "forbidden", "unit",
                 params={"campaign": CAMPAIGN, "period": PERIOD, "unit": "D2"})
        # ETag / If-None-Match.
        status, hdrs, _ = self.call("/api/rollup", viewer,
                                    params={"campaign": CAMPAIGN, "period": PERIOD})
        self.assertTrue(hdrs["ETag"])
        status, _, _ = self.call("/api/rollup", viewer, headers={"If-None-Match": hdrs["ETag"]},
                                 params={"campaign": CAMPAIGN, "period": PERIOD})
        self.assertEqual(status, 304)
        cl = strip(self.cli_json("history", "--campaign", CAMPAIGN, "--period", PERIOD,
                                 "--unit", "C11"))
        self.assertEqual(strip(self.ok("/api/history", d1view, params={
            "campaign": CAMPAIGN, "period": PERIOD, "unit": "C11"})), cl)
        self.assertEqual(self.ok("/api/conflicts", viewer), self.cli_json("conflicts"))
        self.assertEqual(strip(self.ok("/api/nominations", viewer, params={"campaign": CAMPAIGN})),
                         strip(self.cli_json("nominations", "--campaign", CAMPAIGN)))
        self.err(404, "/api/nominations/c11/none", viewer, "not_found")
        self.assertEqual(self.ok("/api/amendments", viewer), self.cli_json("amendments"))
        self.assertEqual(self.ok("/api/approvals", viewer), self.cli_json("approvals"))
        self.assertEqual(strip(self.ok("/api/status", viewer)), strip(self.cli_json("status")))
        self.err(403, "/api/status", d1view, "forbidden")
        camps = self.ok("/api/campaigns", viewer)
        self.assertEqual([c["id"] for c in camps], [CAMPAIGN])
        self.assertIn(PERIOD, camps[0]["periods"])
        self.assertEqual(camps[0]["utc_offset"], "+07:00")
        series = self.ok("/api/series", d1view, params={"campaign": CAMPAIGN})
        self.assertEqual(series["unit"], "D1")
        self.assertIn(PERIOD, [p["period"] for p in series["periods"]])
        d1roll = self.cli_json("rollup", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "D1")
        in_period = [p for p in series["periods"] if p["period"] == PERIOD][0]
        self.assertEqual(in_period["values"], d1roll["unit"]["values"])
        self.assertTrue(in_period["values"])
        units = self.ok("/api/units", d1view)["units"]
        self.assertEqual([u["code"] for u in units], ["D1", "C11", "C12"])
        found = self.ok("/api/units", viewer, params={"q": "commune 12"})["units"]
        self.assertEqual(found[0]["code"], "C12")
        self.assertEqual(found[0]["parent_name"], "District 1")
        self.assertEqual(self.ok("/api/units", d1view, params={"q": "C2"})["units"], [])
        one = self.ok("/api/units/C11", d1view)
        self.assertEqual([a["code"] for a in one["ancestors"]], ["D1"])
        self.assertEqual(len(one["children"]), 3)
        self.err(403, "/api/units/C21", d1view, "forbidden")
        self.check_fleet_metrics(viewer, d1view)
        self.check_export(viewer, d1view)

    def check_fleet_metrics(self, viewer, d1view):
        def nodes(doc):
            return sorted((n["id"], n["scope"]) for n in doc["nodes"])
        fleet = self.ok("/api/fleet", viewer)
        self.assertEqual(nodes(fleet), nodes(self.cli_json("fleet")))
        self.assertIn(("d1", "D1"), nodes(fleet))
        d1 = self.ok("/api/fleet", d1view)
        self.assertEqual(nodes(d1), nodes(self.cli_json("fleet", "--unit", "D1")))
        self.assertNotIn(("d2", "D2"), nodes(d1))
        status, hdrs, text = self.call("/metrics", viewer)
        self.assertEqual(status, 200, text)
        self.assertTrue(hdrs["Content-Type"].startswith("text/plain; version=0.0.4"))
        text = text.decode()
        self.assertIn("lnob_ingested_total %d" % len(REPORTS), text)
        self.assertIn('endpoint="/api/rollup"', text)
        self.err(403, "/metrics", d1view, "forbidden", "root")

    def check_export(self, viewer, d1view):
        q = {"campaign": CAMPAIGN, "period": PERIOD, "format": "csv"}
        status, hdrs, body = self.call("/api/export", d1view, params=q)
        self.assertEqual(status, 200, body)
        self.assertTrue(hdrs["Content-Type"].startswith("text/csv"), hdrs["Content-Type"])
        self.assertIn('attachment; filename="lnob-%s-%s-D1' % (CAMPAIGN, PERIOD),
                      hdrs["Content-Disposition"])
        self.assertTrue(body.startswith(b"\xef\xbb\xbf"))
        out = self.net.path("d1.csv")
        self.cli("export", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "D1",
                 "--format", "csv", "--output", out)
        with open(out, "rb") as f:
            self.assertEqual(body, f.read())
        status, hdrs, body = self.call("/api/export", viewer, params=dict(q, format="xlsx"))
        self.assertEqual(status, 200)
        self.assertIn("spreadsheetml", hdrs["Content-Type"])
        self.assertTrue(body.startswith(b"PK"))
        self.err(400, "/api/export", viewer, "bad_request", "format", params=dict(q, format="pdf"))
        self.err(400, "/api/export", viewer, "bad_request", "sheet",
                 params=dict(q, format="xlsx", sheet="late"))
        self.err(403, "/api/export", d1view, "forbidden", params=dict(q, unit="D2"))

    def check_errors(self, op, d1view):
        q = {"campaign": CAMPAIGN, "period": PERIOD}
        self.err(400, "/api/rollup", op, "bad_request", "period", params={"campaign": CAMPAIGN})
        doc = self.err(400, "/api/rollup", op, "bad_request", "campaign",
                       params={"campaign": "nope", "period": PERIOD})
        self.assertIn(CAMPAIGN, doc["message"])       # the known ids
        doc = self.err(400, "/api/rollup", op, "bad_request", "period",
                       params={"campaign": CAMPAIGN, "period": "1999"})
        self.assertIn("2023", doc["message"])
        self.err(400, "/api/rollup", op, "bad_request", "unit", params=dict(q, unit="ZZZ"))
        self.err(400, "/api/rollup", op, "bad_request", "bogus", params=dict(q, bogus="1"))
        self.err(400, "/api/units", op, "bad_request", "limit", params={"limit": "x"})
        self.err(404, "/api/nothing", op, "not_found")
        self.err(405, "/api/rollup", op, "method_not_allowed", method="POST", body={})
        self.err(405, "/api/approve", op, "method_not_allowed")
        status, _, doc = self.call("/api/approve", op, method="POST",
                                   body={"campaign": CAMPAIGN, "x": "y" * 70000})
        self.assertEqual(status, 413, doc)

    def nominate(self):
        """d1 proposes C11 itself (held by D1) with lnob-collector nominate."""
        docs = self.net.path("docs")
        os.makedirs(docs)
        dossier = []
        for kind in ("proposal", "council_minutes", "achievement_report"):
            with open(os.path.join(docs, kind + ".txt"), "w") as f:
                f.write("%s of C11\n" % kind)
            doc = {"kind": kind, "title": "%s C11" % kind, "file": kind + ".txt"}
            if kind == "council_minutes":
                doc["vote"] = "9/11"
            dossier.append(doc)
        nom = {"campaign": CAMPAIGN, "id": "2023-100", "nominee_kind": "collective",
               "nominee_name": "Xã C11", "unit": "C11", "form": "giay_khen",
               "occasion": PERIOD, "summary": "Giảm nghèo bền vững", "dossier": dossier}
        path = os.path.join(docs, "nomination.json")
        with open(path, "w") as f:
            json.dump(nom, f, ensure_ascii=False)
        self.net.cli(self.d1.cmd("nominate", "-c", self.d1.conf, path))
        self.d1.wait_drained()
        return "d1/2023-100"

    def check_stage(self, op, viewer, d1view):
        key = self.nominate()
        one = self.ok("/api/nominations/" + key, d1view)
        self.assertEqual(strip(one), strip(self.cli_json("nominations", "--nomination", key)))
        path = "/api/nominations/%s/stage" % key
        self.err(403, path, viewer, "forbidden", method="POST", body={"stage": "received"})
        self.err(400, path, op, "bad_request", "stage", method="POST", body={"stage": "lost"})
        self.err(400, path, op, "bad_request", "decision_number", method="POST",
                 body={"stage": "decided"})
        self.err(400, path, op, "bad_request", "reason", method="POST",
                 body={"stage": "returned"})
        self.err(400, path, op, "bad_request", "'bogus'", method="POST",
                 body={"stage": "received", "bogus": "x"})
        self.err(404, "/api/nominations/d1/none/stage", op, "not_found", method="POST",
                 body={"stage": "received"})
        got = self.ok(path, op, method="POST", body={"stage": "received", "note": "nhận hồ sơ"})
        self.assertEqual(strip(got), strip(self.cli_json("nominations", "--nomination", key)))
        doc = self.err(409, path, op, "conflict", "bad_stage", method="POST",
                       body={"stage": "received"})
        self.assertTrue(doc["message"].startswith("bad_stage"), doc)
        cl = self.cli_json("nominations", "--nomination", key)
        self.assertIn("nhận hồ sơ", json.dumps(cl, ensure_ascii=False))
        self.assertIn(self.agg.node_id, json.dumps(cl))
        # The filters of `nominations`, as the CLI's.
        for params, argv in (({"stage": "received"}, ["--stage", "received"]),
                             ({"stage": "decided"}, ["--stage", "decided"]),
                             ({"form": "giay_khen", "holder": "P"},
                              ["--form", "giay_khen", "--holder", "P"]),
                             ({"waiting_min_days": "0"}, ["--waiting-days", "0"])):
            got = self.ok("/api/nominations", d1view, params=dict(params, campaign=CAMPAIGN))
            want = self.cli_json("nominations", "--campaign", CAMPAIGN, "--unit", "D1", *argv)
            self.assertEqual(strip(got), strip(want), params)
        self.err(400, "/api/nominations", d1view, "bad_request", "stage",
                 params={"campaign": CAMPAIGN, "stage": "sent"})
        self.err(400, "/api/nominations", d1view, "bad_request", "waiting_min_days",
                 params={"campaign": CAMPAIGN, "waiting_min_days": "-1"})

    def check_requests(self, op, viewer, d1op, d1view):
        """POST /api/requests stores an ad-hoc request as `request add`
        does; GET /api/requests lists them within the token's scope."""
        body = {"campaign": CAMPAIGN, "id": "dx-api", "units": "C11, C21",
                "indicators": "poor_households", "due": "2026-12-31", "note": "nhanh"}
        self.err(403, "/api/requests", viewer, "forbidden", "operator", method="POST", body=body)
        self.err(403, "/api/requests", d1op, "forbidden", "C21", method="POST", body=body)
        self.err(400, "/api/requests", op, "bad_request", "due is required", method="POST",
                 body={k: v for k, v in body.items() if k != "due"})
        self.err(400, "/api/requests", op, "bad_request", "derived", method="POST",
                 body=dict(body, indicators="poor_rate"))
        got = self.ok("/api/requests", op, method="POST", body=body)
        self.assertEqual((got["id"], got["units"], got["expected"], got["reported"]),
                         ("dx-api", ["C11", "C21"], 2, 0), got)
        self.err(409, "/api/requests", op, "conflict", "already", method="POST", body=body)
        listed = self.cli_json("request", "list")
        self.assertEqual([q["id"] for q in listed], ["dx-api"])
        self.assertEqual(strip(self.ok("/api/requests", viewer)), strip({"requests": listed}))
        mine = self.ok("/api/requests", d1view, params={"campaign": CAMPAIGN})["requests"]
        self.assertEqual([(q["units"], q["expected"]) for q in mine], [(["C11"], 1)])
        self.err(400, "/api/requests", viewer, "bad_request", "campaign",
                 params={"campaign": "nope"})
        # The new period is the campaign's, as the CLI sees it.
        periods = [c for c in self.ok("/api/campaigns", viewer)
                   if c["id"] == CAMPAIGN][0]["periods"]
        self.assertEqual(periods[-1], "dx-api")

    def check_actions(self, op, viewer, d1op, d1view):
        body = {"campaign": CAMPAIGN, "period": PERIOD, "unit": "D1", "note": "checked"}
        self.err(403, "/api/approve", viewer, "forbidden", "operator", method="POST", body=body)
        self.err(403, "/api/approve", d1op, "forbidden", "unit", method="POST",
                 body=dict(body, unit="D2"))
        self.err(400, "/api/approve", op, "bad_request", "unit", method="POST",
                 body={"campaign": CAMPAIGN, "period": PERIOD})
        opid = op.split("_")[1]
        done = self.ok("/api/approve", op, method="POST", body=body)
        self.assertEqual(done["by"], "token:" + opid)
        self.err(409, "/api/approve", op, "conflict", method="POST", body=body)
        appr = self.cli_json("approvals")["approvals"]
        self.assertEqual([(a["unit"], a["by"]) for a in appr], [("D1", "token:" + opid)])
        self.assertEqual(self.ok("/api/approvals", d1view), self.cli_json("approvals"))
        # A late revision of C11 waits as an amendment; the API accepts it.
        self.submit(self.d1, [{"unit": "C11", "revision": 2,
                               "values": {"households_total": 1000, "poor_households": 20}}],
                    "late.csv")
        self.agg.wait_status(lambda st, k: k["amended"] == 1, "one amendment held")
        queue = self.ok("/api/amendments", d1view)
        self.assertEqual(queue, self.cli_json("amendments"))
        key = queue["amendments"][0]["key"]
        self.err(403, "/api/amendments/%s/accept" % key, viewer, "forbidden", method="POST",
                 body={})
        self.err(404, "/api/amendments/d1/999/accept", op, "not_found", method="POST", body={})
        self.err(400, "/api/amendments/%s/reject" % key, op, "bad_request", "reason",
                 method="POST", body={})
        self.ok("/api/amendments/%s/accept" % key, d1op, method="POST",
                body={"note": "confirmed by phone"})
        decided = self.cli_json("amendments", "--decided")["amendments"]
        self.assertEqual([(d["key"], d["decision"]["decision"], d["decision"]["by"])
                          for d in decided], [(key, "accepted", "token:" + d1op.split("_")[1])])
        h = self.cli_json("history", "--campaign", CAMPAIGN, "--period", PERIOD, "--unit", "C11")
        self.assertEqual([x["revision"] for x in h["history"] if x["current"]], [2])
        self.err(409, "/api/unapprove", op, "conflict", method="POST",
                 body={"campaign": CAMPAIGN, "period": "2022", "unit": "D1"})
        self.ok("/api/unapprove", op, method="POST",
                body={"campaign": CAMPAIGN, "period": PERIOD, "unit": "D1"})
        self.assertEqual(self.cli_json("approvals")["approvals"], [])


if __name__ == "__main__":
    lnobtest.main()
