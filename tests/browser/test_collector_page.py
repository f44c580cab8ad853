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

Every wait is bounded (WebDriverWait, wait_until); the browser, the
driver and every daemon are stopped by pid.
"""

import json
import os
import urllib.error
import urllib.request

import browserlib
import lnobtest
from lnobtest import free_port, tcp_accepts, wait_until
from test_levels import CAMPAIGN_INI

WAIT = 60
PASSWORD = "mat-khau-thu"


class CollectorPageTest(lnobtest.NetTestCase):

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
        self.agg.start()
        self.col.start()
        wait_until(lambda: tcp_accepts(self.web_host, self.web_port), 30,
                   "the collector's page accepting connections", net)
        wait_until(lambda: self.col.status()["metadata"], 60, "the commune holds metadata", net)
        self.shots = os.environ.get("LNOB_SCREENSHOT_DIR") or net.path("screenshots")
        os.makedirs(self.shots, exist_ok=True)
        self.driver = None
        self.driver_pid = None

    def tearDown(self):
        self.stop_browser()
        super().tearDown()

    def start_browser(self):
        self.driver, self.driver_pid, self.By, self.Select, self.Wait = \
            browserlib.start(self.net, 1280, 900, WAIT)

    def stop_browser(self):
        d, pid = self.driver, self.driver_pid
        self.driver = self.driver_pid = None
        browserlib.stop(d, pid)

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

    def rss_anon_kb(self):
        with open("/proc/%d/status" % self.col.daemon.proc.pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
        raise AssertionError("no RssAnon in /proc/PID/status")

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
        wait_until(lambda: self.col.status()["parked"] == 1, 60, "C12 parked", self.net)
        self.agg.stop()                                     # the link is cut

        self.start_browser()
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

        # A negative value: flagged as typed, refused by the offline checks.
        self.fill("V11-0002", {"households_total": 100, "poor_households": -3})
        flag = d.find_element(by.CSS_SELECTOR, "#ind-poor_households + .msg").text
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
        shot = os.path.join(self.shots, "collector-page.png")
        d.save_screenshot(shot)
        print("screenshot: %s" % shot)
        self.stop_browser()
        wait_until(lambda: self.col.status()["queued"] == 0, 30, "nothing queued", self.net)
        print("collector RssAnon idle with the page enabled: %d kB (build type %s%s)"
              % (self.rss_anon_kb(), os.environ.get("LNOB_BUILD_TYPE", "?"),
                 ", ASan" if os.environ.get("LNOB_SANITIZE") in ("ON", "1", "TRUE") else ""))


if __name__ == "__main__":
    lnobtest.main()
