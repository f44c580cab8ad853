"""Two collectors, 1,000 reports each, through the real daemons: everything
arrives exactly once and the rollups equal the sums of what was submitted."""

import random
import sys
import time

import lnobtest
from lnobtest import CAMPAIGN, PERIOD, wait_until

REPORTS_PER_COLLECTOR = 1000
DRAIN_TIMEOUT = 180


class BulkTest(lnobtest.NetTestCase):

    def setUp(self):
        # 500 villages per commune: 1,003 units per district.
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=500))
        self.hier = self.net.hier

    def units_for(self, district):
        """1,000 distinct units in the district's subtree: its communes and
        998 of its villages."""
        sub = [u for u in self.hier.subtree(district) if u != district]
        communes = sorted(u for u in sub if self.hier.level[u] == "commune")
        villages = sorted(u for u in sub if self.hier.level[u] == "village")
        units = communes + villages[:REPORTS_PER_COLLECTOR - len(communes)]
        self.assertEqual(len(set(units)), REPORTS_PER_COLLECTOR)
        return units

    def test_two_collectors_thousand_reports_each(self):
        net = self.net
        agg = net.add_aggregator()
        rng = random.Random(20231128)
        submitted = []
        collectors = []
        for district, node_id in (("D1", "d1-office"), ("D2", "d2-office")):
            c = net.add_collector(node_id, district, window=128)
            reports = [{"unit": u, "revision": 1, "values": lnobtest.make_values(rng),
                        "narrative": "bulk %s %d" % (u, i)}
                       for i, u in enumerate(self.units_for(district))]
            rng.shuffle(reports)
            path = net.path("reports-%s.csv" % node_id)
            lnobtest.write_reports_csv(path, reports)
            c.submit(path)
            st = c.status()
            self.assertEqual(st["queued"], REPORTS_PER_COLLECTOR, st)
            self.assertEqual(st["parked"], 0, st)
            submitted += reports
            collectors.append(c)

        agg.start()
        t0 = time.monotonic()
        for c in collectors:
            c.start()

        def all_drained():
            sts = [c.status() for c in collectors]
            return all(s["queued"] == 0 and s["in_flight"] == 0 for s in sts) and sts

        sts = wait_until(all_drained, DRAIN_TIMEOUT,
                         "both collectors: queued 0 and in_flight 0", net, interval=0.5)
        drained_s = time.monotonic() - t0
        for s in sts:
            self.assertEqual(s["parked"], 0, s)
            self.assertIsNotNone(s["last_contact_ms"], s)

        total = 2 * REPORTS_PER_COLLECTOR
        st, counters = agg.wait_status(
            lambda st, k: st["envelopes"] >= total and k["stored"] >= total,
            "%d envelopes stored and counted" % total)
        self.assertEqual(st["envelopes"], total, st)
        self.assertEqual(st["reports"], total, st)
        self.assertEqual(st["quarantined"], 0, st)
        self.assertEqual(counters["stored"], total, st)
        for k, v in counters.items():
            if k.startswith("rejected_") or k in ("quarantined", "zap_denied"):
                self.assertEqual(v, 0, "counter %s: %r" % (k, st))
        nodes = {n["id"]: n for n in st["nodes"]}
        for c in collectors:
            self.assertIn(c.node_id, nodes, st)
            self.assertEqual(nodes[c.node_id]["scope"], c.scope)
            self.assertFalse(nodes[c.node_id]["revoked"])

        # The collectors' heartbeats carry their health to the aggregator.
        def healthy(st, k):
            nodes = {n["id"]: n for n in st["nodes"]}
            return all(nodes[c.node_id]["last_seen_ms"] is not None
                       and nodes[c.node_id]["health"] is not None
                       and nodes[c.node_id]["health"].get("queued", 0) == 0
                       for c in collectors)
        agg.wait_status(healthy, "each node's last_seen_ms set and health.queued 0")

        expected = lnobtest.expected_rollups(self.hier, submitted)
        root = agg.rollup()
        self.assertEqual((root["campaign"], root["period"]), (CAMPAIGN, PERIOD))
        self.assertRollupMatches(root["unit"], expected, "P")
        self.assertEqual(root["unit"]["units_reported"], total)
        self.assertEqual(sorted(ch["code"] for ch in root["children"]), ["D1", "D2"])
        for ch in root["children"]:
            self.assertRollupMatches(ch, expected, ch["code"])
        for district in ("D1", "D2"):
            r = agg.rollup(unit=district)
            self.assertRollupMatches(r["unit"], expected, district)
            self.assertEqual(sorted(ch["code"] for ch in r["children"]),
                             sorted(self.hier.children[district]))
            for ch in r["children"]:
                self.assertRollupMatches(ch, expected, ch["code"])

        v = agg.verify()
        self.assertEqual(v.returncode, 0, "verify: %s%s" % (v.out, v.err))
        # A figure for the record (status is polled every 0.5 s, so this is
        # an upper bound), not a pass/fail threshold.
        print("bulk: %d envelopes stored, rollups of %d units equal the submitted sums; outboxes drained "
              "within %.1f s of start" % (st["envelopes"], len(expected), drained_s),
              file=sys.stderr)


if __name__ == "__main__":
    lnobtest.main()
