"""benchlib: what tests/bench/bench.py builds its measurements from.

The world (a 10,000-unit hierarchy, report CSVs, daemons started and
timed), polling with deadlines, process memory and CPU from /proc, and
figures (medians, percentiles). The daemons are run through
tests/integration/lnobtest.py (Net, Aggregator, Collector), imported, not
changed. /usr/bin/python3, standard library and Debian's python3-zmq only.
"""

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import lnobtest as lt  # noqa: E402  (the harness, beside this directory)

CAMPAIGN = "bench"
COMPLETED_AT = 1701140400          # 2023-11-28 10:00 +07:00
INDICATORS = ("households_total", "poor_households", "near_poor_households", "fund_vnd")
# A narrative that brings the signed envelope to about 400 bytes, the size
# the verify limit is measured at (bench.py prints the exact mean).
NARRATIVE = ("Bench report: households visited, lists checked with the village "
             "head, figures agreed at the commune meeting; fund collected in cash "
             "and by transfer; no complaint received; two households moved away "
             "since the last round")
POLL_S = 0.05                      # status poll interval while timing
CLI_TIMEOUT = 600                  # one CLI call (a submit of 50,000 reports)


class BenchError(Exception):
    pass


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# The hierarchy: U00000 the province, 9 districts, 90 communes, the rest
# villages spread over the communes. Codes U<index>, so that SQL can name
# them too ('U' || lpad(i, 5, '0')).
# ---------------------------------------------------------------------------

