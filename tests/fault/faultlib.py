"""faultlib: what lnob's fault tests add to lnobtest.

- kill9(): SIGKILL a daemon by pid and record it as killed, so teardown does
  not expect it to exit 0 on SIGTERM.
- Proxy: a TCP proxy on loopback that the test controls, placed between a
  collector and its upstream: pass, cut (a blackhole: bytes stop moving both
  ways and nothing is closed, as when a line drops), throttle, restore.
- Stream: the reports a test submits, in chunks, with (period, unit) keys
  distinct so that "exactly N stored" means N envelopes and N latest reports.
- check_exactly_once(): the end state every fault test asserts.

Only the standard library; run with /usr/bin/python3 (lnobtest is on
PYTHONPATH, set by ctest).
"""

import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

import lnobtest
from lnobtest import CAMPAIGN, wait_until

PERIODS = ("2021", "2022", "2023", "2024", "2025")
KILLED = -signal.SIGKILL


def seed():
    """The random seed of a fault test: LNOB_FAULT_SEED, else the clock.
    Tests print it, so a failing run can be repeated."""
    v = os.environ.get("LNOB_FAULT_SEED")
    return int(v) if v else int(time.time() * 1000) % 1000000007


def fault_injection_built():
    """True when the binaries were built with -DLNOB_FAULT_INJECTION=ON
    (ctest passes LNOB_FAULT_INJECTION=1 then)."""
    return os.environ.get("LNOB_FAULT_INJECTION", "0") in ("1", "ON", "TRUE", "true")


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

def kill9(d):
    """SIGKILLs daemon d (an lnobtest.Daemon) by pid and waits for it."""
    if d.returncode is not None:
        return d.returncode
    if d.proc.poll() is None:
        os.kill(d.pid, signal.SIGKILL)
    d.proc.wait(timeout=lnobtest.STOP_TIMEOUT)
    d._log.close()
    d.returncode = d.proc.returncode
    return d.returncode


def reap_fault(d, point, net, timeout=60):
    """Waits until daemon d has died at fault point `point`: killed by
    SIGKILL and its log naming the point. Marks it as ended."""
    def dead():
        return d.proc.poll() is not None
    try:
        wait_until(dead, timeout, "%s to die at fault point %s" % (d.name, point))
    except lnobtest.WaitTimeout:
        raise AssertionError("%s never reached fault point %s\n%s"
                             % (d.name, point, lnobtest.tail(d.log_path)))
    d._log.close()
    d.returncode = d.proc.returncode
    if d.returncode != KILLED:
        raise AssertionError("%s exited %s, not by SIGKILL at %s\n%s"
                             % (d.name, d.returncode, point, lnobtest.tail(d.log_path)))
    with open(d.log_path, errors="replace") as f:
        text = f.read()
    if "fault injection: SIGKILL at %s " % point not in text:
        raise AssertionError("%s died by SIGKILL but its log does not name %s\n%s"
                             % (d.name, point, lnobtest.tail(d.log_path)))


def rss_kb(pid):
    """Resident set size of pid in KiB (from /proc)."""
    return lnobtest.proc_status_kb(pid, "VmRSS")


def cli_env(net, argv, env, timeout=lnobtest.CLI_TIMEOUT):
    """Runs a CLI call with extra environment; returns the CompletedProcess
    (whatever its exit status) with .out and .err decoded."""
    full = dict(net.env)
    full.update(env)
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout, env=full)
    r.out = r.stdout.decode(errors="replace")
    r.err = r.stderr.decode(errors="replace")
    with open(net.cli_log, "a") as f:
        f.write("$ %s %s\n[exit %d]\n%s%s\n" % (" ".join("%s=%s" % kv for kv in env.items()),
                                                " ".join(argv), r.returncode, r.out, r.err))
    return r


# ---------------------------------------------------------------------------
# A TCP proxy the test controls
# ---------------------------------------------------------------------------

