"""The dashboard in a real browser (README "Dashboard"): Debian's chromium,
headless, driven by python3-selenium through chromium-driver.

A real aggregator with [http] on a free 127.0.0.1 port holds a known
dataset: the sample province (deploy/samples/province), the Đắk Nông
campaign file and the demo's 2021-2023 reports (deploy/samples/reports/
generate.py: some villages late, two communes of Đắk Glong and six whole
districts missing in 2023), sent by a collector. A viewer token made with
`lnob-aggregator token add` is handed to the page in the URL fragment.

The test navigates to a district through the tree and to another through
search (its name typed without diacritics), and asserts that the verdicts,
coverage, progress, indicator values and late and missing units the page
shows are those of `rollup --json` for that district (read from the JSON,
never written here), that the API serves the same document, that a late
unit's name leads to that unit, that the English switch relabels the page,
that nothing scrolls sideways at 390 px, and that the print stylesheet gives
an A4 page. It keeps screenshots (desktop 1366x900, phone 390x844) and the
printed PDF under the build tree (LNOB_SCREENSHOT_DIR) and prints their
paths, the page weight (bytes of every resource) and the time to first
render (first-contentful-paint, navigation timing).

Every wait is bounded (WebDriverWait); the browser, the driver and every
daemon are stopped by pid. Without chromium or its driver the test fails
saying so: nothing is skipped.
"""

import base64
import datetime
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import ROUND_HALF_UP, Decimal

import browserlib
import lnobtest
from lnobtest import CAMPAIGN, free_port, tcp_accepts, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "deploy", "samples")
PROVINCE = os.path.join(SAMPLES, "province")
DAKNONG = os.path.join(SAMPLES, "campaigns", "daknong.ini")
WEB = os.path.join(HERE, "..", "..", "aggregator", "web")
PERIOD = "2023"
REQUEST = "dx-browser-1"        # the ad-hoc request the operator makes
WAIT = 30                       # seconds for any one condition in the page
VERDICT_EN = {"MET": "Met", "NOT_MET": "Not met", "NOT_DUE": "Not due", "NO_DATA": "No data",
              "INCOMPLETE": "Incomplete data"}


class SampleProvince:
    """The sample province's units.csv, as lnobtest.Net wants a hierarchy."""

    def __init__(self):
        import csv
        with open(os.path.join(PROVINCE, "units.csv"), newline="", encoding="utf-8") as f:
            self.rows = list(csv.DictReader(f))
        self.name = {r["code"]: r["name"] for r in self.rows}

    def write(self, path):
        with open(os.path.join(PROVINCE, "units.csv"), "rb") as f, open(path, "wb") as g:
            g.write(f.read())


def vi_num(v, digits=0):
    """v formatted as the page formats it (vi-VN: '.' groups, ',' decimals)."""
    if v is None:
        return "–"
    q = Decimal(v).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    s = "{:,.{d}f}".format(abs(q), d=digits).replace(",", "\x00").replace(".", ",")
    return ("-" if q < 0 else "") + s.replace("\x00", ".")


def fmt_value(kind, v):
    if v is None:
        return "–"
    if kind == "rate":
        return vi_num(v, 2) + " %"
    return vi_num(v, 0 if float(v).is_integer() else 2)


strip = lnobtest.strip_generated