class BenchHierarchy:
    DISTRICTS = 9
    COMMUNES_PER_DISTRICT = 10

    def __init__(self, units):
        if units < 1 + self.DISTRICTS * (1 + self.COMMUNES_PER_DISTRICT) + 1:
            raise BenchError("LNOB_BENCH_UNITS: at least 101 units")
        self.rows = [(self.code(0), "Tỉnh Bench", "", "province", "administrative")]
        districts = list(range(1, 1 + self.DISTRICTS))
        communes = list(range(1 + self.DISTRICTS,
                              1 + self.DISTRICTS * (1 + self.COMMUNES_PER_DISTRICT)))
        for d in districts:
            self.rows.append((self.code(d), "Huyện %d" % d, self.code(0), "district",
                              "administrative"))
        for j, c in enumerate(communes):
            self.rows.append((self.code(c), "Xã %d" % c,
                              self.code(districts[j // self.COMMUNES_PER_DISTRICT]),
                              "commune", "administrative"))
        for i in range(communes[-1] + 1, units):
            self.rows.append((self.code(i), "Thôn %d" % i,
                              self.code(communes[i % len(communes)]), "village",
                              "administrative"))
        self.codes = [r[0] for r in self.rows]
        self.parent = {r[0]: r[2] for r in self.rows}
        self.n = units
        # A village deep in the tree, for the revisions of one unit.
        self.a_village = self.codes[-1]

    @staticmethod
    def code(i):
        return "U%05d" % i

    def write(self, path):
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(("code", "name", "parent_code", "level", "kind"))
            w.writerows(self.rows)

    def counts(self):
        out = {}
        for r in self.rows:
            out[r[3]] = out.get(r[3], 0) + 1
        return out


def period_of(k):
    return "p%04d" % k


def report_of(hier, i):
    """Report number i of the bench's data set: period i // units, unit
    i % units, revision 1, figures derived from i."""
    unit = hier.codes[i % hier.n]
    total = 50 + (i * 7919) % 3000
    return (period_of(i // hier.n), unit, 1,
            (total, total // 7, total // 9, (i % 500) * 1000000))


def write_csv(path, rows):
    """rows: (period, unit, revision, (4 values)); the collector's submit
    CSV (README "Submitting reports")."""
    with open(path, "w", newline="") as f:
        f.write("campaign,period,unit,revision,completed_at,narrative,%s\n"
                % ",".join(INDICATORS))
        for period, unit, rev, v in rows:
            f.write("%s,%s,%s,%d,%d,\"%s\",%d,%d,%d,%d\n"
                    % (CAMPAIGN, period, unit, rev, COMPLETED_AT, NARRATIVE, *v))


def write_csv_chunks(prefix, rows, chunk=50000):
    """rows in files of at most chunk reports (a submit file is at most
    64 MiB); returns their paths."""
    paths = []
    for k in range(0, len(rows), chunk):
        p = "%s-%03d.csv" % (prefix, k // chunk)
        write_csv(p, rows[k:k + chunk])
        paths.append(p)
    return paths


def envelope_size(keys, rows, seq0=1):
    """The mean serialized envelope size of rows as keys' node would sign
    them (lnobtest's independent encoder)."""
    sk = keys.signing_key()
    sizes = []
    for k, (period, unit, rev, v) in enumerate(rows):
        body = lt.report_body(unit, dict(zip(INDICATORS, v)), revision=rev,
                              narrative=NARRATIVE, campaign=CAMPAIGN, period=period,
                              completed_at=COMPLETED_AT)
        sizes.append(len(lt.sign_envelope(sk, keys.node_id, seq0 + k, 1, body)))
    return statistics.mean(sizes)


# ---------------------------------------------------------------------------
# Processes: memory, CPU, polling
# ---------------------------------------------------------------------------

def proc_mem_kib(pid):
    """{VmRSS, RssAnon, RssFile, RssShmem, VmHWM} of pid in KiB."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def proc_cpu_s(pid):
    """User + system CPU seconds of pid so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_write_bytes(pid):
    """Bytes pid has caused to be written to storage so far (/proc/PID/io)."""
    with open("/proc/%d/io" % pid) as f:
        for line in f:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def poll(cond, timeout, what, net=None, interval=POLL_S, on_poll=None):
    """Polls cond() every interval seconds until it returns a truthy value
    (returned with the monotonic time it was seen), for at most timeout
    seconds; every daemon of net must stay alive. on_poll() runs at each
    turn (memory samples)."""
    deadline = time.monotonic() + timeout
    while True:
        if net is not None:
            net.check_alive()
        if on_poll is not None:
            on_poll()
        v = cond()
        t = time.monotonic()
        if v:
            return v, t
        if t >= deadline:
            raise BenchError("timed out after %ss waiting for %s (last: %r)"
                             % (timeout, what, v))
        time.sleep(interval)     # poll interval, not synchronisation


def agg_status(agg):
    r = agg.net.cli(agg.cmd("status", "-c", agg.conf, "--json"), timeout=60)
    return json.loads(r.out)


def agg_counter(st, name):
    return int((st.get("counters") or {}).get(name, 0))


def wait_stored(agg, target, timeout, on_poll=None, field="envelopes"):
    """Polls the aggregator's status until `field` (envelopes: the
    envelope log's count, committed) reaches target; returns the
    monotonic time it was seen."""
    def cond():
        st = agg_status(agg)
        n = int(st[field]) if field in st else agg_counter(st, field)
        return n >= target and n
    _, t = poll(cond, timeout, "aggregator %s >= %d" % (field, target), agg.net,
                on_poll=on_poll)
    return t


def spawn_collectors(cols):
    """`run -n` for each, then each started at once (no wait): the
    monotonic time just before the first start."""
    for c in cols:
        c.net.cli(c.cmd("run", "-c", c.conf, "-n"), timeout=60)
    t0 = time.monotonic()
    for c in cols:
        c.runs += 1
        c.daemon = c.net.start("collector-%s-%d" % (c.node_id, c.runs),
                               c.cmd("run", "-c", c.conf))
    return t0


def spawn_aggregator(agg):
    """`run -n`, then the daemon started (no wait): the monotonic time just
    before the start."""
    agg.net.cli(agg.cmd("run", "-c", agg.conf, "-n"), timeout=120)
    agg.runs += 1
    t0 = time.monotonic()
    agg.daemon = agg.net.start("aggregator-%d" % agg.runs, agg.cmd("run", "-c", agg.conf))
    return t0


def wait_listening(agg, timeout=120):
    """Until the aggregator accepts on its endpoint and, when it has one, on
    its HTTP port (it opens that after the endpoint)."""
    poll(lambda: lt.tcp_accepts(agg.host, agg.port), timeout,
         "aggregator accepting on %s" % agg.endpoint, agg.net)
    port = getattr(agg, "http_port", None)
    if port:
        poll(lambda: lt.tcp_accepts("127.0.0.1", port), timeout,
             "aggregator's HTTP API accepting on 127.0.0.1:%d" % port, agg.net)


def stop(daemon):
    """Stops one daemon by pid (SIGTERM, bounded wait, SIGKILL); its exit
    status is not judged here."""
    if daemon is not None and daemon.returncode is None:
        daemon.stop()


def submit(col, paths):
    """Queues the files at col, one submit each; returns the seconds it took."""
    t0 = time.monotonic()
    for p in paths:
        col.net.cli(col.cmd("submit", "-c", col.conf, p), timeout=CLI_TIMEOUT)
    return time.monotonic() - t0


def copy_outbox(col, dest):
    shutil.copytree(col.data_dir, dest)


def disk_bytes(path):
    """Bytes allocated on disk to path (a file) or to every file under it."""
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            total += os.stat(os.path.join(d, f)).st_blocks * 512
    return total


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

def quantile(values, q):
    """Nearest-rank q-quantile of values (as bench_util.h)."""
    v = sorted(values)
    rank = max(1, min(len(v), int(len(v) * q + 0.999999)))
    return v[rank - 1]


def kv(line):
    """'a=1 b=2.5' -> {'a': 1.0, 'b': 2.5}."""
    out = {}
    for part in line.split():
        k, _, v = part.partition("=")
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = v
    return out


def run_kv(argv, timeout):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise BenchError("%s exited %d: %s" % (" ".join(argv), r.returncode,
                                                r.stderr.strip()[-2000:]))
    return kv(r.stdout.strip().splitlines()[-1])
