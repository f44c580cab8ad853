"""The dashboard at a national aggregator, in headless chromium: three
provinces forward their snapshots (tests/national/test_national.py's world,
without the cut and the kills); the page shows the country with its
provinces in the tree, the country's view as the API gives it, and a
province's summary (its national target judged) when it is picked in the
tree, then its districts."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "national"))
sys.path.insert(0, os.path.join(HERE, "..", "fault"))

import lnobtest                        # noqa: E402
import test_dashboard                  # noqa: E402
import test_national                   # noqa: E402
from lnobtest import tcp_accepts, wait_until   # noqa: E402

strip = lnobtest.strip_generated


class NationalDashboardTest(test_dashboard.DashboardTest):
    test_dashboard = None            # the province's own test is test_dashboard.py's

    def setUp(self):
        import random
        rng = random.Random(2525)
        hiers = {c: test_national.province_hierarchy(c) for c in test_national.PROVINCES}
        self.provinces = {}
        self.national = test_national.National(hiers)
        self.net = self.national.net
        self.agg = self.national.agg
        self.http_host, self.http_port = self.national.http
        self.agg.start()
        wait_until(lambda: tcp_accepts(self.http_host, self.http_port), 30,
                   "the national aggregator's HTTP server accepting connections", self.net)
        self.token = self.national.token("VN")
        for code in test_national.PROVINCES:
            p = test_national.Province(code, self.national, random.Random(rng.random()))
            self.provinces[code] = p
            p.start()
            p.submit_round()
        wait_until(lambda: not test_national.mismatches(self.national, self.provinces), 240,
                   "the national figures of the three provinces", self.net, interval=0.5)
        self.shots = None

    def tearDown(self):
        try:
            super().tearDown()
        finally:
            for p in self.provinces.values():
                p.stop()
                p.net.cleanup(keep=bool(os.environ.get("LNOB_KEEP_TMP")))

    def page_view(self):
        return strip(self.js("return window.lnob.state.view"))

    def test_national_dashboard(self):
        self.start_dashboard_browser()
        base = "http://%s:%d/" % (self.http_host, self.http_port)
        self.viewport(1366, 900)
        self.driver.get(base + "#token=" + self.token)
        self.wait(lambda: self.idle() and "(VN)" in self.one("#unit-h").text and
                  self.js("return window.lnob.state.view && window.lnob.state.view.unit.code")
                  == "VN", "the country's summary")
        self.assertEqual(self.page_view(), strip(self.rollup("VN")),
                         "the page's view of the country is /api/rollup's")
        for code in test_national.PROVINCES:
            self.wait(lambda c=code: self.css('#tree [data-code="%s"]' % c),
                      "province %s in the tree" % code)
        # A province picked in the tree: its summary, its national target.
        self.one('#tree [data-code="AAA"] > .nm').click()
        self.unit_shown("AAA")
        aaa = self.rollup("AAA")
        self.check_summary(aaa)
        self.assertEqual(self.page_view(), strip(aaa))
        self.assertEqual(sorted(r["code"] for r in aaa["children"]),
                         sorted(self.provinces["AAA"].hier.children["AAA"]),
                         "the districts the snapshots carry")


if __name__ == "__main__":
    lnobtest.main()
