"""floodpeer: the peers of tests/security/test_flood.py: the flooders, and
the good client whose ack latency the test measures.

Run as a script, it is one flooder, in a process of its own so that its
Python work shares no interpreter lock with the good client's
measurements. It prints "ready" on stdout once it is connected (its
CURVE handshake passed ZAP, or for `unknown` once its keys are made),
floods, then prints one JSON line of what it did and exits 0 (exit 1
with the reason on stderr when it could not):

  floodpeer.py badsig  --key K --server-key HEX --endpoint E --count N --unit U
      N envelopes signed... wrongly: each carries the signature of another
      seq, so the aggregator verifies it in full and refuses it
      bad_signature. K is the enrolled flooder's identity file.
  floodpeer.py large   --key K --server-key HEX --endpoint E --count N --unit U --size B
      N envelopes of about B bytes, validly signed, each a report for U,
      a unit outside K's scope: decoded, verified and refused
      out_of_scope (a pool of 16 distinct seqs, sent round and round:
      nothing refused is stored, so each is judged again).
  floodpeer.py unknown --server-key HEX --endpoint E --count N
      N connection attempts with fresh CURVE keys nobody enrolled, 100 at
      a time, each one attempt (no reconnect), waited for until the
      handshake failed (or, wrongly, passed).

The flooders ignore credit: they send as fast as the socket takes it and
read every answer meanwhile ("answered" counts NACKs and acks), until
all are answered or --seconds pass.

Standard library and Debian's python3-zmq, python3-nacl, python3-protobuf;
lnobtest (tests/integration, on PYTHONPATH) for the wire helpers.
"""

import argparse
import json
import math
import sys
import threading
import time

import zmq

import lnobtest
from lnobtest import frame_envelope, pb, report_body, sign_envelope

KIND_REPORT = 1
VALUES = {"households_total": 120, "poor_households": 9}
POOL = 16            # distinct envelopes of the large flood
WAVE = 100           # unknown-key connection attempts at a time
SEND_BURST = 256     # frames sent per turn before reading answers again


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def percentile(values, p):
    """The nearest-rank p-th percentile of values (seconds), or None."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def rss_anon_kb(pid):
    """RssAnon of process pid in kB (/proc/PID/status)."""
    return lnobtest.proc_status_kb(pid, "RssAnon")


# ---------------------------------------------------------------------------
# The good client
# ---------------------------------------------------------------------------

class GoodClient(threading.Thread):
    """An enrolled node sending one correctly signed report at a time, at
    most one every period_s, each for the next of units with a period of
    its own (so each is stored new), and timing each from its send to the
    ack that names it. Each latency is kept under the phase set at its
    send (self.phase; None: not counted). Runs until stop(); a refusal or
    an ack later than ack_timeout_s ends it with self.error set."""

    def __init__(self, net, keys, units, period_s=0.02, ack_timeout_s=30.0):
        super().__init__(name="good-client", daemon=True)
        self.net, self.keys, self.units = net, keys, list(units)
        self.period_s, self.ack_timeout_s = period_s, ack_timeout_s
        self.phase = None
        self.samples = {}          # phase -> [latency s]
        self.acked = []            # seqs acked, in order
        self.error = None
        self._halt = threading.Event()

    def stop(self, timeout):
        self._halt.set()
        self.join(timeout)
        if self.is_alive():
            raise AssertionError("the good client did not stop within %ss" % timeout)

    def count(self):
        return len(self.acked)

    def run(self):
        client = None
        try:
            client = lnobtest.CraftedClient(self.net, self.keys)
            client.handshake()
            self._loop(client.sock)
        except BaseException as e:      # reported by the test, in its thread
            self.error = e
        finally:
            if client is not None:
                client.close()

    def _loop(self, sock):
        sk = self.keys.signing_key()
        seq = 0
        while not self._halt.is_set():
            seq += 1
            unit = self.units[seq % len(self.units)]
            env = sign_envelope(sk, self.keys.node_id, seq, KIND_REPORT,
                                report_body(unit, VALUES, period="f%d" % seq))
            data = frame_envelope(env)
            phase = self.phase
            t0 = time.monotonic()
            sock.send(data)
            latency = self._wait_ack(sock, seq, t0) - t0
            self.acked.append(seq)
            if phase is not None:
                self.samples.setdefault(phase, []).append(latency)
            # Pacing (at most one report a period), not synchronisation.
            self._halt.wait(max(0.0, t0 + self.period_s - time.monotonic()))

    def _wait_ack(self, sock, seq, t0):
        """The monotonic time the ack of seq arrived; fails on its NACK or
        after ack_timeout_s."""
        deadline = t0 + self.ack_timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("good report seq %d: no ack within %ss"
                                     % (seq, self.ack_timeout_s))
            if not sock.poll(min(left, 0.5) * 1000, zmq.POLLIN):
                continue
            data = sock.recv(zmq.NOBLOCK)
            t = time.monotonic()
            f = pb().Frame()
            f.ParseFromString(data)
            kind = f.WhichOneof("msg")
            if kind == "acks" and any(a.signer == self.keys.node_id and a.seq == seq
                                      for a in f.acks.acks):
                return t
            if kind == "nack" and f.nack.signer == self.keys.node_id and f.nack.seq == seq:
                raise AssertionError("good report seq %d refused: %s: %s"
                                     % (seq, lnobtest.nack_reason_name(f.nack.reason),
                                        f.nack.detail))


# ---------------------------------------------------------------------------
# The flooders
# ---------------------------------------------------------------------------

class _Net:
    """What lnobtest.CraftedClient needs of a Net, for a flooder process:
    the aggregator's endpoint and key, and no daemons of its own."""

    def __init__(self, endpoint, server_key):
        self.aggregator = argparse.Namespace(endpoint=endpoint,
                                             keys=argparse.Namespace(curve_public=server_key))

    def check_alive(self):
        pass


