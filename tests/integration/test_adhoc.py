"""Ad-hoc (đột xuất) requests (README "Ad-hoc requests").

    aggregator (campaign.ini, the hierarchy)
     |- d1-office   (scope D1; relay; aggregator_sign_key)
     |   |- c11-office  (scope C11; aggregator_sign_key)
     |- c12-office  (scope C12; no aggregator key: no metadata, no offline checks)

`lnob-aggregator request add`, run beside the daemon, stores a request
asking V11-0001, V11-0002 and V21-0001 for poor_households by a due day a
week ahead. The daemon takes it within a second and publishes a new
metadata version; the commune behind the relay gets it, and `requests`
there lists it with the units of its own scope only. The commune's
`submit` refuses offline a reply carrying an indicator the request does
not ask, and one for a unit it does not ask; it queues a good reply, which
the aggregator stores. The aggregator's completeness for the request's
period counts the reply: 3 expected, 1 reported (on time), 2 pending; and
`request list` shows the same. A reply the aggregator itself refuses (from
a commune without metadata, for a unit not asked) comes back parked with
the reason not_requested.
"""

import datetime
import json

import lnobtest
from lnobtest import wait_until
from test_levels import CAMPAIGN_INI, INDICATORS

CAMPAIGN = "lnob-2021-2025"
REQUEST = "dx-2026-1"
ASKED = ["V11-0001", "V11-0002", "V21-0001"]


class AdhocTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        kw = dict(heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50, backoff_max_ms=300)
        key = net.sign_key_conf(self.agg)
        self.relay = net.add_collector("d1-office", "D1", relay=True, extra_conf=key, **kw)
        self.commune = net.add_collector("c11-office", "C11", upstream=self.relay,
                                         extra_conf=key, **kw)
        self.blind = net.add_collector("c12-office", "C12", **kw)
        self.due = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()

    def csv(self, name, rows):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, [dict(r, period=REQUEST) for r in rows],
                                   INDICATORS)
        return path

    def request_add(self, *extra, ok=True):
        return self.net.cli(self.agg.cmd(
            "request", "add", "-c", self.agg.conf, "--campaign", CAMPAIGN, "--id", REQUEST,
            "--units", ",".join(ASKED), "--indicators", "poor_households", "--due", self.due,
            "--note", "Báo cáo nhanh số hộ nghèo", *extra), ok=ok)

    def wait_log(self, node, text):
        def seen():
            with open(node.daemon.log_path, "rb") as f:
                return text.encode() in f.read()
        wait_until(seen, 30, "%s log: %s" % (node, text), self.net)

    def held_requests(self, coll):
        return json.loads(self.net.cli(coll.cmd("requests", "-c", coll.conf, "--json")).out)

    def test_request_reaches_the_commune_and_its_reply_counts(self):
        net, agg, c = self.net, self.agg, self.commune
        agg.start()
        self.relay.start()
        c.start()
        v1 = wait_until(lambda: c.status()["metadata"], 60, "the commune holds metadata",
                        net)["version"]
        self.assertEqual(self.held_requests(c), [])

        out = self.request_add().out
        self.assertIn("ad-hoc request %s of campaign %s: 3 unit(s), 1 indicator(s)"
                      % (REQUEST, CAMPAIGN), out)
        # Refused again, with the reason named, and nothing changes.
        again = self.request_add(ok=False)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already has a period or a request of that id", again.err)

        held = wait_until(lambda: self.held_requests(c), 60,
                          "the commune gets the request through the relay", net)
        self.assertGreater(c.status()["metadata"]["version"], v1)
        self.assertEqual(len(held), 1, held)
        q = held[0]
        self.assertEqual((q["campaign"], q["id"], q["due"], q["note"]),
                         (CAMPAIGN, REQUEST, self.due, "Báo cáo nhanh số hộ nghèo"))
        self.assertEqual(q["units"], ["V11-0001", "V11-0002"])   # its own scope only
        self.assertEqual([i["code"] for i in q["indicators"]], ["poor_households"])
        self.assertEqual([r["id"] for r in self.held_requests(self.relay)], [REQUEST])
        text = net.cli(c.cmd("status", "-c", c.conf)).out
        self.assertIn("  %s (%s) due %s: V11-0001, V11-0002; poor_households"
                      % (REQUEST, CAMPAIGN, self.due), text)

        self.relay.stop()   # offline: the checks come from the metadata alone
        for name, row, words in (
                ("extra.csv", {"unit": "V11-0001", "revision": 1,
                               "values": {"poor_households": 9, "households_total": 90}},
                 ["indicator 'households_total' is not asked by ad-hoc request '%s'"
                  % REQUEST]),
                ("unasked.csv", {"unit": "V11-0003", "revision": 1,
                                 "values": {"poor_households": 4}},
                 ["unit 'V11-0003' is not asked by ad-hoc request '%s'" % REQUEST])):
            r = net.cli(c.cmd("submit", "-c", c.conf, self.csv(name, [row])), ok=False)
            self.assertEqual(r.returncode, 1, r.out + r.err)
            for w in words + ["%s:2: " % net.path(name), "nothing queued"]:
                self.assertIn(w, r.err)
        self.assertEqual(c.status()["queued"], 0)
        r = c.submit(self.csv("reply.csv", [{"unit": "V11-0001", "revision": 1,
                                             "values": {"poor_households": 7}}]))
        self.assertIn("queued 1 reports", r.out)
        self.relay.start()
        agg.wait_status(lambda s, k: k["stored"] >= 1, "the reply is stored", timeout=60)

        view = agg.rollup(period=REQUEST)
        self.assertEqual(view["period_kind"], "adhoc")
        comp = view["completeness"]
        village = [g for g in comp["levels"] if g["level"] == "village"]
        self.assertEqual(len(village), 1, comp)
        g = village[0]
        self.assertEqual((g["expected"], g["reported"], g["on_time"], g["pending"],
                          g["missing"]), (3, 1, 1, 2, 0), g)
        self.assertEqual(sorted(u["code"] for u in g["pending_units"]),
                         ["V11-0002", "V21-0001"])
        self.assertEqual(view["unit"]["sums"], {"poor_households": 7})
        listed = json.loads(net.cli(agg.cmd("request", "list", "-c", agg.conf,
                                            "--json")).out)
        self.assertEqual([(x["id"], x["expected"], x["reported"], x["missing_units"])
                          for x in listed],
                         [(REQUEST, 3, 1, ["V11-0002", "V21-0001"])])
        self.assertTrue(view["unit"]["report"] is None or
                        view["unit"]["report"]["status"] == "not_expected", view["unit"])

    def test_reply_refused_by_the_aggregator_is_parked(self):
        net, agg, b = self.net, self.agg, self.blind
        agg.start()
        self.request_add()
        self.wait_log(agg, "metadata: 1 new ad-hoc request(s)")   # the daemon took it
        b.start()
        r = b.submit(self.csv("blind.csv", [{"unit": "V12-0001", "revision": 1,
                                             "values": {"poor_households": 3}}]))
        self.assertIn("queued 1 reports", r.out)
        st = wait_until(lambda: b.status()["parked"] == 1 and b.status(), 60,
                        "the reply is parked at c12-office", net)
        item = st["parked_items"][0]
        self.assertEqual(item["reason"], "not_requested", item)
        self.assertIn("unit 'V12-0001' is not asked by ad-hoc request '%s'" % REQUEST,
                      item["detail"])
        agg.wait_status(lambda s, k: k["rejected_not_requested"] >= 1,
                        "counted under rejected_not_requested")

    def test_bad_requests_are_refused_with_the_reason(self):
        net, agg = self.net, self.agg
        cases = (
            (["--units", "D1,V11-0001"], "units 'D1' and 'V11-0001' are both asked"),
            (["--units", "X99"], "unit 'X99' is not in the hierarchy"),
            (["--indicators", "poor_rate"], "indicator 'poor_rate' is derived"),
            (["--indicators", "nope"], "'nope' is not an indicator of campaign"),
            (["--due", "2026-02-30"], "due: expected a date YYYY-MM-DD"),
            (["--id", "2023"], "already has a period or a request of that id"),
            (["--campaign", "other"], "--campaign 'other' is not a configured campaign"),
        )
        for extra, words in cases:
            argv = {"--campaign": CAMPAIGN, "--id": REQUEST, "--units": "V11-0001",
                    "--indicators": "poor_households", "--due": self.due}
            argv.update(dict(zip(extra[::2], extra[1::2])))
            flat = [x for kv in argv.items() for x in kv]
            r = net.cli(agg.cmd("request", "add", "-c", agg.conf, *flat), ok=False)
            self.assertEqual(r.returncode, 1, (extra, r.out, r.err))
            self.assertIn(words, r.err, extra)
        listed = json.loads(net.cli(agg.cmd("request", "list", "-c", agg.conf,
                                            "--json")).out)
        self.assertEqual(listed, [])


if __name__ == "__main__":
    lnobtest.main()
