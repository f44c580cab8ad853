"""The aggregator stopped by SIGTERM (and SIGINT) while two collectors
stream reports into it: each time it finishes the batch in hand and exits 0;
every envelope a collector saw acked is in the store (read from the LMDB
files with mdb_dump, (signer, seq) by (signer, seq)); after the restarts
everything arrives exactly once. And every envelope stored before a SIGTERM
has been acked: the last acks leave within the bounded linger (seen by a
crafted client: a collector's DEALER, with ZMQ_IMMEDIATE, drops answers it
had not read yet when the connection ends, and sends those envelopes again)."""

import os
import random
import signal
import subprocess

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

REPORTS_PER_COLLECTOR = 900
CHUNK = 300
STOPS = (signal.SIGTERM, signal.SIGINT, signal.SIGTERM)
CRAFTED_ENVELOPES = 600
KIND_REPORT = 1


def mdb_keys(data_dir, db):
    """The keys of database db in the LMDB environment in data_dir, as
    bytes (mdb_dump, a reader beside any running daemon)."""
    r = subprocess.run(["mdb_dump", "-s", db, data_dir], capture_output=True, text=True,
                       timeout=lnobtest.CLI_TIMEOUT)
    if r.returncode != 0:
        raise AssertionError("mdb_dump -s %s %s: %s" % (db, data_dir, r.stderr))
    lines = r.stdout.splitlines()
    body = lines[lines.index("HEADER=END") + 1:lines.index("DATA=END")]
    return [bytes.fromhex(k.strip()) for k in body[0::2]]


def stored_seqs(agg, signer):
    """Seqs of signer in the aggregator's envelope log (its index
    envelope_ids: signer \\0 be64 seq)."""
    prefix = signer.encode() + b"\0"
    return {int.from_bytes(k[len(prefix):], "big")
            for k in mdb_keys(agg.data_dir, "envelope_ids") if k.startswith(prefix)}


def queued_seqs(c):
    """Seqs still in the collector's outbox (not acked)."""
    return {int.from_bytes(k, "big") for k in mdb_keys(c.data_dir, "outbox")}


def stop_with(d, sig):
    """Stops daemon d by pid with sig; returns its exit status."""
    os.kill(d.pid, sig)
    try:
        d.proc.wait(timeout=lnobtest.STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        faultlib.kill9(d)
        raise AssertionError("%s did not exit within %ss of %s"
                             % (d.name, lnobtest.STOP_TIMEOUT, signal.Signals(sig).name))
    d._log.close()
    d.returncode = d.proc.returncode
    return d.returncode


class SigtermTest(lnobtest.NetTestCase):

    def setUp(self):
        # 203 units per district x 5 periods: room for 900 distinct keys.
        self.net = lnobtest.Net(hier=lnobtest.Hierarchy(villages_per_commune=100))
        self.hier = self.net.hier

    def test_stop_signals_lose_nothing_acked(self):
        net = self.net
        rng = random.Random(4242)
        agg = net.add_aggregator(batch_max=64)
        collectors, streams = [], []
        for district, node_id in (("D1", "d1-office"), ("D2", "d2-office")):
            # A small window keeps the stream going long enough for the
            # stops to land in its middle.
            c = net.add_collector(node_id, district, window=16, dead_after_ms=3000,
                                  backoff_max_ms=1000)
            collectors.append(c)
            streams.append(faultlib.Stream(net, c, faultlib.units_below(self.hier, district),
                                           REPORTS_PER_COLLECTOR, rng))
        agg.start()
        for c in collectors:
            c.start()

        figures = []
        for sig in STOPS:
            for s in streams:
                s.submit_next(CHUNK)
            # Stop it in the middle of the stream: once it has stored some
            # of this chunk.
            base = agg.status()["envelopes"]
            agg.wait_status(lambda st, k: st["envelopes"] >= base + 50,
                            "50 more envelopes stored", timeout=60)
            d = agg.daemon
            self.assertEqual(stop_with(d, sig), 0, "exit status on %s" % sig.name)
            with open(d.log_path, errors="replace") as f:
                log = f.read()
            self.assertIn("finishing the batch in hand and stopping", log)

            # What the collectors saw acked is stored, envelope by envelope.
            stored_total = 0
            for c, s in zip(collectors, streams):
                submitted = set(range(1, s.sent + 1))
                stored = stored_seqs(agg, c.node_id)
                acked = submitted - queued_seqs(c)
                self.assertLessEqual(acked, stored,
                                     "%s: seqs acked but not stored: %s"
                                     % (c.node_id, sorted(acked - stored)[:20]))
                self.assertLessEqual(stored, submitted)
                stored_total += len(stored)
            figures.append((sig.name, stored_total, sum(s.sent for s in streams)))
            agg.start()

        for s in streams:
            while s.remaining():                 # bounded: CHUNK at a time
                s.submit_next(CHUNK)
        reports = [r for s in streams for r in s.reports]
        st = faultlib.check_exactly_once(self, agg, collectors, reports, timeout=120)
        self.assertEqual(lnobtest.Counters(st["counters"])["stored"], len(reports), st)
        self.assertTrue(any(stored < sent for _, stored, sent in figures),
                        "no stop came in the middle of a stream: %r" % figures)
        say("sigterm: stops (signal, stored, submitted) %r; finally %d stored exactly once, "
            "%d duplicates acked again"
            % (figures, st["envelopes"], lnobtest.Counters(st["counters"])["duplicate"]))

    def test_last_acks_leave_before_exit(self):
        """A crafted client (no ZMQ_IMMEDIATE: answers that arrived stay
        readable after the server is gone) streams envelopes; SIGTERM in the
        middle. Every envelope stored has been acked to it: the acks of the
        last batches were sent and left within the linger."""
        net = self.net
        rng = random.Random(77)
        agg = net.add_aggregator(batch_max=16)
        keys = net.keygen(agg.bin, "crafted", net.path("crafted.key"))
        agg.enroll(keys.pub_path, "D1")
        agg.start()
        sk = keys.signing_key()
        slots = [(p, u) for p in faultlib.PERIODS
                 for u in faultlib.units_below(self.hier, "D1")]
        rng.shuffle(slots)
        envs = [lnobtest.sign_envelope(sk, "crafted", seq, KIND_REPORT,
                                       lnobtest.report_body(u, lnobtest.make_values(rng),
                                                            period=p))
                for seq, (p, u) in enumerate(slots[:CRAFTED_ENVELOPES], 1)]
        with lnobtest.CraftedClient(net, keys) as cl:
            cl.handshake()
            for e in envs:
                cl.send_raw(lnobtest.frame_envelope(e))
            agg.wait_status(lambda st, k: st["envelopes"] >= 32, "32 envelopes stored",
                            timeout=60)
            self.assertEqual(stop_with(agg.daemon, signal.SIGTERM), 0)
            acked, nacked = set(), 0
            for _ in range(100000):              # bounded; ends at the first silence
                f = cl.recv_frame()
                if f is None:
                    break
                kind = f.WhichOneof("msg")
                if kind == "acks":
                    acked.update(a.seq for a in f.acks.acks if a.signer == "crafted")
                elif kind == "nack":
                    nacked += 1
        stored = stored_seqs(agg, "crafted")
        self.assertEqual(nacked, 0)
        self.assertEqual(acked - stored, set(), "acked, not stored")
        self.assertEqual(stored - acked, set(), "stored, never acked")
        say("sigterm/crafted: %d of %d envelopes stored before SIGTERM, each acked"
            % (len(stored), len(envs)))


if __name__ == "__main__":
    lnobtest.main()