class Proxy:
    """Listens on (host, free port) and forwards each connection to
    upstream (host, port). States:
      pass      bytes flow both ways
      cut       a blackhole: nothing is read or written, nothing is closed;
                new connections are accepted and left hanging, as when the
                line drops somewhere between the offices
      throttle  collector-to-upstream bytes limited to `rate` bytes/s
    restore() closes every connection left hanging by a cut (the peers then
    see resets and reconnect) and lets bytes flow again.
    One thread; every loop is bounded by the stop flag and a 50 ms select."""

    CHUNK = 65536

    def __init__(self, host, upstream_host, upstream_port):
        self.upstream = (upstream_host, upstream_port)
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, 0))
        self.lsock.listen(64)
        self.lsock.setblocking(False)
        self.host, self.port = self.lsock.getsockname()
        self.endpoint = "tcp://%s:%d" % (self.host, self.port)
        self.state = "pass"
        self.rate = None
        self.pairs = []            # [client, upstream or None]
        self.bytes_up = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = False
        self._budget = 0.0
        self._last = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="proxy", daemon=True)
        self._thread.start()

    # -- control (test thread) -------------------------------------------

    def cut(self):
        with self._lock:
            self.state = "cut"

    def throttle(self, rate):
        with self._lock:
            self._close_hanging()
            self.state, self.rate = "throttle", rate

    def restore(self):
        with self._lock:
            self._close_hanging()
            self.state, self.rate = "pass", None

    def close(self):
        self._stop = True
        self._thread.join(timeout=5)
        with self._lock:
            for p in self.pairs:
                for s in p:
                    if s is not None:
                        s.close()
            self.pairs = []
        self.lsock.close()

    # -- the loop (proxy thread) -----------------------------------------

    def _close_hanging(self):
        for p in self.pairs:
            for s in p:
                if s is not None:
                    s.close()
        self.pairs = []

    def _accept(self):
        try:
            c, _ = self.lsock.accept()
        except (BlockingIOError, OSError):
            return
        self.connections += 1
        if self.state == "cut":
            self.pairs.append([c, None])        # accepted, left hanging
            return
        try:
            u = socket.create_connection(self.upstream, timeout=2)
        except OSError:
            c.close()
            return
        c.setblocking(False)
        u.setblocking(False)
        self.pairs.append([c, u])

    def _pump(self, src, dst, limit):
        try:
            data = src.recv(min(self.CHUNK, limit))
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not data:
            return False
        try:
            dst.setblocking(True)
            dst.settimeout(5)
            dst.sendall(data)
            dst.setblocking(False)
        except OSError:
            return False
        return len(data)

    def _loop(self):
        while not self._stop:
            with self._lock:
                sel = selectors.DefaultSelector()
                sel.register(self.lsock, selectors.EVENT_READ, ("accept", None))
                if self.state != "cut":
                    for p in self.pairs:
                        if p[1] is None:
                            continue
                        sel.register(p[0], selectors.EVENT_READ, ("up", p))
                        sel.register(p[1], selectors.EVENT_READ, ("down", p))
            events = sel.select(timeout=0.05)
            with self._lock:
                now = time.monotonic()
                if self.state == "throttle":
                    self._budget = min(self._budget + (now - self._last) * self.rate,
                                       float(self.rate))
                self._last = now
                dead = []
                for key, _ in events:
                    kind, p = key.data
                    if kind == "accept":
                        self._accept()
                        continue
                    if self.state == "cut" or p not in self.pairs:
                        continue
                    if kind == "up":
                        limit = self.CHUNK
                        if self.state == "throttle":
                            limit = int(self._budget)
                            if limit <= 0:
                                continue
                        n = self._pump(p[0], p[1], limit)
                        if n is False:
                            dead.append(p)
                        elif n is not True:
                            self.bytes_up += n
                            if self.state == "throttle":
                                self._budget -= n
                    else:
                        if self._pump(p[1], p[0], self.CHUNK) is False:
                            dead.append(p)
                for p in dead:
                    if p in self.pairs:
                        self.pairs.remove(p)
                        for s in p:
                            if s is not None:
                                s.close()
            sel.close()


# ---------------------------------------------------------------------------
# Streams of reports
# ---------------------------------------------------------------------------

class Stream:
    """The reports one collector submits: distinct (period, unit) pairs from
    its scope's subtree, in chunks."""

    def __init__(self, net, collector, units, n, rng, periods=PERIODS):
        keys = [(p, u) for p in periods for u in units]
        if len(keys) < n:
            raise AssertionError("collector %s: %d (period, unit) keys for %d reports"
                                 % (collector.node_id, len(keys), n))
        rng.shuffle(keys)
        self.net = net
        self.collector = collector
        self.reports = [{"period": p, "unit": u, "revision": 1,
                         "values": lnobtest.make_values(rng),
                         "narrative": "%s %s %s" % (collector.node_id, p, u)}
                        for p, u in keys[:n]]
        self.sent = 0              # how many are in the outbox (submitted)
        self.files = 0

    def remaining(self):
        return len(self.reports) - self.sent

    def submit_next(self, count):
        """Submits the next `count` reports (fewer at the end) as one CSV."""
        chunk = self.reports[self.sent:self.sent + count]
        if not chunk:
            return 0
        self.files += 1
        path = self.net.path("%s-chunk-%04d.csv" % (self.collector.node_id, self.files))
        lnobtest.write_reports_csv(path, chunk)
        self.collector.submit(path)
        self.sent += len(chunk)
        return len(chunk)


def units_below(hier, code, include_self=True):
    out = hier.subtree(code)
    return out if include_self else [u for u in out if u != code]


