"""The collector's page in a real browser (README "The collector's page"):
Debian's chromium, headless, driven by python3-selenium through
chromium-driver.

An aggregator (the levels test's campaign) and one commune collector
(scope C11, [uplink] aggregator_sign_key, [web] on a free loopback port
with a password), with a report for C12 queued before any metadata was
held: the aggregator refuses it (out of scope) and the page lists it
refused with the reason. Once the commune holds the metadata the aggregator is
stopped (the link cut); the page asks for the password, fills the form
for village V11-0001 from the metadata's indicators, submits it and shows
it queued; with the aggregator started again the same row turns stored
(the aggregator's ack). A negative value is flagged as typed, and refused
by the collector's offline checks with the message shown on the page; an
unauthenticated API call is answered 401. A screenshot is kept under the
build tree (LNOB_SCREENSHOT_DIR) and its path printed, with the
collector's private (anonymous) RSS, idle with the page enabled
(/proc/PID/status RssAnon).

The campaign has a 2022 period too, and a 2022 report of V11-0001 is
queued before the page is used: the 2023 form shows its value beside the
field ("Kỳ trước (2022): 31"). A report of C11 with a village's
indicator, queued before any metadata, is refused by the aggregator
(wrong_level); its "Sửa và gửi lại" button loads it into the form, and the
corrected one is queued as a new report (new seq) which turns stored while
the refused one leaves the list (dismissed). A nomination is filled on its
tab with three dossier files chosen from disk (first without the council's
vote: refused naming that field), queued, and stored at the aggregator (`lnob-aggregator nominations --json`). The Excel template is
downloaded from the page (the same bytes as `lnob-collector template`),
filled with openpyxl and uploaded: a bad cell is refused naming
sheet!cell with nothing queued, the good file is queued and stored.

Every wait is bounded (WebDriverWait, wait_until); the browser, the
driver and every daemon are stopped by pid.
"""

import hashlib
import json
import os
import socket
import urllib.error
import urllib.request

import browserlib
import lnobtest
from lnobtest import free_port, tcp_accepts, wait_until
from test_levels import CAMPAIGN_INI as LEVELS_INI

# The levels test's campaign with a 2022 period before its 2023 one.
CAMPAIGN_INI = LEVELS_INI.replace(
    "[period 2023]", "[period 2022]\nkind  = year\nstart = 2022-01-01\nend   = 2022-12-31\n\n"
    "[period 2023]")
WAIT = 60
PASSWORD = "mat-khau-thu"


