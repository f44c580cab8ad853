"""The fleet view: nodes behind a relay, as the aggregator sees them.

    aggregator
     |- d1-office   (scope D1; relay)
         |- c11-office  (scope C11; a relay itself, for the village below)
         |   |- v11-office  (scope V11-0001: a chain of two relays)
         |- c12-office  (scope C12; a crafted client saying its own health)
         |- c21-office  (scope C21, in D2: the relay may not report it)

`lnob-aggregator fleet --json` shows each node behind d1-office with its
via, its queued count and oldest unsent time as its heartbeats said, the
links that are down (a small LNOB_FLEET_DOWN_MS), and ignores what the
relay says of a node outside its scope (counted, logged once)."""

import json
import time

import lnobtest
from lnobtest import wait_until
from test_relay import RelayClient

DOWN_MS = 6000     # a relayed contact lags up to ~3.5 s per relay (its 2 s persist, heartbeats, the 1 s flush)
OLDEST_MS = 1700000000000      # the crafted node's oldest unsent item


class FleetTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        self.net.env["LNOB_FLEET_DOWN_MS"] = str(DOWN_MS)
        self.agg = self.net.add_aggregator()
        self.kw = dict(heartbeat_ms=200, dead_after_ms=3000, backoff_min_ms=50,
                       backoff_max_ms=500, resend_after_ms=5000)
        self.relay = self.net.add_collector("d1-office", "D1", relay=True, **self.kw)

    def fleet(self, *args):
        r = self.net.cli(self.agg.cmd("fleet", "-c", self.agg.conf, "--json", *args))
        return json.loads(r.out)

    def node(self, doc, node_id):
        rows = [n for n in doc["nodes"] if n["id"] == node_id]
        return rows[0] if rows else None

    def wait_fleet(self, pred, what, timeout=60):
        def cond():
            doc = self.fleet()
            return pred(doc) and doc
        return wait_until(cond, timeout, "fleet: " + what, self.net)

    def crafted_node(self, node_id, scope):
        """A node enrolled at the aggregator and at the relay, driven by
        hand: it says the health the test gives it."""
        c = self.net.add_collector(node_id, scope, upstream=self.relay, **self.kw)
        client = RelayClient(self.net, c.keys, self.relay)
        self.addCleanup(client.close)
        return client

    def say_health(self, client, queued, parked, oldest):
        f = lnobtest.pb().Frame()
        f.heartbeat.sent_at_ms = int(time.time() * 1000)
        f.heartbeat.health.queued = queued
        f.heartbeat.health.parked = parked
        f.heartbeat.health.oldest_queued_at = oldest
        f.heartbeat.health.next_seq = queued + 1
        client.send_raw(f.SerializeToString())

    # ------------------------------------------------------------------

    def test_fleet_behind_relay(self):
        net, agg, relay = self.net, self.agg, self.relay
        c11 = net.add_collector("c11-office", "C11", upstream=relay, relay=True, **self.kw)
        v11 = net.add_collector("v11-office", "V11-0001", upstream=c11, **self.kw)
        relay.enroll_downstream(v11)    # d1-office checks v11's signature too
        c12 = self.crafted_node("c12-office", "C12")
        # c21 is enrolled at the aggregator under D2's commune: the relay
        # admits it, but may not speak for it upward.
        c21 = net.add_collector("c21-office", "C21", upstream=relay, **self.kw)
        agg.start()
        relay.start()
        c11.start()
        v11.start()
        c21.start()
        c12.handshake()
        self.say_health(c12, queued=7, parked=2, oldest=OLDEST_MS)

        def behind(doc):
            a, b, c = (self.node(doc, i) for i in ("c11-office", "v11-office", "c12-office"))
            return (a["via"] == "d1-office" and a["link"] == "up" and
                    b["via"] == "c11-office" and b["link"] == "up" and
                    c["via"] == "d1-office" and c["queued"] == 7)
        doc = self.wait_fleet(behind, "c11, v11 and c12 behind their relays, up")
        c12_row = self.node(doc, "c12-office")
        self.assertEqual(c12_row["parked"], 2)
        self.assertEqual(c12_row["oldest_unsent_ms"], OLDEST_MS)
        self.assertGreater(c12_row["oldest_unsent_age_ms"], 0)
        self.assertEqual(self.node(doc, "d1-office")["via"], None)
        self.assertEqual(self.node(doc, "d1-office")["link"], "up")
        self.assertEqual(doc["down_after_ms"], DOWN_MS)
        relays = {r["id"]: r for r in doc["relays"]}
        self.assertEqual(sorted(relays["d1-office"]["nodes"]), ["c11-office", "c12-office"])
        self.assertEqual(relays["c11-office"]["nodes"], ["v11-office"])
        self.assertGreaterEqual(relays["d1-office"]["queued"], 7)

        # The relay may not report c21 (scope C21 is not in D1): ignored,
        # counted and logged once.
        st = agg.wait_status(lambda s, k: k["downstream_ignored"] > 0,
                             "downstream_ignored counted")
        doc = self.fleet()
        c21_row = self.node(doc, "c21-office")
        self.assertEqual(c21_row["via"], None)
        self.assertEqual(c21_row["link"], "never")
        self.assertGreater(doc["downstream_ignored"], 0)
        with open(agg.daemon.log_path) as f:
            lines = [l for l in f if "ignoring what d1-office reports of node c21-office" in l]
        self.assertEqual(len(lines), 1, lines)

        # --unit: only D2's subtree.
        d2 = self.fleet("--unit", "D2")
        self.assertEqual([n["id"] for n in d2["nodes"]], ["c21-office"])

        # The aggregator stops: v11 queues its items (c11 takes custody,
        # d1-office cannot forward); when the aggregator is back, the
        # relay's own row shows what it holds, and c11 queued behind it.
        agg.stop()
        path = net.path("v11.csv")
        lnobtest.write_reports_csv(path, [{"unit": "V11-0001", "revision": 1,
                                           "values": {"households_total": 10,
                                                      "poor_households": 2}}])
        v11.submit(path)
        wait_until(lambda: relay.status()["queued"] >= 1 or c11.status()["queued"] >= 1,
                   60, "the report held below the stopped aggregator", net)
        agg.start()
        v11.wait_drained()
        c11.wait_drained()
        relay.wait_drained()

        # A stopped collector goes down once silent over DOWN_MS.
        v11.stop()
        doc = self.wait_fleet(lambda d: self.node(d, "v11-office")["link"] == "down",
                              "v11 down after it stopped")
        self.assertIn("v11-office", doc["summary"]["links_down"])
        self.assertEqual(self.node(doc, "c11-office")["link"], "up")
        self.assertIn("v11-office", {r["id"]: r for r in doc["relays"]}["c11-office"]["down"])

        # The table: a line per node, times with their offset.
        r = net.cli(agg.cmd("fleet", "-c", agg.conf))
        self.assertRegex(r.out, r"links down: .*v11-office")
        self.assertRegex(r.out, r"\d\d:\d\d \+07:00")
        for node in ("d1-office", "c11-office", "v11-office", "c12-office", "c21-office"):
            self.assertIn(node, r.out)
        self.assertEqual(agg.counters()[1]["stored"], 1)

    def test_direct_contact_overrides_via(self):
        """A node that talks to the aggregator itself is never shown behind
        a relay that still remembers it."""
        net, agg, relay = self.net, self.agg, self.relay
        c11 = net.add_collector("c11-office", "C11", upstream=relay, **self.kw)
        agg.start()
        relay.start()
        c11.start()
        self.wait_fleet(lambda d: self.node(d, "c11-office")["via"] == "d1-office",
                        "c11 behind d1-office")
        c11.stop()
        # The same node now connects to the aggregator directly.
        direct = lnobtest.CraftedClient(net, c11.keys)
        self.addCleanup(direct.close)
        direct.handshake()

        def direct_row(doc):
            n = self.node(doc, "c11-office")
            return n["via"] is None and n["link"] == "up"
        def beat_and_check(doc):
            direct.send_raw(lnobtest.frame_heartbeat())
            return direct_row(doc)
        self.wait_fleet(beat_and_check, "c11 direct")
        # The relay keeps reporting its last word of c11 (older): it does not
        # override the direct contact.
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            direct.send_raw(lnobtest.frame_heartbeat())
            doc = self.fleet()
            self.assertTrue(direct_row(doc), doc)


if __name__ == "__main__":
    lnobtest.main()
