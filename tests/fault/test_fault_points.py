"""Each fault-injection point (LNOB_FAULT, compiled into test builds), hit
deliberately in the aggregator, the relay and a collector: the process dies
exactly there by SIGKILL, is restarted, and in the end every report arrives
exactly once, as after random kills.

The points (README.md, "Fault injection"):
  agg.mid_batch, agg.before_commit, agg.after_commit        lnob-aggregator run
  relay.before_custody, relay.after_custody                 lnob-collector run (relay)
  collector.after_send, collector.after_ack                 lnob-collector run
  collector.enqueue_before_commit                           lnob-collector submit
"""

import random
import time
import unittest

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

PER_ROUND = 60            # reports each collector submits per round
HITS = 2                  # each daemon point is hit this many times (n-th hit varies)
MAX_ROUNDS = 6            # rounds fed to an armed daemon until it reaches its point


@unittest.skipUnless(faultlib.fault_injection_built(),
                     "binaries built without -DLNOB_FAULT_INJECTION=ON")
class FaultPointsTest(lnobtest.NetTestCase):

    def setUp(self):
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=1400))
        self.hier = self.net.hier

    def arm(self, who, point, nth, field):
        """Restarts `who` (the aggregator or a collector) armed to die at
        the nth hit of point, feeds it rounds of reports until it dies there
        (how many transactions a round takes depends on batching, so the
        nth hit may need more than one), and restarts it unarmed."""
        faultlib.kill9(who.daemon)     # (a fresh daemon may not have set up SIGTERM yet)
        who.start(env={"LNOB_FAULT": "%s:%d" % (point, nth)}, ready=False)
        def died_or_drained():
            if who.daemon.proc.poll() is not None:
                return "died"
            return all(c.status()["queued"] == 0 for c in field.collectors) and "drained"
        for _ in range(MAX_ROUNDS):
            field.submit_round(PER_ROUND)
            # Until it dies, or the round went through without reaching the
            # point (then another round).
            if wait_until(died_or_drained, 60, "%s to reach %s or the round to drain"
                          % (who.daemon.name, point), interval=0.05) == "died":
                break
        faultlib.reap_fault(who.daemon, point, self.net, timeout=5)
        who.start()

    def test_every_point(self):
        net = self.net
        seed = faultlib.seed()
        rng = random.Random(seed)
        say("fault_points: seed %d" % seed)
        points = [
            ("agg.mid_batch", "agg"), ("agg.before_commit", "agg"),
            ("agg.after_commit", "agg"),
            ("relay.before_custody", "relay"), ("relay.after_custody", "relay"),
            ("collector.after_send", "commune"), ("collector.after_ack", "direct"),
        ]
        rounds = len(points) * HITS * MAX_ROUNDS + 2
        field = faultlib.Field(net, rng, 3 * PER_ROUND * rounds)
        agg = field.agg
        agg.start()
        field.start_collectors()
        t0 = time.monotonic()
        hit = []
        for point, role in points:
            who = {"agg": agg, "relay": field.relay, "commune": field.commune,
                   "direct": field.direct}[role]
            for _ in range(HITS):
                nth = rng.randint(1, 3)
                self.arm(who, point, nth, field)
                hit.append("%s:%d" % (point, nth))

        # submit killed between assigning seqs and committing them: nothing
        # of it is queued, no seq is consumed, and the same file goes in on
        # the next try with the seqs the killed call would have had.
        c = field.direct
        before = c.status()
        stream = field.streams[0]
        chunk = stream.reports[stream.sent:stream.sent + PER_ROUND]
        path = net.path("enqueue-crash.csv")
        lnobtest.write_reports_csv(path, chunk)
        r = faultlib.cli_env(net, c.cmd("submit", "-c", c.conf, path),
                             {"LNOB_FAULT": "collector.enqueue_before_commit"})
        self.assertEqual(r.returncode, faultlib.KILLED, "submit: %s%s" % (r.out, r.err))
        self.assertIn("fault injection: SIGKILL at collector.enqueue_before_commit", r.err)
        after = c.status()
        self.assertEqual(after["next_seq"], before["next_seq"], (before, after))
        self.assertLessEqual(after["queued"], before["queued"], (before, after))
        hit.append("collector.enqueue_before_commit")
        c.submit(path)
        stream.sent += len(chunk)
        again = c.status()
        self.assertEqual(again["next_seq"], before["next_seq"] + len(chunk), again)

        # The rest of the stream, unharmed.
        for s in field.streams:
            s.submit_next(s.remaining())
        st = faultlib.check_exactly_once(self, agg, field.collectors, field.submitted(),
                                         timeout=600)
        self.assertEqual(st["envelopes"], len(field.all_reports()))
        say("fault_points: hit %s; %d stored exactly once, %.1f s"
            % (", ".join(hit), st["envelopes"], time.monotonic() - t0))


if __name__ == "__main__":
    lnobtest.main()