class DashboardTest(browserlib.BrowserMixin, lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=SampleProvince())
        self.hier = self.net.hier
        net = self.net
        reports = net.path("reports")
        subprocess.run(["/usr/bin/python3", os.path.join(SAMPLES, "reports", "generate.py"),
                        reports], check=True, capture_output=True, timeout=120)
        self.http_host = net.host
        self.http_port = free_port(net.host)
        self.agg = net.add_aggregator(
            extra_conf="\n[campaign]\nfiles = %s\nclock_skew_s = 900\n\n[http]\nlisten = %s:%d\n"
            % (DAKNONG, self.http_host, self.http_port))
        r = net.cli(self.agg.cmd("token", "add", "--help"), ok=False)
        if r.returncode != 0:
            raise AssertionError("%s has no `token add` (no HTTP API): %s"
                                 % (self.agg.bin, (r.out + r.err).strip()[:300]))
        r = net.cli(self.agg.cmd("token", "add", "-c", self.agg.conf, "--role", "viewer",
                                 "--scope", "DNO", "--name", "browser test"))
        self.token = r.out.strip()
        self.assertRegex(self.token, r"^lnob_[0-9a-f]+_[A-Za-z0-9_-]+$", "token add printed the token")
        r = net.cli(self.agg.cmd("token", "add", "-c", self.agg.conf, "--role", "operator",
                                 "--scope", "DGL", "--name", "district office"))
        self.op_token = r.out.strip()
        self.agg.start()
        wait_until(lambda: tcp_accepts(self.http_host, self.http_port), 30,
                   "the aggregator's HTTP server accepting connections", net)
        col = net.add_collector("dno", "DNO")
        col.submit(*sorted(os.path.join(reports, n) for n in os.listdir(reports)))
        col.start()
        col.wait_drained(timeout=300)
        self.col = col
        self.shots = browserlib.shots_dir(net)

    # -- the browser ---------------------------------------------------------

    def start_dashboard_browser(self):
        self.start_browser(1366, 900, WAIT)

    def viewport(self, width, height):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def wait(self, cond, what):
        try:
            return self.Wait(self.driver, WAIT).until(lambda d: cond())
        except Exception as e:
            msg = self.js("return document.getElementById('msg').textContent") or ""
            raise AssertionError("page: %s not within %d s (page message: %r)" % (what, WAIT, msg)) from e

    def css(self, sel, root=None):
        return (root or self.driver).find_elements(self.By.CSS_SELECTOR, sel)

    def one(self, sel, root=None):
        found = self.css(sel, root)
        self.assertEqual(len(found), 1, "exactly one %r on the page" % sel)
        return found[0]

    def text(self, el):
        return self.js("return arguments[0].textContent", el)

    def idle(self):
        return self.js("return document.getElementById('main').getAttribute('aria-busy')") == "false"

    def unit_shown(self, code):
        return self.wait(lambda: self.idle() and "(%s)" % code in self.one("#unit-h").text and
                         self.css("#targets article, #targets p") and
                         self.js("return window.lnob.state.view && window.lnob.state.view.unit.code") == code,
                         "the summary of %s" % code)

    # -- the API and the CLI ---------------------------------------------------

    def api(self, path, **params):
        url = "http://%s:%d%s?%s" % (self.http_host, self.http_port, path,
                                     urllib.parse.urlencode(params))
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def rollup(self, unit):
        r = self.net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign", CAMPAIGN,
                                      "--period", PERIOD, "--unit", unit, "--json"))
        cli = json.loads(r.out)
        self.assertEqual(strip(self.api("/api/rollup", campaign=CAMPAIGN, period=PERIOD, unit=unit)),
                         strip(cli), "/api/rollup is rollup --json for %s" % unit)
        return cli

    # -- what the page must show ----------------------------------------------

    def check_summary(self, view, english=False):
        u, kinds = view["unit"], {i["code"]: i["kind"] for i in view["indicators"]}
        self.assertTrue(u["targets"], "the dataset gives %s targets" % u["code"])
        for tg in u["targets"]:
            art = self.one('#targets article[data-target="%s"]' % tg["id"])
            badge = self.one(":scope > h4 .verdict", art)
            self.assertEqual(badge.get_attribute("data-verdict"), tg["verdict"], tg["id"])
            label = self.text(badge)
            if english:
                self.assertTrue(label.startswith(VERDICT_EN[tg["verdict"]]), label)
            if tg["basis"] == "comparable" and tg["verdict"] != "NO_DATA":
                cov = self.one(".cov", badge)
                self.assertEqual((int(cov.get_attribute("data-reported")),
                                  int(cov.get_attribute("data-expected"))),
                                 (tg["coverage"]["reported"], tg["coverage"]["expected"]))
                needle = ("on %d of %d units" if english else "trên %d / %d đơn vị") % (
                    tg["coverage"]["reported"], tg["coverage"]["expected"])
                self.assertIn(needle, label)
            else:
                self.assertEqual(self.css(".cov", badge), [])
            shown = self.text(self.one('dd[data-k="progress_pct"]', art))
            want = "–" if tg["progress_pct"] is None else vi_num(tg["progress_pct"], 2) + " %"
            self.assertEqual(shown, want, "%s progress" % tg["id"])
            bar = self.one('[role="progressbar"]', art)
            if tg["progress_pct"] is not None:
                self.assertAlmostEqual(float(bar.get_attribute("aria-valuenow")),
                                       max(0, min(100, tg["progress_pct"])), places=4)
        for code, v in u["values"].items():
            cell = self.one('#values tr[data-ind="%s"] td[data-k="value"]' % code)
            self.assertEqual(self.text(cell), fmt_value(kinds[code], v["value"]), code)
            if v["value"] is None:
                self.assertEqual(cell.get_attribute("data-value"), "null", code)
            else:
                self.assertAlmostEqual(float(cell.get_attribute("data-value")), v["value"], places=6)
        self.check_completeness(view)
        self.check_charts(view, kinds)
        rows = self.css("#children tbody tr")
        self.assertEqual([r.get_attribute("data-code") for r in rows],
                         [c["code"] for c in view["children"]])
        for c, r in zip(view["children"], rows):
            self.assertEqual([b.get_attribute("data-verdict") for b in self.css(":scope > td .verdict", r)],
                             [t["verdict"] for t in c["targets"]], c["code"])

    def check_completeness(self, view):
        """Completeness per level: the counts, the late and missing units."""
        for g in view["completeness"]["levels"]:
            sec = self.one('#compl section[data-level="%s"]' % g["level"])
            for key, field in (("expected", "expected"), ("onTime", "on_time"), ("late", "late"),
                               ("missing", "missing"), ("pending", "pending")):
                self.assertEqual(self.text(self.one('dd[data-k="%s"]' % key, sec)),
                                 vi_num(g[field]), "%s %s" % (g["level"], field))
            for cls, field in (("late", "late_units"), ("missing", "missing_units")):
                shown = [li.get_attribute("data-code") for li in self.css("ul.%s > li" % cls, sec)]
                self.assertEqual(shown, [x["code"] for x in g[field]], "%s %s" % (g["level"], field))
                for x, li in zip(g[field], self.css("ul.%s > li" % cls, sec)):
                    self.assertEqual(self.text(self.one("a", li)), x["name"])
                    if x.get("parent_name"):
                        self.assertIn(x["parent_name"], self.text(li), x["code"])

    def check_charts(self, view, kinds):
        """Each sum and rate has a chart over the campaign's periods: a point
        per period in which rollup --json knows its value, the values named
        in the chart's label."""
        code = view["unit"]["code"]
        periods = self.api("/api/campaigns")[0]["periods"]
        per = {}
        for p in periods:
            r = self.net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign", CAMPAIGN,
                                          "--period", p, "--unit", code, "--json"))
            per[p] = json.loads(r.out)["unit"].get("values", {})
        for ind, kind in kinds.items():
            if kind not in ("sum", "rate") or ind not in view["unit"]["values"]:
                continue
            known = [(p, per[p][ind]["value"]) for p in periods
                     if ind in per[p] and per[p][ind]["value"] is not None]
            cell = self.one('#values tr[data-ind="%s"] td.chart' % ind)
            svg = self.css("svg", cell)
            self.assertEqual(len(svg), 1 if known else 0, "%s %s: a chart of %s" % (code, ind, known))
            if known:
                self.assertEqual(len(self.css("circle", svg[0])), len(known), "%s %s" % (code, ind))
                label = svg[0].get_attribute("aria-label")
                for p, v in known:
                    self.assertIn("%s %s" % (p, fmt_value(kind, v)), label, ind)

    def pick_period(self):
        sel = self.Select(self.one("#period"))
        if sel.first_selected_option.get_attribute("value") != PERIOD:
            sel.select_by_value(PERIOD)
        self.wait(lambda: self.idle() and self.js("var v = window.lnob.state.view; return v && v.period") == PERIOD,
                  "the rollup of period " + PERIOD)

    # -- the test --------------------------------------------------------------

    def test_dashboard(self):
        self.start_dashboard_browser()
        d = self.driver
        base = "http://%s:%d/" % (self.http_host, self.http_port)
        self.viewport(1366, 900)
        # A token the aggregator does not know: the token form, with the reason.
        bad = "lnob_000000000000_" + "A" * 43
        d.get(base + "#token=" + bad)
        self.wait(lambda: self.one("#login").is_displayed() and self.one("#login-err").text,
                  "the token form after an unknown token")
        self.assertNotIn(bad, d.current_url, "the token left the address bar")
        self.assertIn("Mã truy cập không hợp lệ", self.one("#login-err").text)
        self.assertFalse(self.one("#app").is_displayed())
        # The viewer's token typed into the form.
        self.one("#token").send_keys(self.token)
        self.one("#login-form button[type=submit]").click()
        self.unit_shown("DNO")
        self.assertEqual(self.js("return sessionStorage.getItem('lnob.token')"), self.token)
        self.assertNotIn(self.token, d.current_url)
        # From the fragment: a fresh tab of the same page, a cold load (no
        # cache) for the measurements.
        self.js("sessionStorage.clear()")
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        d.get(base + "?fragment#token=" + self.token)
        self.unit_shown("DNO")
        self.assertNotIn(self.token, d.current_url, "the token left the address bar")
        self.assertEqual(self.js("return sessionStorage.getItem('lnob.token')"), self.token)
        self.measure()
        self.pick_period()

        # A district through the tree: Cư Jút (two villages missing in 2023).
        self.one('#tree [data-code="CJT"] > .nm').click()
        self.unit_shown("CJT")
        self.check_summary(self.rollup("CJT"))
        # The tree by keyboard: up to the item before, right opens it.
        from selenium.webdriver.common.keys import Keys
        item = self.one('#tree [data-code="CJT"]')
        self.assertEqual(item.get_attribute("aria-selected"), "true")
        item.send_keys(Keys.ARROW_UP)
        prev = self.js("return document.activeElement.dataset.code")
        self.assertEqual(prev, self.one('#tree [data-code="CJT"]').find_element(
            self.By.XPATH, "preceding-sibling::li[1]").get_attribute("data-code"))
        self.js("return document.activeElement").send_keys(Keys.ARROW_RIGHT)
        self.wait(lambda: self.one('#tree [data-code="%s"]' % prev).get_attribute("aria-expanded") == "true"
                  and self.css('#tree [data-code="%s"] [role="treeitem"]' % prev), "the tree item opened")

        # Another through search, typed without diacritics: Đắk Glong.
        q = self.one("#q")
        q.send_keys("dak glong")
        self.wait(lambda: self.css('#hits a[data-code="DGL"]'), "a search hit for 'dak glong'")
        self.css('#hits a[data-code="DGL"]')[0].click()
        self.unit_shown("DGL")
        self.assertEqual(self.one('#tree [aria-selected="true"]').get_attribute("data-code"), "DGL")
        dgl = self.rollup("DGL")
        self.check_summary(dgl)
        late = [x for g in dgl["completeness"]["levels"] for x in g["late_units"]]
        missing = [x for g in dgl["completeness"]["levels"] for x in g["missing_units"]]
        self.assertTrue(late and missing, "Đắk Glong has late and missing units in 2023")
        self.screenshot("dashboard-desktop.png")
        self.print_pdf("dashboard-print.pdf")

        # English.
        self.one("#lang").click()
        self.wait(lambda: self.js("return document.documentElement.lang") == "en" and
                  self.one("#tab-summary").text == "Summary" and "(DGL)" in self.one("#unit-h").text
                  and self.idle() and self.css("#targets article"), "the English page")
        self.assertEqual(self.one("#targets-h").text, "Targets")
        self.assertEqual(self.one("#print").text, "Print")
        self.check_summary(self.rollup("DGL"), english=True)
        self.screenshot("dashboard-desktop-en.png")
        self.one("#lang").click()
        self.wait(lambda: self.one("#tab-summary").text == "Tổng hợp" and self.idle(), "the Vietnamese page again")

        # A late unit's name leads to that unit.
        x = late[0]
        link = self.css('#compl ul.late li[data-code="%s"] a' % x["code"])[0]
        self.js("arguments[0].closest('details').open = true; arguments[0].scrollIntoView()", link)
        link.click()
        self.unit_shown(x["code"])

        # Phone width: nothing scrolls sideways.
        self.viewport(390, 844)
        d.get(base + "?phone#unit=DGL&campaign=%s&period=%s&tab=summary" % (CAMPAIGN, PERIOD))
        self.unit_shown("DGL")
        self.check_summary(dgl)
        sw = self.js("return document.documentElement.scrollWidth")
        self.assertLessEqual(sw, 390, "horizontal scroll at 390 px: the page is %d px wide" % sw)
        self.screenshot("dashboard-phone.png")
        self.operator(base)
        self.requests(base)

    def operator(self, base):
        """A district operator approves a commune's period and accepts the
        amendment a late correction makes, with the page's buttons."""
        d, unit = self.driver, "DGL-01"
        opid = self.op_token.split("_")[1]
        self.viewport(1366, 900)
        self.js("sessionStorage.clear()")
        d.get(base + "?operator#token=%s&unit=%s&campaign=%s&period=%s&tab=amend"
              % (self.op_token, unit, CAMPAIGN, PERIOD))
        self.wait(lambda: self.idle() and self.css("#approve"), "the approve button for an operator")
        self.one("#approve").click()
        self.answer_prompt("kiểm tra xong")
        self.wait(lambda: self.idle() and self.css("#unapprove"), "the period approved")
        appr = json.loads(self.net.cli(self.agg.cmd("approvals", "-c", self.agg.conf, "--json")).out)
        self.assertEqual([(a["unit"], a["period"], a["by"], a["note"]) for a in appr["approvals"]],
                         [(unit, PERIOD, "token:" + opid, "kiểm tra xong")])
        path = self.net.path("late.csv")
        lnobtest.write_reports_csv(path, [{"unit": "DGL-01-01", "revision": 2, "values": {
            "households_total": 250, "poor_households": 20}}],
            indicators=("households_total", "poor_households"))
        self.col.submit(path)
        self.col.wait_drained()
        self.agg.wait_status(lambda st, k: k["amended"] == 1, "one amendment held")
        self.one("#tab-amend").click()
        self.wait(lambda: self.idle() and self.css("#amend tr[data-key] .acts button"), "the amendment's row")
        key = self.one("#amend tr[data-key]").get_attribute("data-key")
        self.css("#amend tr[data-key] .acts button")[0].click()
        self.answer_prompt("đã xác minh")
        self.wait(lambda: self.idle() and not self.css("#amend tr[data-key]"), "the amendment accepted")
        done = json.loads(self.net.cli(self.agg.cmd("amendments", "-c", self.agg.conf, "--decided",
                                                    "--json")).out)["amendments"]
        self.assertEqual([(x["key"], x["decision"]["decision"], x["decision"]["by"]) for x in done],
                         [(key, "accepted", "token:" + opid)])
        # A viewer gets no buttons.
        self.js("sessionStorage.clear()")
        d.get(base + "?viewer#token=%s&unit=%s&tab=amend" % (self.token, unit))
        self.wait(lambda: self.idle() and self.css("#amend h3"), "the viewer's amendments tab")
        self.assertEqual(self.css("#approve, #unapprove, #amend .acts"), [])

    def answer_prompt(self, text):
        alert = self.Wait(self.driver, WAIT).until(lambda d: self.try_alert())
        alert.send_keys(text)
        alert.accept()

    def try_alert(self):
        try:
            return self.driver.switch_to.alert
        except Exception:       # NoAlertPresentException until it opens
            return False

    # -- ad-hoc requests -------------------------------------------------------

    def requests(self, base):
        """The "Đột xuất" tab (README "Ad-hoc requests"): the district
        operator creates a request through the form, the page refuses what
        the server refuses with its message, a reply comes in and the list
        and the Summary of the request's period say what the CLI says; a
        viewer sees the list without the form."""
        d, net = self.driver, self.net
        camp = next(c for c in self.api("/api/campaigns") if c["id"] == CAMPAIGN)
        scope = json.loads(self.api_as(self.op_token, "/api/whoami")[1])["scope"]["code"]
        asked = [r["code"] for r in self.hier.rows if r["parent_code"] == scope + "-01"][:2]
        self.assertEqual(len(asked), 2, "two villages of %s-01 in the sample province" % scope)
        tz = datetime.timezone(datetime.timedelta(
            hours=int(camp["utc_offset"][:3]), minutes=int(camp["utc_offset"][0] + camp["utc_offset"][4:])))
        due = (datetime.datetime.now(tz).date() - datetime.timedelta(days=1)).isoformat()
        inds = [i["id"] for i in camp["indicators"] if i["kind"] in ("count", "amount")]
        self.assertEqual(self.cli_requests(), [], "no request before the test makes one")

        self.viewport(1366, 900)
        self.js("sessionStorage.clear()")
        d.get(base + "?requests#token=%s&campaign=%s&tab=requests" % (self.op_token, CAMPAIGN))
        self.wait(lambda: self.idle() and self.css("#rq-form") and self.css("#rq-empty"),
                  "the operator's requests tab, empty, with the form")
        self.assertEqual(self.one("#tab-requests").get_attribute("aria-selected"), "true")
        self.assertTrue(self.one("#p-requests").is_displayed())
        self.assertIn("tab=requests", d.current_url)
        self.assertEqual(self.one("#rq-empty").text, "Phong trào này chưa có yêu cầu đột xuất nào")
        # Only counts and amounts are offered: never a sum or a rate.
        self.assertEqual([b.get_attribute("value") for b in self.css('#rq-form input[name="indicators"]')],
                         inds, "the campaign's counts and amounts, in its order")

        # Created through the form, the second unit added with the unit search.
        self.fill_request(REQUEST, asked[0], inds[:2], due, "Báo cáo nhanh (kiểm thử)")
        self.one("#rq-find").send_keys(asked[1])
        self.wait(lambda: self.css('#rq-hits button[data-code="%s"]' % asked[1]), "a search hit for " + asked[1])
        self.one('#rq-hits button[data-code="%s"]' % asked[1]).click()
        self.assertEqual(self.one("#rq-units").get_attribute("value"), ", ".join(asked))
        self.one("#rq-submit").click()
        card = '#requests article[data-id="%s"]' % REQUEST
        self.wait(lambda: self.idle() and self.css(card) and self.one("#rq-ok").text, "the new request listed")
        cli = self.cli_requests()
        self.assertEqual(self.api("/api/requests", campaign=CAMPAIGN)["requests"], cli,
                         "/api/requests is request list --json for a province token")
        self.assertEqual([(q["id"], q["units"], q["indicators"], q["due"], q["expected"], q["reported"])
                          for q in cli], [(REQUEST, sorted(asked), inds[:2], due, len(asked), 0)])
        self.check_request(cli[0])
        self.assertEqual(self.one("#rq-err").text, "")
        self.assertIn(REQUEST, [o.get_attribute("value") for o in self.css("#period optgroup option")],
                      "the request's id in the period picker (campaigns fetched again)")

        # Refusals: the server's status and message beside the form.
        outside = next(r["code"] for r in self.hier.rows if r["level"] == "village"
                       and not r["code"].startswith(scope + "-"))
        for rid, units in ((REQUEST, asked[0]), (REQUEST + "-b", outside)):
            self.fill_request(rid, units, inds[:1], due, "")
            body = {"campaign": CAMPAIGN, "id": rid, "units": units, "indicators": inds[0], "due": due, "note": ""}
            status, doc = self.api_as(self.op_token, "/api/requests", body)
            self.one("#rq-submit").click()
            self.wait(lambda: self.idle() and self.one("#rq-err").text, "the refusal of %s %s" % (rid, units))
            self.assertIn(status, (403, 409), doc)
            self.assertEqual(self.one("#rq-err").get_attribute("data-status"), str(status))
            self.assertEqual(self.one("#rq-err").text, json.loads(doc)["message"])
        self.assertEqual(self.cli_requests(), cli, "the refusals changed nothing")

        # A reply from the first unit, through the running collector.
        path = net.path("reply.csv")
        now = datetime.datetime.now(tz).replace(microsecond=0).isoformat()
        lnobtest.write_reports_csv(path, [{"period": REQUEST, "unit": asked[0], "revision": 1,
                                           "completed_at": now, "values": {i: 7 for i in inds[:2]}}],
                                   indicators=inds[:2])
        self.col.submit(path)
        wait_until(lambda: self.cli_requests()[0]["reported"] == 1, 60, "the reply stored", net)
        self.one("#rq-refresh").click()
        self.wait(lambda: self.idle() and self.css(card) and
                  self.one(card + ' dd[data-k="replies"]').get_attribute("data-reported") == "1",
                  "the list showing the reply")
        q = self.cli_requests()[0]
        self.assertEqual((q["expected"], q["reported"], q["missing_units"]), (2, 1, asked[1:]))
        self.check_request(q)
        self.screenshot("dashboard-requests.png")
        self.one("#lang").click()
        self.wait(lambda: self.idle() and self.one("#tab-requests").text == "Ad-hoc requests" and
                  self.css(card + " .rq-view") and self.one(card + " .rq-view").text == "View progress",
                  "the English requests tab")
        self.one("#lang").click()
        self.wait(lambda: self.idle() and self.css(card + " .rq-view") and
                  self.one(card + " .rq-view").text == "Xem tiến độ", "the Vietnamese requests tab")
        # Phone width and print.
        self.viewport(390, 844)
        sw = self.js("return document.documentElement.scrollWidth")
        self.assertLessEqual(sw, 390, "horizontal scroll at 390 px on the requests tab: %d px" % sw)
        self.viewport(1366, 900)
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            disp = lambda sel: self.js("return getComputedStyle(document.querySelector(arguments[0])).display", sel)
            self.assertEqual(disp("#rq-form"), "none", "the form printed")
            self.assertNotEqual(disp(card), "none", "the request not printed")
        finally:
            d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

        # "Xem tiến độ": the Summary of the token's unit on the request's period.
        self.one(card + " .rq-view").click()
        self.wait(lambda: self.idle() and self.js(
            "var v = window.lnob.state.view; return v && v.period + ' ' + v.unit.code") == REQUEST + " " + scope
            and self.css("#compl section"), "the Summary of %s on %s" % (scope, REQUEST))
        self.assertEqual(self.one("#tab-summary").get_attribute("aria-selected"), "true")
        self.assertIn("period=%s" % REQUEST, d.current_url)
        self.assertIn("tab=summary", d.current_url)
        r = net.cli(self.agg.cmd("rollup", "-c", self.agg.conf, "--campaign", CAMPAIGN, "--period", REQUEST,
                                 "--unit", scope, "--json"))
        view = json.loads(r.out)
        self.assertEqual(strip(self.api("/api/rollup", campaign=CAMPAIGN, period=REQUEST, unit=scope)),
                         strip(view), "/api/rollup is rollup --json for %s %s" % (scope, REQUEST))
        self.assertEqual(view["period_kind"], "adhoc")
        lv = [g for g in view["completeness"]["levels"] if g["expected"]]
        self.assertEqual([(g["expected"], g["reported"]) for g in lv], [(len(asked), 1)], view["completeness"])
        self.check_completeness(view)
        sec = self.one('#compl section[data-level="%s"]' % lv[0]["level"])
        self.assertEqual(sum(int(self.text(self.one('dd[data-k="%s"]' % k, sec))) for k in ("onTime", "late")),
                         lv[0]["reported"], "on time + late = reported")
        self.assertIn("(đột xuất)", self.one("#unit-sub .ctx").text)
        # The tabs by keyboard: End from the Summary's tab is the requests tab.
        from selenium.webdriver.common.keys import Keys
        self.one("#tab-summary").send_keys(Keys.END)
        self.wait(lambda: self.idle() and self.one("#tab-requests").get_attribute("aria-selected") == "true" and
                  self.js("return document.activeElement.id") == "tab-requests" and self.css(card),
                  "the requests tab by the End key")

        # A viewer sees the list, never the form.
        self.js("sessionStorage.clear()")
        d.get(base + "?rqviewer#token=%s&campaign=%s&tab=requests" % (self.token, CAMPAIGN))
        self.wait(lambda: self.idle() and self.css(card), "the viewer's requests tab")
        self.assertEqual(self.css("#rq-form, #rq-form-box *"), [])
        self.check_request(q)
        # It opened on a period of the campaign file, never on a request's.
        self.assertNotIn(self.js("return window.lnob.state.period"), [x["id"] for x in self.cli_requests()])

    def fill_request(self, rid, units, inds, due, note):
        for sel, v in (("#rq-id", rid), ("#rq-units", units), ("#rq-note", note)):
            self.one(sel).clear()
            self.one(sel).send_keys(v)
        self.js("arguments[0].value = arguments[1]", self.one("#rq-due"), due)
        for b in self.css('#rq-form input[name="indicators"]'):
            if b.is_selected() != (b.get_attribute("value") in inds):
                b.click()

    def check_request(self, q):
        """The request's card says what request list --json says of it."""
        card = self.one('#requests article[data-id="%s"]' % q["id"])
        rep = self.one('dd[data-k="replies"]', card)
        self.assertEqual((int(rep.get_attribute("data-reported")), int(rep.get_attribute("data-expected"))),
                         (q["reported"], q["expected"]))
        self.assertEqual(self.text(rep), "%d / %d" % (q["reported"], q["expected"]))
        bar = self.one('[role="progressbar"]', card)
        self.assertAlmostEqual(float(bar.get_attribute("aria-valuenow")), 100 * q["reported"] / q["expected"])
        self.assertEqual(self.one('dd[data-k="due"]', card).get_attribute("data-due"), q["due"])
        self.assertEqual(self.text(self.one('[data-k="note"]', card)), q["note"])
        past = q["late_from"] <= time.time()
        self.assertEqual(card.get_attribute("data-past-due"), "true" if past else "false")
        items = self.css("ul.missing > li", card)
        self.assertEqual([li.get_attribute("data-code") for li in items], q["missing_units"])
        for code, li in zip(q["missing_units"], items):
            name = json.loads(self.api_as(self.token, "/api/units/" + code)[1])["unit"]["name"]
            self.assertIn(name, self.text(li))
            self.assertEqual(len(self.css(".st-late", li)), 1 if past else 0, "%s marked late" % code)

    def cli_requests(self):
        r = self.net.cli(self.agg.cmd("request", "list", "-c", self.agg.conf, "--campaign", CAMPAIGN, "--json"))
        return json.loads(r.out)

    def api_as(self, token, path, body=None):
        """(status, body text) of a GET, or of a POST of body, with token."""
        url = "http://%s:%d%s" % (self.http_host, self.http_port, path)
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token,
                                                   "Content-Type": "application/json"},
                                     data=None if body is None else json.dumps(body).encode(),
                                     method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    # -- screenshots, print, measurements ---------------------------------------

    def screenshot(self, name):
        """The whole page at the current width (the viewport stretched to it)."""
        d = self.driver
        w = self.js("return window.innerWidth")
        h0 = self.js("return window.innerHeight")
        h = min(self.js("return document.documentElement.scrollHeight"), 8000)
        self.viewport(w, h)
        path = os.path.join(self.shots, name)
        self.assertTrue(d.save_screenshot(path), path)
        self.viewport(w, h0)
        print("screenshot: %s (%d px wide)" % (path, w), flush=True)

    def print_pdf(self, name):
        """The print stylesheet: no tree, no controls; one A4 page size."""
        d = self.driver
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            for sel in (".side", ".tabs", "#export", ".top"):
                self.assertEqual(self.js("return getComputedStyle(document.querySelector(arguments[0])).display",
                                         sel), "none", "%s printed" % sel)
        finally:
            d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        pdf = base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True,
                                                                     "printBackground": True})["data"])
        path = os.path.join(self.shots, name)
        with open(path, "wb") as f:
            f.write(pdf)
        # A4 is 595.28 x 841.89 points.
        boxes = [(float(w), float(h)) for w, h in
                 re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)]
        self.assertTrue(boxes, "no page in the printed PDF")
        for w, h in boxes:
            self.assertTrue(abs(w - 595.28) < 2 and abs(h - 841.89) < 2, "a page of %gx%g pt, not A4" % (w, h))
        print("printed: %s (%d A4 pages)" % (path, len(boxes)), flush=True)

    def measure(self):
        """Page weight (every resource the page loaded) and time to first render."""
        m = self.js("""
            const nav = performance.getEntriesByType('navigation')[0];
            const res = performance.getEntriesByType('resource');
            const paint = performance.getEntriesByType('paint');
            const fcp = paint.find((p) => p.name === 'first-contentful-paint');
            const shown = performance.getEntriesByName('lnob-summary')[0];
            return {doc: nav.encodedBodySize, docTransfer: nav.transferSize,
                    dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                    fcp: fcp ? fcp.startTime : null, shown: shown ? shown.startTime : null,
                    res: res.map((r) => [r.name, r.initiatorType, r.encodedBodySize, r.transferSize])};
        """)
        assets = {f: os.path.getsize(os.path.join(WEB, f)) for f in ("index.html", "app.css", "app.js")}
        static = [r for r in m["res"] if r[1] in ("link", "script", "css", "img")]
        apis = [r for r in m["res"] if "/api/" in r[0]]
        static_bytes = m["doc"] + sum(r[2] for r in static)
        print("page weight: %d bytes of page (index.html %d + app.css %d + app.js %d as served; "
              "files %s), %d bytes of API documents in %d calls, %d bytes in all"
              % (static_bytes, m["doc"], *[next((r[2] for r in static if r[0].endswith(f)), 0)
                                           for f in ("app.css", "app.js")], assets,
                 sum(r[2] for r in apis), len(apis), static_bytes + sum(r[2] for r in apis)),
              flush=True)
        print("first render: first-contentful-paint %.0f ms, DOMContentLoaded %.0f ms, load %.0f ms "
              "(navigation timing); the province's summary drawn at %.0f ms"
              % (m["fcp"] or -1, m["dcl"], m["load"], m["shown"] or -1), flush=True)
        self.assertIsNotNone(m["fcp"], "no first-contentful-paint entry")
        self.assertEqual(static_bytes, sum(assets.values()), "every asset served whole, nothing else")


if __name__ == "__main__":
    lnobtest.main()