def _badsig_frames(keys, count, unit):
    """count frames of envelopes seq 1..count, each with the signature of
    seq 0's: verified in full, refused bad_signature."""
    body = report_body(unit, VALUES, period="flood")
    sk = keys.signing_key()
    wrong = pb().Envelope()
    wrong.ParseFromString(sign_envelope(sk, keys.node_id, 0, KIND_REPORT, body))
    for seq in range(1, count + 1):
        env = pb().Envelope(signer=keys.node_id, seq=seq, kind=KIND_REPORT, body=body,
                            signature=wrong.signature)
        yield frame_envelope(env.SerializeToString())


def _large_frames(keys, count, unit, size):
    """count frames of about size bytes, POOL distinct ones round and round,
    each validly signed, for a unit outside the flooder's scope."""
    sk = keys.signing_key()
    pool = []
    for seq in range(1, POOL + 1):
        narrative = "x" * max(0, size - 200)
        pool.append(frame_envelope(sign_envelope(
            sk, keys.node_id, seq, KIND_REPORT,
            report_body(unit, VALUES, period="flood", narrative=narrative))))
    for i in range(count):
        yield pool[i % POOL]


def _answers(data):
    """How many envelopes one answer frame answers."""
    f = pb().Frame()
    f.ParseFromString(data)
    kind = f.WhichOneof("msg")
    if kind == "nack":
        return 1
    if kind == "acks":
        return len(f.acks.acks)
    return 0


def _flood(sock, frames, count, deadline):
    """Sends every frame as fast as sock takes them, reading answers
    meanwhile, until count are answered or the deadline. Returns
    (sent, answered)."""
    sent = answered = 0
    it = iter(frames)
    nxt = next(it, None)
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN | zmq.POLLOUT)
    while answered < count and time.monotonic() < deadline:
        events = dict(poller.poll(100)).get(sock, 0)
        while events & zmq.POLLIN:
            try:
                answered += _answers(sock.recv(zmq.NOBLOCK))
            except zmq.Again:
                break
        for _ in range(SEND_BURST):
            if nxt is None or not events & zmq.POLLOUT:
                break
            try:
                sock.send(nxt, zmq.NOBLOCK)
            except zmq.Again:
                break
            sent += 1
            nxt = next(it, None)
            if nxt is None:
                poller.modify(sock, zmq.POLLIN)
    return sent, answered


