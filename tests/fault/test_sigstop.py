"""The aggregator frozen with SIGSTOP for at least 20 s while 50 collectors
keep submitting: nothing is lost, each collector's memory stays bounded (what
cannot be sent waits in its LMDB outbox, not in RAM), and everything arrives
exactly once after SIGCONT."""

import os
import random
import signal
import time

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

COLLECTORS = 50
VILLAGES_EACH = 8             # 8 villages x 5 periods = 40 (period, unit) keys each
BEFORE = 8                    # reports each collector sends before the stall
PER_ROUND = 8                 # reports each collector submits per round during it
STALL_SECONDS = 20
MAX_RSS_GROWTH_KB = 16 * 1024


class SigstopTest(lnobtest.NetTestCase):

    def setUp(self):
        # 4 communes x 104 villages: 50 collectors x 8 villages of their own.
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=104))
        self.hier = self.net.hier
        self.agg_stopped = False

    def tearDown(self):
        agg = self.net.aggregator
        if self.agg_stopped and agg and agg.daemon and agg.daemon.proc.poll() is None:
            os.kill(agg.daemon.pid, signal.SIGCONT)
        super().tearDown()

    def test_frozen_aggregator_fifty_collectors(self):
        net = self.net
        rng = random.Random(5050)
        agg = net.add_aggregator()
        agg.start()
        communes = ["C11", "C12", "C21", "C22"]
        villages = {cc: sorted(faultlib.units_below(self.hier, cc, include_self=False))
                    for cc in communes}
        # Small ASan quarantine, so RSS measures what the collector holds,
        # not freed blocks ASan keeps back (256 MB by default).
        asan = net.env.get("ASAN_OPTIONS", "")
        env = {"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=4"}
        collectors, streams = [], []
        for i in range(COLLECTORS):
            cc = communes[i % len(communes)]
            k = i // len(communes)
            units = villages[cc][k * VILLAGES_EACH:(k + 1) * VILLAGES_EACH]
            self.assertEqual(len(units), VILLAGES_EACH)
            c = net.add_collector("c%02d" % i, cc, window=32, heartbeat_ms=500,
                                  dead_after_ms=3000, backoff_max_ms=2000, map_size_mb=16)
            collectors.append(c)
            streams.append(faultlib.Stream(net, c, units, VILLAGES_EACH * len(faultlib.PERIODS),
                                           rng))
        for c, s in zip(collectors, streams):
            s.submit_next(BEFORE)
            c.start(env=env)
        agg.wait_status(lambda st, k: st["envelopes"] == COLLECTORS * BEFORE,
                        "the first %d reports stored" % (COLLECTORS * BEFORE), timeout=120)

        # Freeze the aggregator. Its sockets stay open; nothing answers.
        os.kill(agg.daemon.pid, signal.SIGSTOP)
        self.agg_stopped = True
        t_stop = time.monotonic()
        rss0 = [faultlib.rss_kb(c.daemon.pid) for c in collectors]
        rounds = 0
        # Rounds of submits for at least STALL_SECONDS (bounded in count).
        while rounds < 4 and (rounds < 2 or time.monotonic() - t_stop < STALL_SECONDS):
            for s in streams:
                s.submit_next(PER_ROUND)
            rounds += 1
        wait_until(lambda: time.monotonic() - t_stop >= STALL_SECONDS, STALL_SECONDS + 5,
                   "the stall to last %d s" % STALL_SECONDS, net, interval=0.5)
        stall_s = time.monotonic() - t_stop
        net.check_alive()
        rss1 = [faultlib.rss_kb(c.daemon.pid) for c in collectors]
        queued = 0
        for c, s in zip(collectors, streams):
            st = c.status()
            # Everything submitted in the stall is still queued, none parked.
            self.assertGreaterEqual(st["queued"], rounds * PER_ROUND, st)
            self.assertEqual(st["parked"], 0, st)
            queued += st["queued"]
        growth = [b - a for a, b in zip(rss0, rss1)]
        self.assertLessEqual(max(growth), MAX_RSS_GROWTH_KB,
                             "collector RSS growth during the stall (KiB): %r" % growth)

        os.kill(agg.daemon.pid, signal.SIGCONT)
        self.agg_stopped = False
        t_cont = time.monotonic()
        reports = [r for s in streams for r in s.reports[:s.sent]]
        st = faultlib.check_exactly_once(self, agg, collectors, reports, timeout=300)
        drain_s = time.monotonic() - t_cont
        say("sigstop: %d collectors, stalled %.1f s, %d reports queued across them during "
            "the stall, collector RSS growth median %d KiB max %d KiB; all %d stored "
            "%.1f s after SIGCONT"
            % (COLLECTORS, stall_s, queued, sorted(growth)[len(growth) // 2], max(growth),
               st["envelopes"], drain_s))


if __name__ == "__main__":
    lnobtest.main()
