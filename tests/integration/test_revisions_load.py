"""One node cannot slow everyone: 4,000 revisions of one unit.

A collector queues 4,000 corrections of one village (revision n on top of
n-1) and sends them as fast as its window allows. Meanwhile a second node
(the harness's independent client) sends its own reports one at a time and
times each ack. Before issue 8, each revision re-read and decoded every
earlier revision of its unit (0.6 s per 500 at first, 27 s per 500 at the
end) and the other node waited p50 2.6 s, max 8.3 s. Now a revision is
judged from the unit's latest record and its tips, and batches are built
round-robin across nodes: the other node's p99 ack latency must stay under
P99_BOUND_S. Figures (printed): the collector's time per 500 revisions,
first and last, and the other node's ack latencies.
"""

import csv
import sys
import time

import lnobtest
from lnobtest import CraftedClient, report_body, sign_envelope, wait_until

KIND_REPORT = 1
REVISIONS = 4000
P99_BOUND_S = 2.5        # an ASan build on a loaded 2-core machine: one batch of 256 is
                         # about 0.4 s there; before issue 8, p50 was 2.6 s and max 8.3 s
UNIT_A, UNIT_B = "V11-0001", "V21-0001"


def percentile(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(p / 100.0 * len(s)))]


class RevisionsLoadTest(lnobtest.NetTestCase):

    def test_one_unit_many_revisions_others_unhindered(self):
        net = self.net
        agg = net.add_aggregator()
        agg.start()
        keys = net.keygen(agg.bin, "bnode", net.path("bnode.key"))
        agg.enroll(keys.pub_path, "D2")
        sk = keys.signing_key()
        a = net.add_collector("anode", "D1", window=256)
        path = net.path("revisions.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["campaign", "period", "unit", "revision", "base_revision",
                        "completed_at", "poor_households"])
            for rev in range(1, REVISIONS + 1):
                w.writerow([lnobtest.CAMPAIGN, lnobtest.PERIOD, UNIT_A, rev, rev - 1,
                            1701140400, rev])
        a.submit(path)

        latencies, marks = [], []
        seq = 0
        with CraftedClient(net, keys) as cl:
            cl.handshake()
            a.start()
            t0 = time.monotonic()
            deadline = t0 + 600
            next_mark = t0
            while time.monotonic() < deadline:
                seq += 1
                env = sign_envelope(sk, "bnode", seq, KIND_REPORT,
                                    report_body(UNIT_B, {"poor_households": seq}, revision=seq))
                sent = time.monotonic()
                kind, ans = cl.send_envelope(env, timeout=60)
                self.assertEqual(kind, "ack", ans)
                latencies.append(time.monotonic() - sent)
                if time.monotonic() >= next_mark:
                    st = agg.status()
                    marks.append((time.monotonic() - t0, st["envelopes"] - seq))
                    next_mark = time.monotonic() + 0.25
                    if marks[-1][1] >= REVISIONS:
                        break
            drained = time.monotonic() - t0
        self.assertGreaterEqual(marks[-1][1], REVISIONS, "the collector's revisions all stored")
        st = a.wait_drained(timeout=60)
        self.assertEqual(st["parked"], 0, st)

        def time_for(lo, hi):
            """Seconds between the marks where the count passed lo and hi."""
            t_lo = next(t for t, n in marks if n >= lo) if lo else 0.0
            t_hi = next(t for t, n in marks if n >= hi)
            return t_hi - t_lo

        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        sys.stderr.write(
            "revisions_load: %d revisions of %s stored in %.1f s (first 500 by %.2f s, last 500 "
            "in %.2f s); other node: %d acks, latency p50 %.3f s, p99 %.3f s, max %.3f s "
            "(bound p99 < %.1f s)\n"
            % (REVISIONS, UNIT_A, drained, time_for(0, 500),
               time_for(REVISIONS - 500, REVISIONS), len(latencies), p50, p99, max(latencies),
               P99_BOUND_S))
        self.assertLess(p99, P99_BOUND_S, "the other node's p99 ack latency")

        # Everything is where it should be.
        h = net.cli(agg.cmd("history", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN,
                            "--period", lnobtest.PERIOD, "--unit", UNIT_A, "--json"))
        import json
        hist = json.loads(h.out)
        self.assertEqual(hist["revisions"], REVISIONS)
        self.assertIsNone(hist["conflict"])
        root = agg.rollup("P")
        self.assertEqual(root["unit"]["sums"]["poor_households"], REVISIONS + seq)
        v = agg.verify()
        self.assertEqual(v.returncode, 0, v.out)


if __name__ == "__main__":
    lnobtest.main()
