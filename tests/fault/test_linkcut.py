"""The link between a collector and the aggregator cut for at least 30 s
while the office keeps submitting: the backlog shows in the collector's
status during the cut, the aggregator shows the backlog the collector's first
heartbeats report once the link is back (a slow link first, as poor lines
recover), and everything arrives exactly once."""

import random
import time

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

CUT_SECONDS = 30
CHUNKS_DURING_CUT = 10
CHUNK = 150
SLOW_RATE = 8 * 1024        # bytes/s collector -> aggregator while recovering


class LinkCutTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=200))
        self.hier = self.net.hier
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.close()
        super().tearDown()

    def node_health(self, agg, node_id):
        st = agg.status()
        for n in st["nodes"]:
            if n["id"] == node_id:
                return n
        raise AssertionError("node %s not in aggregator status: %r" % (node_id, st))

    def test_cut_link_backlog_arrives_once(self):
        net = self.net
        rng = random.Random(3030)
        agg = net.add_aggregator()
        agg.start()
        self.proxy = faultlib.Proxy(agg.host, agg.host, agg.port)
        c = net.add_collector("d1-office", "D1", endpoint=self.proxy.endpoint,
                              heartbeat_ms=500, dead_after_ms=3000, backoff_max_ms=2000)
        units = faultlib.units_below(self.hier, "D1")
        stream = faultlib.Stream(net, c, units, CHUNK * (CHUNKS_DURING_CUT + 1), rng)
        c.start()

        # The link works: a first chunk arrives, and the aggregator hears the
        # collector's heartbeats.
        stream.submit_next(CHUNK)
        c.wait_drained()
        agg.wait_status(lambda st, k: st["envelopes"] == CHUNK, "first chunk stored")
        wait_until(lambda: self.node_health(agg, c.node_id).get("health"), 30,
                   "the aggregator recording the collector's heartbeat health", net)

        # Cut. The office keeps working: every chunk is queued and the
        # collector's status shows the backlog growing.
        self.proxy.cut()
        t_cut = time.monotonic()
        backlog = 0
        for _ in range(CHUNKS_DURING_CUT):
            backlog += stream.submit_next(CHUNK)
            st = c.status()
            self.assertEqual(st["queued"], backlog, "collector status during the cut: %r" % st)
            self.assertEqual(st["parked"], 0, st)
        # Hold the cut for CUT_SECONDS in all; the backlog stays put.
        st = wait_until(lambda: time.monotonic() - t_cut >= CUT_SECONDS and c.status(),
                        CUT_SECONDS + 30, "the cut to last %d s" % CUT_SECONDS, net,
                        interval=1.0)
        cut_s = time.monotonic() - t_cut
        self.assertEqual(st["queued"], backlog, st)
        # The oldest unacked report has waited about as long as the cut.
        self.assertGreaterEqual(st["oldest_unacked_age_s"], CUT_SECONDS - 5, st)
        # The aggregator stored nothing new and has not heard from the
        # collector since the cut: a link down, not a unit that is silent.
        agg_st = agg.status()
        self.assertEqual(agg_st["envelopes"], CHUNK, agg_st)
        during = self.node_health(agg, c.node_id)
        self.assertLessEqual(during["last_seen_ms"], time.time() * 1000 - (CUT_SECONDS - 5) * 1000,
                             during)

        # The line comes back slowly: the collector's heartbeats get through
        # and the aggregator shows the backlog they report.
        t_back_ms = time.time() * 1000
        self.proxy.throttle(SLOW_RATE)
        seen = wait_until(
            lambda: (lambda n: n["last_seen_ms"] > t_back_ms and n.get("health")
                     and n["health"]["queued"] > 0 and n)(self.node_health(agg, c.node_id)),
            60, "aggregator showing the collector's backlog from a heartbeat", net,
            interval=0.3)
        self.assertLessEqual(seen["health"]["queued"], backlog, seen)
        say("linkcut: aggregator saw backlog %d (of %d) in the first heartbeat after the cut"
            % (seen["health"]["queued"], backlog))

        # Full speed: the backlog drains; time it.
        self.proxy.restore()
        t_full = time.monotonic()
        c.wait_drained(timeout=180)
        drain_s = time.monotonic() - t_full

        st = faultlib.check_exactly_once(self, agg, [c], stream.reports, periods=faultlib.PERIODS)
        self.assertEqual(st["envelopes"], CHUNK + backlog)
        say("linkcut: cut %.1f s, backlog %d reports, drained %.1f s after the link was "
            "fully restored; %d stored in all, proxy saw %d connections"
            % (cut_s, backlog, drain_s, st["envelopes"], self.proxy.connections))


if __name__ == "__main__":
    lnobtest.main()