class CollectorPageTest(browserlib.BrowserMixin, lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        with open(net.path("campaign.ini"), "w") as f:
            f.write(CAMPAIGN_INI)
        self.agg = net.add_aggregator(extra_conf="\n[campaign]\nfiles = campaign.ini\n")
        self.web_host = net.host
        self.web_port = free_port(net.host)
        self.col = net.add_collector(
            "c11-office", "C11", heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50,
            backoff_max_ms=300, extra_conf=(
                "\n[uplink]\naggregator_sign_key = %s\n\n[web]\nlisten = %s:%d\npassword = %s\n"
                % (self.agg.keys.pub_path, self.web_host, self.web_port, PASSWORD)))
        # Queued before any metadata is held (no checks then): C12 is outside
        # the commune's scope, refused by the aggregator, parked here.
        oos = net.path("oos.csv")
        lnobtest.write_reports_csv(oos, [{"unit": "C12", "revision": 1,
                                          "values": {"fund_vnd": 1000}}])
        self.col.submit(oos)
        # seq 2: a commune reporting a village's indicator (wrong_level at the
        # aggregator), to be corrected on the page; seq 3: 2022's figures.
        wrong = net.path("wrong.csv")
        lnobtest.write_reports_csv(wrong, [{"unit": "C11", "revision": 1,
                                            "values": {"households_total": 1200}}])
        self.col.submit(wrong)
        prev = net.path("prev.csv")
        lnobtest.write_reports_csv(prev, [{"unit": "V11-0001", "revision": 1, "period": "2022",
                                           "values": {"households_total": 140,
                                                      "poor_households": 31}}])
        self.col.submit(prev)
        self.agg.start()
        self.col.start()
        wait_until(lambda: tcp_accepts(self.web_host, self.web_port), 30,
                   "the collector's page accepting connections", net)
        wait_until(lambda: self.col.status()["metadata"], 60, "the commune holds metadata", net)
        self.shots = browserlib.shots_dir(net)

    def start_page_browser(self):
        self.downloads = self.net.path("downloads")
        os.makedirs(self.downloads, exist_ok=True)
        self.start_browser(1280, 900, WAIT, download_dir=self.downloads)

    def url(self, path="/"):
        return "http://%s:%d%s" % (self.web_host, self.web_port, path)

    def wait_for(self, cond, what):
        return self.Wait(self.driver, WAIT).until(lambda d: cond(d), message=what)

    def row_state(self, seq):
        # Read in one script: the list is redrawn every few seconds.
        return self.driver.execute_script(
            "const r = document.getElementById(arguments[0]); return r ? r.dataset.state : null;",
            "report-%d" % seq)

    def fill(self, unit, values):
        by = self.By
        self.Select(self.driver.find_element(by.ID, "unit")).select_by_value(unit)
        self.wait_for(lambda d: d.find_elements(by.ID, "ind-households_total"),
                      "the fields of %s" % unit)
        for code, v in values.items():
            el = self.driver.find_element(by.ID, "ind-" + code)
            el.clear()
            el.send_keys(str(v))

    def submit(self, want):
        by = self.By
        msg = self.driver.find_element(by.ID, "submit-msg")
        self.driver.execute_script("arguments[0].textContent = ''", msg)
        self.driver.find_element(by.ID, "submit-btn").click()
        self.wait_for(lambda d: want in msg.text, "the page says '%s'" % want)
        return msg.text

    def text_of(self, el_id):
        return self.js("const e = document.getElementById(arguments[0]); "
                       "return e ? e.textContent : null;", el_id)

    def shot(self, name):
        path = os.path.join(self.shots, name)
        self.driver.save_screenshot(path)
        print("screenshot: %s" % path)

    def wait_msg(self, el_id, want):
        self.wait_for(lambda d: want in (self.text_of(el_id) or ""),
                      "#%s says '%s'" % (el_id, want))
        return self.text_of(el_id)

    def tab(self, name):
        self.js("document.getElementById(arguments[0]).click()", "tab-" + name)

    def rss_anon_kb(self):
        return lnobtest.proc_status_kb(self.col.daemon.proc.pid, "RssAnon")

    def test_page(self):
        # The API wants the password.
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(self.url("/api/status"), timeout=10)
        self.assertEqual(cm.exception.code, 401)
        req = urllib.request.Request(self.url("/api/form"),
                                     headers={"Authorization": "Bearer " + PASSWORD})
        form = json.load(urllib.request.urlopen(req, timeout=10))
        units = {u["code"]: [i["code"] for i in u["indicators"]] for u in form["units"]}
        self.assertEqual(form["source"], "metadata")
        self.assertEqual(units["C11"], ["fund_vnd"])
        self.assertEqual(units["V11-0001"], ["households_total", "poor_households", "fund_vnd"])
        self.assertNotIn("C12", units)                     # out of scope
        # Bodies over 64 KiB: 413 but on the upload routes (24 MiB there).
        big = b"{" + b" " * 70000 + b"}"
        for path, want in (("/api/reports", 413), ("/api/nominations", 400)):
            req = urllib.request.Request(self.url(path), data=big, method="POST", headers={
                "Authorization": "Bearer " + PASSWORD, "Content-Type": "application/json"})
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(req, timeout=10)
            self.assertEqual(cm.exception.code, want, path)
        # Without the password an upload is refused before its body is read:
        # the head alone (announcing 20 MB, none sent) is answered 401.
        with socket.create_connection((self.web_host, self.web_port), timeout=10) as s:
            s.sendall(b"POST /api/nominations HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 20000000\r\n\r\n")
            head = s.recv(4096)
        self.assertTrue(head.startswith(b"HTTP/1.1 401"), head[:200])
        wait_until(lambda: (lambda st: st["parked"] == 2 and st["queued"] == 0)(
            self.col.status()), 60, "C12 and C11's wrong report parked, 2022's acked", self.net)
        self.agg.stop()                                     # the link is cut

        self.start_page_browser()
        by = self.By
        d = self.driver
        d.get(self.url("/"))
        self.wait_for(lambda d: d.find_element(by.ID, "password").is_displayed(),
                      "the page asks for the password")
        d.find_element(by.ID, "password").send_keys(PASSWORD)
        d.find_element(by.ID, "login-btn").click()
        self.wait_for(lambda d: d.find_elements(by.CSS_SELECTOR, "#unit option"),
                      "the form's units")
        # The aggregator's refusal, with its reason.
        self.wait_for(lambda d: self.row_state(1) == "refused", "report 1 refused")
        self.assertIn("out_of_scope", d.execute_script(
            "return document.getElementById('report-1').textContent"))

        # 2022's value of V11-0001 beside its 2023 field.
        self.fill("V11-0001", {})
        self.wait_for(lambda d: "Kỳ trước (2022): 31" in (self.text_of("prev-poor_households")
                                                           or ""), "the previous value shown")
        self.assertIn("140", self.text_of("prev-households_total"))
        self.wait_for(lambda d: self.row_state(2) == "refused", "report 2 refused")
        self.assertIn("wrong_level", self.text_of("report-2"))

        # A negative value: flagged as typed, refused by the offline checks.
        self.fill("V11-0002", {"households_total": 100, "poor_households": -3})
        flag = d.find_element(by.CSS_SELECTOR, "#ind-poor_households ~ .msg").text
        self.assertIn("không âm", flag)
        text = self.submit("Bị từ chối")
        self.assertIn("poor_households", text)
        print("refused on the page: %s" % text)
        self.assertEqual(self.col.status()["queued"], 0)

        # A good report: queued while the link is cut ...
        self.fill("V11-0001", {"households_total": 150, "poor_households": 12,
                               "fund_vnd": 2000000})
        text = self.submit("Đã xếp hàng")
        seq = int(text.rsplit("số ", 1)[1].rstrip(").").strip())
        self.wait_for(lambda d: self.row_state(seq) == "queued", "report %d queued" % seq)
        # ... stored once the aggregator is back and acks it.
        self.agg.start()
        self.wait_for(lambda d: self.row_state(seq) == "stored", "report %d stored" % seq)
        self.wait_for(lambda d: "Đã kết nối" in d.execute_script(
            "return document.getElementById('link').textContent"), "the link shown up")
        rollup = self.agg.rollup(unit="V11-0001")
        self.assertIn("150", json.dumps(rollup))
        self.shot("collector-page.png")
        self.correct_refused()
        self.nominate()
        self.excel()
        self.stop_browser()
        wait_until(lambda: self.col.status()["queued"] == 0, 30, "nothing queued", self.net)
        print("collector RssAnon idle with the page enabled: %d kB (build type %s%s)"
              % (self.rss_anon_kb(), os.environ.get("LNOB_BUILD_TYPE", "?"),
                 ", ASan" if os.environ.get("LNOB_SANITIZE") in ("ON", "1", "TRUE") else ""))

    def correct_refused(self):
        """Report 2 (refused) corrected as a new report: queued, stored; 2 gone."""
        by = self.By
        self.wait_for(lambda d: self.js("return !!document.getElementById('fix-2')"),
                      "the button of report 2")
        self.assertEqual(self.text_of("fix-2"), "Sửa và gửi lại")
        self.js("document.getElementById('fix-2').click()")
        self.wait_msg("correcting", "Đang sửa báo cáo số 2")
        self.wait_for(lambda d: d.find_elements(by.ID, "ind-fund_vnd"), "C11's field")
        self.assertEqual(self.driver.find_element(by.ID, "unit").get_attribute("value"), "C11")
        el = self.driver.find_element(by.ID, "ind-fund_vnd")
        el.clear()
        el.send_keys("30000000")
        text = self.submit("Đã xếp hàng")
        self.assertIn("Báo cáo số 2 đã được thay thế", text)
        seq = int(text.split("(số ", 1)[1].split(")", 1)[0])
        self.assertGreater(seq, 2)
        self.wait_for(lambda d: self.row_state(seq) == "stored", "correction %d stored" % seq)
        self.wait_for(lambda d: self.row_state(2) is None, "report 2 gone from the list")
        st = self.col.status()
        self.assertEqual(st["parked"], 1)                   # C12 only
        c11 = self.agg.rollup(unit="C11")["unit"]["sums"]
        self.assertEqual(c11.get("fund_vnd"), 30000000 + 2000000)
        print("corrected report 2 as seq %d (stored)" % seq)

    def nominate(self):
        """A nomination with three files from disk: queued, stored at the aggregator."""
        by, d = self.By, self.driver
        self.tab("nomination")
        files = []
        for i, name in enumerate(("to-trinh.pdf", "bien-ban.pdf", "bao-cao.pdf")):
            path = self.net.path(name)
            with open(path, "wb") as f:
                f.write(("%s: tài liệu %d\n" % (name, i)).encode() * (i + 1))
            files.append(path)
        d.find_element(by.ID, "nom-id").send_keys("web-2023-01")
        self.Select(d.find_element(by.ID, "nom-kind")).select_by_value("household")
        d.find_element(by.ID, "nom-name").send_keys("Hộ ông Nguyễn Văn A")
        self.Select(d.find_element(by.ID, "nom-unit")).select_by_value("V11-0001")
        self.Select(d.find_element(by.ID, "nom-form-kind")).select_by_value("giay_khen")
        self.Select(d.find_element(by.ID, "nom-occasion")).select_by_value("2023")
        d.find_element(by.ID, "nom-summary").send_keys("Thoát nghèo bền vững")
        d.find_element(by.ID, "nom-contribution").send_keys("5000000")
        for i, title in enumerate(("Tờ trình", "Biên bản họp", "Báo cáo thành tích")):
            d.find_element(by.ID, "doc-title-%d" % i).send_keys(title)
            d.find_element(by.ID, "doc-file-%d" % i).send_keys(files[i])
        # The council's vote left out: refused naming the field, nothing queued.
        queued = self.col.status()["queued"]
        d.find_element(by.ID, "nom-submit").click()
        text = self.wait_msg("nom-msg", "Bị từ chối")
        self.assertIn("(Tài liệu 2, biểu quyết): page: dossier[1].vote: missing", text)
        self.assertIn("bad", d.find_element(by.ID, "doc-vote-1").get_attribute("class"))
        self.assertEqual(self.col.status()["queued"], queued)
        print("refused nomination: %s" % text)
        d.find_element(by.ID, "doc-vote-1").send_keys("9/11")
        d.find_element(by.ID, "nom-submit").click()
        text = self.wait_msg("nom-msg", "Đã xếp hàng")
        self.assertIn("c11-office/web-2023-01", text)
        self.assertIn("3 tài liệu", text)
        seq = int(text.split("(số ", 1)[1].split(",", 1)[0])
        self.wait_for(lambda d: self.row_state(seq) == "stored", "nomination %d stored" % seq)

        def stored():
            r = self.net.cli(self.agg.cmd("nominations", "-c", self.agg.conf, "--json",
                                          "--campaign", lnobtest.CAMPAIGN))
            keys = [n["key"] for n in json.loads(r.out)["nominations"]]
            return "c11-office/web-2023-01" in keys
        wait_until(stored, 30, "the nomination at the aggregator", self.net)
        one = json.loads(self.net.cli(self.agg.cmd(
            "nominations", "-c", self.agg.conf, "--json", "--nomination",
            "c11-office/web-2023-01")).out)
        blob = json.dumps(one)
        for path in files:
            with open(path, "rb") as f:
                self.assertIn(hashlib.sha256(f.read()).hexdigest(), blob)
        self.shot("collector-page-nomination.png")
        print("nomination c11-office/web-2023-01 (seq %d) stored at the aggregator" % seq)

    def excel(self):
        """The template downloaded (the command's bytes), filled, uploaded."""
        import openpyxl
        by, d = self.By, self.driver
        self.tab("report")
        self.Select(d.find_element(by.ID, "period")).select_by_value("2023")
        self.tab("excel")
        d.find_element(by.ID, "tpl-download").click()
        got = os.path.join(self.downloads, "%s-2023.xlsx" % lnobtest.CAMPAIGN)
        wait_until(lambda: os.path.exists(got) and os.path.getsize(got) > 0, WAIT,
                   "the template downloaded", self.net)
        cli = self.net.path("cli-template.xlsx")
        self.net.cli(self.col.cmd("template", "-c", self.col.conf, "--period", "2023",
                                  "--out", cli))
        with open(got, "rb") as a, open(cli, "rb") as b:
            self.assertEqual(a.read(), b.read(), "the page's template is the command's")

        def filled(name, poor):
            wb = openpyxl.load_workbook(got)
            ws = wb["village"]
            ids = [c.value for c in ws[3]]
            for row in ws.iter_rows(min_row=4):
                if row[0].value == "V11-0002":
                    row[ids.index("households_total")].value = 90
                    row[ids.index("poor_households")].value = poor
                    row[ids.index("fund_vnd")].value = 1000000
            path = self.net.path(name)
            wb.save(path)
            return path

        queued = self.col.status()["queued"]
        d.find_element(by.ID, "xlsx-file").send_keys(filled("bad.xlsx", -3))
        d.find_element(by.ID, "xlsx-upload").click()
        text = self.wait_msg("xlsx-msg", "Bị từ chối")
        self.assertIn("bad.xlsx: village!", text)
        self.assertIn("poor_households", text)
        self.assertEqual(self.col.status()["queued"], queued)
        print("refused upload: %s" % text)
        el = d.find_element(by.ID, "xlsx-file")
        el.clear()
        el.send_keys(filled("good.xlsx", 7))
        d.find_element(by.ID, "xlsx-upload").click()
        text = self.wait_msg("xlsx-msg", "Đã xếp hàng chờ gửi 1 báo cáo")
        seq = int(text.split("(số ", 1)[1].split(" ", 1)[0])
        self.tab("report")
        self.wait_for(lambda d: self.row_state(seq) == "stored", "the upload %d stored" % seq)
        self.assertEqual(self.agg.rollup(unit="V11-0002")["unit"]["sums"]["poor_households"], 7)
        self.shot("collector-page-excel.png")
        print("template downloaded (%d bytes, the command's), filled one queued as seq %d"
              % (os.path.getsize(got), seq))


if __name__ == "__main__":
    lnobtest.main()