# ---------------------------------------------------------------------------
# The end state
# ---------------------------------------------------------------------------

def check_exactly_once(test, agg, collectors, reports, periods=PERIODS, timeout=300):
    """Waits until every collector has drained, then asserts: the aggregator
    stored exactly len(reports) envelopes and latest reports, quarantined
    none, rejected none; every collector has nothing queued or parked; the
    rollups of the root, the districts and the communes equal the sums of
    what was submitted, period by period; verify finds no difference.
    Returns the aggregator status."""
    net = agg.net
    total = len(reports)

    def drained():
        sts = [c.status() for c in collectors]
        return all(s["queued"] == 0 for s in sts) and sts
    sts = wait_until(drained, timeout, "every collector's outbox empty", net, interval=0.3)
    for c, s in zip(collectors, sts):
        test.assertEqual(s["parked"], 0, "collector %s parked: %r" % (c.node_id, s))

    st, counters = agg.wait_status(lambda st, k: st["envelopes"] >= total,
                                   "%d envelopes stored" % total, timeout=60)
    test.assertEqual(st["envelopes"], total, "envelopes stored (no loss, no duplicate)")
    test.assertEqual(st["reports"], total, "latest reports")
    test.assertEqual(st["quarantined"], 0, st)
    for k, v in counters.items():
        # store_failed answers are retryable: they ask for the same envelope
        # again, which the exactly-once check above accounts for.
        if k.startswith("rejected_") and k != "rejected_store_failed":
            test.assertEqual(v, 0, "counter %s: %r" % (k, counters))

    hier = net.hier
    by_period = {}
    for r in reports:
        by_period.setdefault(r.get("period", lnobtest.PERIOD), []).append(r)
    for period in periods:
        expected = lnobtest.expected_rollups(hier, by_period.get(period, []))
        for unit in ["P"] + list(hier.children["P"]):
            view = agg.rollup(unit=unit, period=period)
            test.assertRollupMatches(view["unit"], expected, unit)
            for ch in view["children"]:
                test.assertRollupMatches(ch, expected, ch["code"])
    v = agg.verify()
    test.assertEqual(v.returncode, 0, "verify: %s%s" % (v.out, v.err))
    return st


def say(msg):
    """A figure for the record, on stderr (ctest -V shows it)."""
    print(msg, file=sys.stderr, flush=True)


__all__ = ["PERIODS", "KILLED", "fault_injection_built", "kill9", "reap_fault", "rss_kb",
           "cli_env", "Proxy", "Stream", "units_below", "check_exactly_once", "say",
           "CAMPAIGN", "random"]


# ---------------------------------------------------------------------------
# The three-collector network of the crash tests
# ---------------------------------------------------------------------------

class Field:
    """An aggregator and three collectors, one of them behind a relay:

        aggregator
         |- d1-office   (scope D1, direct)
         |- d2-office   (scope D2, direct, and relay for the commune below)
             |- c21-office  (scope C21, through d2-office)

    Each collector has a Stream of reports for its own part of the tree
    (d2-office for D2 less C21), `total` reports in all."""

    def __init__(self, net, rng, total, **collector_kw):
        kw = dict(heartbeat_ms=300, dead_after_ms=2000, backoff_min_ms=50,
                  backoff_max_ms=1000, resend_after_ms=5000)
        kw.update(collector_kw)
        hier = net.hier
        self.net = net
        self.agg = net.add_aggregator()
        self.direct = net.add_collector("d1-office", "D1", **kw)
        self.relay = net.add_collector("d2-office", "D2", relay=True, **kw)
        self.commune = net.add_collector("c21-office", "C21", upstream=self.relay, **kw)
        self.collectors = [self.direct, self.relay, self.commune]
        c21 = set(hier.subtree("C21"))
        units = {
            "d1-office": hier.subtree("D1"),
            "d2-office": [u for u in hier.subtree("D2") if u not in c21],
            "c21-office": sorted(c21),
        }
        each = [total // 3 + (1 if i < total % 3 else 0) for i in range(3)]
        self.streams = [Stream(net, c, units[c.node_id], n, rng)
                        for c, n in zip(self.collectors, each)]

    def start_collectors(self, env=None):
        # The relay first, so the commune finds it listening.
        for c in (self.relay, self.direct, self.commune):
            c.start(env=env)

    def submit_round(self, per_collector):
        return sum(s.submit_next(per_collector) for s in self.streams)

    def remaining(self):
        return sum(s.remaining() for s in self.streams)

    def submitted(self):
        return [r for s in self.streams for r in s.reports[:s.sent]]

    def all_reports(self):
        return [r for s in self.streams for r in s.reports]

    def stored(self):
        return self.agg.status()["envelopes"]

    def alive(self, c):
        return c.daemon is not None and c.daemon.returncode is None and \
            c.daemon.proc.poll() is None
