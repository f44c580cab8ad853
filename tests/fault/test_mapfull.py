"""The aggregator's LMDB map too small for the stream.

1. With room to grow ([store] map_grow_mb, map_max_mb): the batch that hits
   MDB_MAP_FULL is counted (store_failed), the map grows and the batch is
   stored at once; nothing is lost or stored twice and the rollups equal the
   sums of what was submitted.
2. At its maximum (map_max_mb == map_size_mb): the daemon stays up, answers
   with retryable NACKs and logs the episode once; the collectors keep their
   items queued (none parked, none lost). Stopped, given a larger
   map_max_mb and restarted, it takes everything."""

import os
import random
import re
import time

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

REPORTS_PER_COLLECTOR = 1500
CHUNK = 500
MAP_MB = 1                  # far too small: the stream needs several MB
GROW_CONF = "\n[store]\nmap_max_mb = 64\nmap_grow_mb = 1\n"


log_text = lnobtest.log_text


def count(d, text):
    return log_text(d).count(text)


def agg_window(agg):
    with open(agg.conf) as f:
        return int(re.search(r"^window = (\d+)$", f.read(), re.M).group(1))


class MapFullTest(lnobtest.NetTestCase):

    def setUp(self):
        # 303 units per district x 5 periods: room for 1,500 distinct keys.
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=150))
        self.hier = self.net.hier

    def start_stream(self, agg, seed):
        """Two collectors (D1, D2), each with REPORTS_PER_COLLECTOR reports,
        the first chunk queued before they start, the rest while running."""
        rng = random.Random(seed)
        collectors, streams = [], []
        for district, node_id in (("D1", "d1-office"), ("D2", "d2-office")):
            # No timed resends: every resend in this test is NACK-driven.
            c = self.net.add_collector(node_id, district, resend_after_ms=120000,
                                       backoff_min_ms=100, backoff_max_ms=1000)
            s = faultlib.Stream(self.net, c, faultlib.units_below(self.hier, district),
                                REPORTS_PER_COLLECTOR, rng)
            s.submit_next(CHUNK)
            collectors.append(c)
            streams.append(s)
        for c in collectors:
            c.start()
        for _ in range(REPORTS_PER_COLLECTOR // CHUNK):     # bounded
            for s in streams:
                s.submit_next(CHUNK)
        for s in streams:
            self.assertEqual(s.remaining(), 0)
        return collectors, [r for s in streams for r in s.reports]

    def test_map_grows_and_everything_arrives_once(self):
        net = self.net
        agg = net.add_aggregator(map_size_mb=MAP_MB, extra_conf=GROW_CONF)
        agg.start()
        collectors, reports = self.start_stream(agg, 1101)
        total = len(reports)

        st = faultlib.check_exactly_once(self, agg, collectors, reports, timeout=180)
        counters = lnobtest.Counters(st["counters"])
        self.assertEqual(counters["stored"], total, st)
        # Each growth was provoked by a batch that failed with MDB_MAP_FULL,
        # counted and then stored in the grown map.
        grown = count(agg.daemon, "grown to ")
        self.assertGreaterEqual(grown, 1, "no map growth logged")
        self.assertGreaterEqual(counters["store_failed"], grown, st)
        # Growth retried each batch at once: no sender ever saw a refusal.
        for c in collectors:
            self.assertEqual(count(c.daemon, "NACK_STORE_FAILED"), 0,
                             "collector %s was refused" % c.node_id)
        size = os.path.getsize(os.path.join(agg.data_dir, "data.mdb"))
        self.assertGreater(size, MAP_MB << 20, "data.mdb is %d bytes" % size)
        say("mapfull/grow: %d envelopes stored exactly once; map grew %d time(s) from %d MB, "
            "data.mdb %.1f MB; store_failed %d, duplicates %d"
            % (st["envelopes"], grown, MAP_MB, size / 1048576.0, counters["store_failed"],
               counters["duplicate"]))

    def test_map_at_maximum_keeps_items_queued_until_restart(self):
        net = self.net
        agg = net.add_aggregator(map_size_mb=MAP_MB)      # map_max_mb defaults to it
        # Debug lines show each refused batch (the warnings are once per episode).
        with open(agg.conf) as f:
            conf = f.read()
        with open(agg.conf, "w") as f:
            f.write(conf.replace("[log]\nlevel = %s" % net.log_level, "[log]\nlevel = debug"))
        # A crafted client that only exchanges heartbeats, to read the credit.
        probe = net.keygen(agg.bin, "probe", net.path("probe.key"))
        agg.enroll(probe.pub_path, "P")
        agg.start()
        t_start = time.monotonic()
        collectors, reports = self.start_stream(agg, 2202)
        total = len(reports)

        # The map fills; the daemon says so, then refuses batch after batch
        # and stays up; the senders resend what was refused (NACK-driven:
        # timed resends are off) and are refused again.
        wait_until(lambda: count(agg.daemon, "full at its maximum") >= 1, 120,
                   "the aggregator logging that the map is full at its maximum", net)
        for c in collectors:
            wait_until(lambda c=c: count(c.daemon, "NACK_STORE_FAILED") >= 1, 60,
                       "collector %s seeing a retryable NACK_STORE_FAILED" % c.node_id, net)
            wait_until(lambda c=c: count(c.daemon, "unanswered envelopes again") >= 1, 60,
                       "collector %s resending refused envelopes" % c.node_id, net)
        refused = count(agg.daemon, "envelopes not stored:")
        wait_until(lambda: count(agg.daemon, "envelopes not stored:") >= refused + 3, 60,
                   "three more refused batches (the resends refused again)", net)
        # Credit is withheld while writes fail: a heartbeat is answered with
        # a probe credit of 1, not the window.
        with lnobtest.CraftedClient(net, probe) as cl:
            wait_until(lambda: cl.handshake().heartbeat.credit == 1, 60,
                       "a heartbeat answered with credit 1 while the store is full", net)
        stored_before = agg.status()["envelopes"]
        self.assertLess(stored_before, total, "the map held everything: the test proves nothing")
        agg.stop()                                        # exit 0 checked here

        # Failures are warned of once (at most once a minute), not once per
        # batch or envelope, and each warning is answered by a recovery line
        # at most once.
        text = log_text(agg.daemon)
        m = re.search(r"stopping: \d+ stored, \d+ duplicates, (\d+) failed batches", text)
        self.assertIsNotNone(m, "no stop summary in the aggregator log")
        failed = int(m.group(1))
        warnings = text.count("writes fail:")
        allowed = 1 + int(time.monotonic() - t_start) // 60
        self.assertGreaterEqual(warnings, 1)
        self.assertLessEqual(warnings, allowed, "store failure warnings")
        self.assertLessEqual(text.count("writes succeed again"), warnings)
        self.assertLessEqual(text.count("full at its maximum"), warnings)
        self.assertGreaterEqual(failed, 5, "failed batches")
        self.assertGreater(failed, warnings)

        # Nothing parked, nothing lost: what was not stored is still queued.
        for c in collectors:
            s = c.status()
            self.assertEqual(s["parked"], 0, "collector %s parked items: %r" % (c.node_id, s))
        stored = agg.status()["envelopes"]       # the store, read with the daemon gone
        queued = sum(c.status()["queued"] for c in collectors)
        self.assertGreater(queued, 0)
        self.assertGreaterEqual(queued + stored, total,
                                "items neither stored nor queued (lost)")
        say("mapfull/at-max: %d of %d stored before the map was full, %d queued; "
            "%d failed batches, %d warning(s)"
            % (stored, total, queued, failed, warnings))

        # The operator raises map_max_mb and restarts: everything arrives.
        with open(agg.conf, "a") as f:
            f.write(GROW_CONF)
        agg.start()
        st = faultlib.check_exactly_once(self, agg, collectors, reports, timeout=180)
        self.assertEqual(lnobtest.Counters(st["counters"])["stored"], total, st)
        self.assertGreaterEqual(count(agg.daemon, "grown to "), 1)
        with lnobtest.CraftedClient(net, probe) as cl:
            self.assertEqual(cl.handshake().heartbeat.credit, agg_window(agg))


if __name__ == "__main__":
    lnobtest.main()
