"""The aggregator SIGKILLed at random moments, at least 20 times, while three
collectors (one of them through a relay) send 20,000 reports: after the last
restart exactly 20,000 are stored, none twice, and the rollups equal the sums
of what was submitted."""

import random
import time

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

TOTAL = 20000
KILLS = 22


class CrashAggregatorTest(lnobtest.NetTestCase):

    def setUp(self):
        # 1,400 villages a commune: room for 20,000 distinct (period, unit).
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=1400))
        self.hier = self.net.hier

    def test_aggregator_killed_repeatedly(self):
        net = self.net
        seed = faultlib.seed()
        rng = random.Random(seed)
        say("crash_aggregator: seed %d (LNOB_FAULT_SEED=%d repeats this run)" % (seed, seed))
        field = faultlib.Field(net, rng, TOTAL)
        agg = field.agg
        agg.start()
        field.start_collectors()
        per_round = -(-TOTAL // (3 * KILLS))        # ceil: everything submitted by the last kill
        kills = 0
        killed_at = []
        t0 = time.monotonic()
        while kills < KILLS:
            field.submit_round(per_round)
            stored = field.stored()
            # A random moment: right after start, or after the store has
            # grown by a random number of envelopes (or the stream ran dry).
            if rng.random() < 0.2:
                target = stored
            else:
                target = stored + rng.randint(1, 3 * per_round)

            def reached():
                s = field.stored()
                return s >= target or s >= len(field.submitted())
            wait_until(reached, 120, "aggregator storing up to %d" % target, net, interval=0.05)
            killed_at.append(field.stored())
            faultlib.kill9(agg.daemon)
            kills += 1
            agg.start()
        self.assertEqual(field.remaining(), 0)
        st = faultlib.check_exactly_once(self, agg, field.collectors, field.submitted(),
                                         timeout=600)
        self.assertEqual(st["envelopes"], TOTAL)
        k = agg.counters()[1]
        say("crash_aggregator: %d SIGKILLs at stored counts %r; %d stored, %d duplicates "
            "acked again, %.1f s in all"
            % (kills, killed_at, st["envelopes"], k["duplicate"], time.monotonic() - t0))


if __name__ == "__main__":
    lnobtest.main()
