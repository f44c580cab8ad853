"""The collectors and the relay SIGKILLed at random moments, at least 20
times in all, while they send 20,000 reports (the offices keep submitting,
with the daemon down too): after the last restart exactly 20,000 are stored
at the aggregator, none twice, and the rollups equal the sums of what was
submitted."""

import random
import time

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

TOTAL = 20000
KILLS = 24


class CrashCollectorsTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=1400))
        self.hier = self.net.hier

    def test_collectors_and_relay_killed_repeatedly(self):
        net = self.net
        seed = faultlib.seed()
        rng = random.Random(seed)
        say("crash_collectors: seed %d (LNOB_FAULT_SEED=%d repeats this run)" % (seed, seed))
        field = faultlib.Field(net, rng, TOTAL)
        agg = field.agg
        agg.start()
        field.start_collectors()
        per_round = -(-TOTAL // (3 * KILLS))
        victims = {c.node_id: 0 for c in field.collectors}
        t0 = time.monotonic()
        for _ in range(KILLS):
            field.submit_round(per_round)       # works with a daemon down too
            # Anything killed last round comes back now or a round later.
            for c in field.collectors:
                if not field.alive(c) and rng.random() < 0.7:
                    c.start()
            # A running commune needs its relay running to make progress.
            if (field.alive(field.commune) or rng.random() < 0.5) and \
                    not field.alive(field.relay):
                field.relay.start()
            live = [c for c in field.collectors if field.alive(c)]
            if not live:
                field.relay.start()
                live = [field.relay]
            victim = rng.choice(live)
            stored = field.stored()
            target = stored + rng.randint(0, 2 * per_round)

            def reached():
                s = field.stored()
                if s >= target or s >= len(field.submitted()):
                    return True
                # The rest may wait in an outbox whose daemon is down.
                return all(c.status()["queued"] == 0 for c in live)
            # While the victim runs, the stream moves on; then it dies.
            wait_until(reached, 120, "aggregator storing up to %d" % target, net, interval=0.05)
            faultlib.kill9(victim.daemon)
            victims[victim.node_id] += 1
        for c in (field.relay, field.direct, field.commune):
            if not field.alive(c):
                c.start()
        self.assertEqual(field.remaining(), 0)
        st = faultlib.check_exactly_once(self, agg, field.collectors, field.submitted(),
                                         timeout=600)
        self.assertEqual(st["envelopes"], TOTAL)
        # Every seq a collector assigned is accounted for: its outbox is
        # empty and the aggregator holds exactly what it submitted.
        for c, s in zip(field.collectors, field.streams):
            cs = c.status()
            self.assertEqual(cs["next_seq"], s.sent + 1, "collector %s: %r" % (c.node_id, cs))
        k = agg.counters()[1]
        say("crash_collectors: SIGKILLs %r; %d stored, %d duplicates acked again, %.1f s"
            % (victims, st["envelopes"], k["duplicate"], time.monotonic() - t0))


if __name__ == "__main__":
    lnobtest.main()