def _enrolled(opts):
    """The flood of an enrolled peer (badsig, large)."""
    keys = lnobtest.Keys(opts.key)
    if opts.mode == "badsig":
        frames = _badsig_frames(keys, opts.count, opts.unit)
    else:
        frames = _large_frames(keys, opts.count, opts.unit, opts.size)
    client = lnobtest.CraftedClient(_Net(opts.endpoint, opts.server_key), keys)
    try:
        client.handshake(timeout=min(30, opts.seconds))
        print("ready", flush=True)
        t0 = time.monotonic()
        sent, answered = _flood(client.sock, frames, opts.count, t0 + opts.seconds)
        return {"sent": sent, "answered": answered, "seconds": time.monotonic() - t0}
    finally:
        client.close()


def _attempt(ctx, opts):
    """One connection attempt with a fresh unenrolled key: (socket, its
    monitor)."""
    pub, sec = zmq.curve_keypair()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RECONNECT_IVL, -1)      # one attempt, no reconnect
    s.curve_secretkey, s.curve_publickey, s.curve_serverkey = sec, pub, opts.server_key
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH |
                               zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               zmq.EVENT_HANDSHAKE_SUCCEEDED)
    s.connect(opts.endpoint)
    return s, mon


def _wave(ctx, opts, n, deadline, tally):
    """n attempts at once, each waited for until its handshake ended."""
    from zmq.utils.monitor import recv_monitor_message
    socks = [_attempt(ctx, opts) for _ in range(n)]
    open_mons = {mon: s for s, mon in socks}
    try:
        poller = zmq.Poller()
        for mon in open_mons:
            poller.register(mon, zmq.POLLIN)
        while open_mons and time.monotonic() < deadline:
            for mon, _ in poller.poll(100):
                ev = recv_monitor_message(mon)["event"]
                key = ("refused" if ev == zmq.EVENT_HANDSHAKE_FAILED_AUTH else
                       "admitted" if ev == zmq.EVENT_HANDSHAKE_SUCCEEDED else "failed")
                tally[key] += 1
                poller.unregister(mon)
                del open_mons[mon]
        tally["unfinished"] += len(open_mons)
    finally:
        for s, mon in socks:
            s.disable_monitor()
            mon.close(linger=0)
            s.close(linger=0)


def _unknown(opts):
    ctx = zmq.Context()
    tally = {"refused": 0, "admitted": 0, "failed": 0, "unfinished": 0}
    try:
        print("ready", flush=True)
        t0 = time.monotonic()
        deadline = t0 + opts.seconds
        done = 0
        while done < opts.count and time.monotonic() < deadline:
            n = min(WAVE, opts.count - done)
            _wave(ctx, opts, n, deadline, tally)
            done += n
        tally.update(attempts=done, seconds=time.monotonic() - t0)
        return tally
    finally:
        ctx.term()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=("badsig", "large", "unknown"))
    p.add_argument("--key", help="the enrolled flooder's identity file")
    p.add_argument("--server-key", required=True, type=bytes.fromhex,
                   help="the aggregator's CURVE public key, hex")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--count", required=True, type=int)
    p.add_argument("--unit", help="the unit of the reports")
    p.add_argument("--size", type=int, default=60000, help="bytes of a large envelope")
    p.add_argument("--seconds", type=float, default=300.0, help="at most this long")
    opts = p.parse_args(argv)
    if opts.mode != "unknown" and not (opts.key and opts.unit):
        p.error("%s needs --key and --unit" % opts.mode)
    result = _unknown(opts) if opts.mode == "unknown" else _enrolled(opts)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
