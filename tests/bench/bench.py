#!/usr/bin/python3
"""bench.py: the benchmark of issue 13, run by tests/bench/run (README
"Benchmarks"). Measures, in one run on this machine:

  1. limits: Ed25519 verifications/s on one core, LMDB durable puts/s in
     batches of 1,000, fsyncs/s of the store's disk (medians of RUNS runs);
  2. ingest: verified, committed reports/s from 4 collectors to one
     aggregator over tcp://127.0.0.1 with CURVE, then the same through a relay;
  3. a duplicate storm: already-stored envelopes sent again;
  4. the store filled to the rollup size, and a backlog drained after an
     aggregator outage;
  5. rollup latency at that size: library, CLI, HTTP;
  6. memory and store size;
  7. 2,000 revisions of one unit against 2,000 first reports;
  8. PostgreSQL 15: one transaction per report, COPY with a rollup
     trigger, the rollup as a recursive CTE.

    bench.py BUILD_DIR

Sizes come from the environment (README "Benchmarks"): LNOB_BENCH_SCALE
multiplies every count; LNOB_BENCH_<NAME> sets one. Prints the table on
stdout, progress on stderr, and last one line `bench: key=value ...`.
Exit 0 when every measurement ran (whatever the goals say), 1 when one
failed. Every daemon and the PostgreSQL server are stopped by pid at the
end, and the temporary directories removed (LNOB_BENCH_KEEP_TMP=1 keeps
them).
"""

import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib as bl
from benchlib import lt, log
import benchpg


class Config:
    def __init__(self):
        scale = float(os.environ.get("LNOB_BENCH_SCALE", "1"))
        if not 0 < scale <= 10:
            raise bl.BenchError("LNOB_BENCH_SCALE: 0 < scale <= 10")

        def n(name, default, floor):
            v = os.environ.get("LNOB_BENCH_" + name)
            return int(v) if v else max(floor, int(default * scale))
        self.scale = scale
        self.units = int(os.environ.get("LNOB_BENCH_UNITS", "10000"))
        self.collectors = 4
        self.window = 256                                # the collectors' (lnob's default)
        self.ingest = n("INGEST", 200000, 4000)          # per run, direct and relay
        self.dup = n("DUP", 100000, 2000)                # <= ingest
        self.store = n("STORE", 1000000, 10000)          # reports in the rollup store
        self.backlog = n("BACKLOG", 100000, 2000)
        self.revisions = n("REVISIONS", 2000, 200)
        self.rev_runs = n("REV_RUNS", 3, 3)
        self.dup_runs = n("DUP_RUNS", 3, 3)
        self.runs = n("RUNS", 5, 3)                      # limits' runs
        self.q_lib = n("Q_LIB", 20000, 2000)
        self.q_cli = n("Q_CLI", 300, 50)
        self.q_http = n("Q_HTTP", 3000, 300)
        self.q_pg = n("Q_PG", 3000, 300)
        self.pg_row_s = n("PG_ROW_S", 20, 3)
        self.pg = os.environ.get("LNOB_BENCH_PG", "1") != "0"
        self.perf = os.environ.get("LNOB_BENCH_PERF") == "1"
        self.keep = os.environ.get("LNOB_BENCH_KEEP_TMP") == "1"
        self.dup = min(self.dup, self.ingest)
        self.store = max(self.store, self.ingest)
        self.dup -= self.dup % self.collectors
        self.ingest -= self.ingest % self.collectors


class Bench:
    def __init__(self, cfg, build):
        self.cfg = cfg
        self.build = build
        self.bin = os.path.join(build, "tests", "bench")
        self.r = {}             # figures by key
        self.notes = []         # lines for the table's end
        self.nets = []
        self.pg = None
        self.work = tempfile.mkdtemp(prefix="lnob-bench-")
        self.hier = bl.BenchHierarchy(cfg.units)
        self.hier_csv = os.path.join(self.work, "units.csv")
        self.hier.write(self.hier_csv)
        self.perf_proc = None

    # -- the world -------------------------------------------------------

    def new_net(self):
        net = lt.Net(hier=self.hier)
        net.host = "127.0.0.1"          # the tcp://127.0.0.1
        self.nets.append(net)
        return net

    def add_aggregator(self, net):
        """An aggregator with the HTTP API on a free port and a viewer token
        of the root (agg.http_port, agg.token: /metrics and the queries)."""
        port = lt.free_port("127.0.0.1")
        agg = net.add_aggregator(batch_max=256, window=256, map_size_mb=16384,
                                 extra_conf="\n[http]\nlisten = 127.0.0.1:%d\n" % port)
        agg.http_port = port
        agg.token = net.cli(agg.cmd("token", "add", "-c", agg.conf, "--role", "viewer",
                                    "--scope", self.hier.code(0))).out.split()[0]
        return agg

    def add_collector(self, net, node_id, **over):
        kw = dict(window=self.cfg.window, heartbeat_ms=500, dead_after_ms=5000, resend_after_ms=15000,
                  backoff_min_ms=100, backoff_max_ms=2000, map_size_mb=4096)
        kw.update(over)
        return net.add_collector(node_id, self.hier.code(0), **kw)

    def rows(self, lo, hi):
        return [bl.report_of(self.hier, i) for i in range(lo, hi)]

    def split(self, lo, hi):
        """Reports lo..hi-1 dealt round-robin to the collectors."""
        k = self.cfg.collectors
        return [[bl.report_of(self.hier, i) for i in range(lo + j, hi, k)] for j in range(k)]

    def periods(self, n):
        """The periods of the first n reports."""
        return [bl.period_of(p) for p in range((n - 1) // self.hier.n + 1)]

    # -- 1. limits -------------------------------------------------------

    def limits(self):
        c = self.cfg
        ver, puts, fs = [], [], []
        for k in range(c.runs):
            ver.append(bl.run_kv([os.path.join(self.bin, "bench_verify"), "2", "400"],
                                 60)["verify_per_s"])
            d = os.path.join(self.work, "lmdb-%d" % k)
            puts.append(bl.run_kv([os.path.join(self.bin, "bench_lmdb"), d, "100", "1000",
                                   "400"], 300)["lmdb_puts_per_s"])
            shutil.rmtree(d, ignore_errors=True)
            fs.append(bl.run_kv([os.path.join(self.bin, "bench_fsync"), self.work, "2"],
                                60)["fsync_per_s"])
        self.r["verify_1core"] = statistics.median(ver)
        self.r["lmdb_puts"] = statistics.median(puts)
        self.r["fsync"] = statistics.median(fs)
        self.r["verify_runs"] = ver
        log("limits: verify %.0f/s, lmdb %.0f puts/s, fsync %.0f/s"
            % (self.r["verify_1core"], self.r["lmdb_puts"], self.r["fsync"]))

    # -- 2-6. the direct network ------------------------------------------

    def direct(self):
        c = self.cfg
        net = self.new_net()
        agg = self.add_aggregator(net)
        cols = [self.add_collector(net, "c-%d" % (j + 1)) for j in range(c.collectors)]
        # Queue the reports: the first dup/4 of each share, a copy of the
        # outbox (the duplicate storm's), then the rest.
        share = self.split(0, c.ingest)
        self.ingest_csvs = []
        t_submit = 0.0
        for j, col in enumerate(cols):
            a = bl.write_csv_chunks(os.path.join(self.work, "in-%d-a" % j),
                                    share[j][:c.dup // c.collectors])
            b = bl.write_csv_chunks(os.path.join(self.work, "in-%d-b" % j),
                                    share[j][c.dup // c.collectors:])
            self.ingest_csvs += a + b
            t_submit += bl.submit(col, a)
            bl.copy_outbox(col, col.data_dir + ".dup")
            t_submit += bl.submit(col, b)
        self.r["submit_rate"] = c.ingest / t_submit
        self.r["envelope_bytes"] = bl.envelope_size(cols[0].keys, share[0][:200])
        log("queued %d reports in %d collectors (%.0f reports/s by submit)"
            % (c.ingest, c.collectors, self.r["submit_rate"]))
        bl.spawn_aggregator(agg)
        bl.wait_listening(agg)
        self.ingest_run(agg, cols, "ingest", c.ingest, 0)
        for col in cols:
            bl.stop(col.daemon)
        self.dup_storm(agg, cols)
        self.fill(agg, cols)
        self.at_size(agg)
        self.drain(net, agg)
        bl.stop(agg.daemon)

    def metrics(self, agg):
        """(batch count, batch seconds sum) from the aggregator's /metrics."""
        conn = http.client.HTTPConnection("127.0.0.1", agg.http_port, timeout=30)
        try:
            conn.request("GET", "/metrics", headers={"Authorization": "Bearer " + agg.token})
            text = conn.getresponse().read().decode()
        finally:
            conn.close()
        vals = {}
        for line in text.splitlines():
            for k in ("lnob_batch_commit_seconds_count", "lnob_batch_commit_seconds_sum"):
                if line.startswith(k + " "):
                    vals[k] = float(line.split()[1])
        return (vals.get("lnob_batch_commit_seconds_count", 0.0),
                vals.get("lnob_batch_commit_seconds_sum", 0.0))

    def ingest_run(self, agg, cols, key, n, base, relay=None, field="envelopes"):
        """Starts cols, times until the aggregator's field reaches base + n;
        records key (reports/s) and where the time went."""
        m0 = self.metrics(agg)
        cpu0 = bl.proc_cpu_s(agg.daemon.pid)
        wb0 = bl.proc_write_bytes(agg.daemon.pid)
        load0 = bl.loadavg()
        t0 = bl.spawn_collectors(cols)
        t1 = bl.wait_stored(agg, base + n, max(300, n / 200), field=field)
        dt = t1 - t0
        self.r[key] = n / dt
        self.r[key + "_s"] = dt
        agg_cpu = bl.proc_cpu_s(agg.daemon.pid) - cpu0
        wb = bl.proc_write_bytes(agg.daemon.pid) - wb0
        col_cpu = sum(bl.proc_cpu_s(col.daemon.pid) for col in cols)
        hint = "aggregator %.1f CPU-s (%.0f µs/report, %.0f%% of a core), wrote %.0f MB " \
               "(%.1f KB/report); collectors %.1f CPU-s" \
               % (agg_cpu, agg_cpu / n * 1e6, agg_cpu / dt * 100, wb / 1e6, wb / n / 1e3,
                  col_cpu)
        if relay is not None:
            hint += ", relay %.1f CPU-s" % bl.proc_cpu_s(relay.daemon.pid)
        m1 = self.metrics(agg)
        batches, secs = m1[0] - m0[0], m1[1] - m0[1]
        if batches:
            hint += "; %d batches, %.0f envelopes/batch, %.2f ms/batch (%.0f%% of the time " \
                    "in batches)" % (batches, n / batches, secs / batches * 1e3, secs / dt * 100)
        self.notes.append("%s: %d in %.2f s; %s; load before %s" % (key, n, dt, hint, load0))
        log("%s: %.0f reports/s (%d in %.2f s); %s" % (key, n / dt, n, dt, hint))

    def dup_storm(self, agg, cols):
        """The outboxes copied before the second half was queued, put back
        (a copy each run): every envelope in them is stored already.
        Median of cfg.dup_runs runs."""
        c = self.cfg
        for col in cols:
            os.rename(col.data_dir, col.data_dir + ".live")
        rates = []
        for k in range(c.dup_runs):
            for col in cols:
                shutil.rmtree(col.data_dir, ignore_errors=True)
                shutil.copytree(col.data_dir + ".dup", col.data_dir)
            before = bl.agg_counter(bl.agg_status(agg), "duplicate")
            self.ingest_run(agg, cols, "dup_storm", c.dup, before, field="duplicate")
            rates.append(self.r["dup_storm"])
            for col in cols:
                bl.stop(col.daemon)
        st = bl.agg_status(agg)
        if int(st["envelopes"]) != c.ingest:
            raise bl.BenchError("duplicate storm stored something: %s envelopes" % st["envelopes"])
        self.r["dup_storm"] = statistics.median(rates)
        self.r["dup_storm_s"] = c.dup / self.r["dup_storm"]
        self.r["dup_runs"] = rates
        for col in cols:
            shutil.rmtree(col.data_dir)
            os.rename(col.data_dir + ".live", col.data_dir)

    def fill(self, agg, cols):
        """The store filled to cfg.store reports by the same collectors, in
        bulk (queued first, then sent): the quickest honest way, through
        the daemons."""
        c = self.cfg
        if c.store <= c.ingest:
            return
        share = self.split(c.ingest, c.store)
        self.fill_csvs = []
        t_submit = 0.0
        for j, col in enumerate(cols):
            paths = bl.write_csv_chunks(os.path.join(self.work, "fill-%d" % j), share[j])
            self.fill_csvs += paths
            t_submit += bl.submit(col, paths)
        self.r["fill_submit_s"] = t_submit
        perf = self.perf_start(agg) if c.perf else None
        self.ingest_run(agg, cols, "fill", c.store - c.ingest, c.ingest)
        if perf:
            self.perf_report(perf)
        for col in cols:
            bl.stop(col.daemon)

    def perf_start(self, agg):
        """perf record of the aggregator (on-CPU samples, 499 Hz), or None
        without perf."""
        if not shutil.which("perf"):
            self.notes.append("profile: perf not installed (Debian: linux-perf)")
            return None
        path = os.path.join(self.work, "perf.data")
        self.perf_proc = subprocess.Popen(["perf", "record", "-q", "-F", "499", "-p",
                                           str(agg.daemon.pid), "-o", path],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)      # perf attaching: the fill is timed after this
        return path

    def perf_report(self, path):
        """Stops perf record and puts its top entries into the notes."""
        p, self.perf_proc = self.perf_proc, None
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=30)
        for sort, top in (("dso", 6), ("dso,symbol", 14)):
            r = subprocess.run(["perf", "report", "-i", path, "--stdio", "--no-children",
                                "--sort", sort], capture_output=True, text=True, timeout=300)
            lines = [" ".join(line.split()).replace(" - -", "") for line in r.stdout.splitlines()
                     if line.strip() and not line.lstrip().startswith("#")]
            self.notes.append("profile of the aggregator during the fill (perf, by %s): %s"
                              % (sort, "; ".join(lines[:top])))

    def at_size(self, agg):
        """Rollup latency, memory and bytes at cfg.store reports."""
        c = self.cfg
        periods = self.periods(c.store)
        self.store_periods = periods
        st = bl.agg_status(agg)
        self.r["store_reports"] = int(st["envelopes"])
        data = os.path.join(agg.data_dir, "data.mdb")
        self.r["store_bytes"] = bl.disk_bytes(data)
        self.r["store_file_bytes"] = os.stat(data).st_size
        self.r["bytes_per_report"] = self.r["store_bytes"] / self.r["store_reports"]
        self.notes.append("store at %d reports, per report by database (mdb_stat -a: pages "
                          "x 4096 / reports; entries): %s"
                          % (self.r["store_reports"], self.mdb_breakdown(agg.data_dir,
                                                                        self.r["store_reports"])))
        # Library: bench_rollup beside the running daemon.
        lib = bl.run_kv([os.path.join(self.bin, "bench_rollup"), agg.data_dir, self.hier_csv,
                         bl.CAMPAIGN, str(c.q_lib), "13"] + periods, 1800)
        self.r["lib"] = lib
        expect_min = 1.0 * c.q_lib     # every unit of every period reported: >= 1 each
        if lib["reported"] < expect_min:
            raise bl.BenchError("bench_rollup read %d units_reported in %d queries: the store "
                                "is not what the bench filled" % (lib["reported"], c.q_lib))
        rng = __import__("random").Random(17)
        # CLI: one process per query, as an operator's script would.
        lat = []
        for _ in range(c.q_cli):
            u, p = rng.choice(self.hier.codes), rng.choice(periods)
            t0 = time.perf_counter()
            r = agg.net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", bl.CAMPAIGN,
                                    "--period", p, "--unit", u, "--json"), timeout=60)
            lat.append((time.perf_counter() - t0) * 1e3)
            if json.loads(r.out).get("unit", {}).get("code", u) != u:
                raise bl.BenchError("rollup --json of %s answered another unit" % u)
        self.r["cli_p50_ms"], self.r["cli_p99_ms"] = bl.quantile(lat, 0.5), bl.quantile(lat, 0.99)
        # HTTP: one kept-alive connection.
        lat = []
        conn = http.client.HTTPConnection("127.0.0.1", agg.http_port, timeout=30)
        hdr = {"Authorization": "Bearer " + agg.token}
        try:
            for _ in range(c.q_http):
                u, p = rng.choice(self.hier.codes), rng.choice(periods)
                path = "/api/rollup?campaign=%s&period=%s&unit=%s" % (bl.CAMPAIGN, p, u)
                t0 = time.perf_counter()
                conn.request("GET", path, headers=hdr)
                resp = conn.getresponse()
                body = resp.read()
                lat.append((time.perf_counter() - t0) * 1e6)
                if resp.status != 200:
                    raise bl.BenchError("GET %s: %d %s" % (path, resp.status, body[:300]))
        finally:
            conn.close()
        self.r["http_p50_us"] = bl.quantile(lat, 0.5)
        self.r["http_p99_us"] = bl.quantile(lat, 0.99)
        self.r["agg_mem"] = bl.proc_mem_kib(agg.daemon.pid)
        log("at %d reports: lib get p99 %.1f µs, view p99 %.1f µs, CLI p99 %.1f ms, HTTP p99 "
            "%.0f µs, %.0f bytes/report" % (self.r["store_reports"], lib["get_p99_us"],
                                            lib["view_p99_us"], self.r["cli_p99_ms"],
                                            self.r["http_p99_us"], self.r["bytes_per_report"]))

    @staticmethod
    def mdb_breakdown(data_dir, n):
        """Each named database's pages per report, largest first."""
        r = subprocess.run(["mdb_stat", "-a", data_dir], capture_output=True, text=True,
                           timeout=300)
        if r.returncode != 0:
            return "mdb_stat failed: " + r.stderr.strip()[-300:]
        dbs, name = {}, None
        for line in r.stdout.splitlines():
            if line.startswith("Status of "):
                name = line[len("Status of "):].strip()
                dbs[name] = [0, 0]
            elif name and ":" in line:
                k, _, v = line.strip().partition(":")
                if k in ("Branch pages", "Leaf pages", "Overflow pages"):
                    dbs[name][0] += int(v)
                elif k == "Entries":
                    dbs[name][1] = int(v)
        parts = sorted(dbs.items(), key=lambda kv: -kv[1][0])
        return ", ".join("%s %.0f B (%d)" % (k, v[0] * 4096 / n, v[1])
                         for k, v in parts if v[0])

    def drain(self, net, agg):
        """One collector, idle then with a backlog queued while the
        aggregator is down; seconds from the aggregator's start to the
        collector's last ack."""
        c = self.cfg
        col = self.add_collector(net, "c-drain")
        bl.spawn_collectors([col])
        bl.poll(lambda: col.status().get("last_contact_ms"), 60,
                "c-drain in contact with the aggregator", net)
        time.sleep(2)        # a measurement window: the collector left idle
        self.r["col_idle"] = bl.proc_mem_kib(col.daemon.pid)
        bl.stop(agg.daemon)
        base = c.store
        paths = bl.write_csv_chunks(os.path.join(self.work, "drain"),
                                    self.rows(base, base + c.backlog))
        bl.submit(col, paths)
        time.sleep(1)        # likewise: queued, upstream down
        self.r["col_queued"] = bl.proc_mem_kib(col.daemon.pid)
        peak = {"RssAnon": 0, "VmRSS": 0}
        first = []

        def sample():
            m = bl.proc_mem_kib(col.daemon.pid)
            for k in peak:
                peak[k] = max(peak[k], m[k])

        def drained():
            st = col.status()
            if not first and st["queued"] < c.backlog:
                first.append(time.monotonic())
            return st["queued"] == 0 and st["in_flight"] == 0

        t0 = bl.spawn_aggregator(agg)
        _, t1 = bl.poll(drained, max(300, c.backlog / 200), "c-drain drained", net,
                        on_poll=sample)
        sample()
        self.r["drain_s"] = t1 - t0
        self.r["drain_first_s"] = (first[0] - t0) if first else float("nan")
        self.r["col_drain_peak"] = dict(peak)
        self.r["col_drain_hwm"] = bl.proc_mem_kib(col.daemon.pid)["VmHWM"]
        st = bl.agg_status(agg)
        if int(st["envelopes"]) != c.store + c.backlog:
            raise bl.BenchError("after the drain the aggregator holds %s envelopes, not %d"
                                % (st["envelopes"], c.store + c.backlog))
        bl.stop(col.daemon)
        log("drain: %d in %.2f s from the aggregator's start (first stored after %.2f s); "
            "collector RssAnon idle %d KiB, draining %d KiB"
            % (c.backlog, self.r["drain_s"], self.r["drain_first_s"],
               self.r["col_idle"]["RssAnon"], peak["RssAnon"]))

    # -- relay and revisions ----------------------------------------------

    def relay(self):
        c = self.cfg
        net = self.new_net()
        agg = self.add_aggregator(net)
        relay = self.add_collector(net, "r-1", relay=True, window=128)
        cols = [self.add_collector(net, "d-%d" % (j + 1), upstream=relay)
                for j in range(c.collectors)]
        share = self.split(0, c.ingest)
        for j, col in enumerate(cols):
            bl.submit(col, bl.write_csv_chunks(os.path.join(self.work, "relay-%d" % j),
                                               share[j]))
        bl.spawn_aggregator(agg)
        bl.wait_listening(agg)
        bl.spawn_collectors([relay])
        bl.poll(lambda: lt.tcp_accepts(relay.relay_host, relay.relay_port), 60,
                "relay accepting", net)
        self.ingest_run(agg, cols, "relay_ingest", c.ingest, 0, relay=relay)
        for col in cols + [relay]:
            bl.stop(col.daemon)
        self.revisions(net, agg)
        bl.stop(agg.daemon)

    def revisions(self, net, agg):
        """cfg.revisions revisions of one unit against as many first
        reports of as many units, through one running collector: each
        batch timed from the end of its submit to the last stored."""
        c = self.cfg
        col = self.add_collector(net, "c-rev")
        bl.spawn_collectors([col])
        bl.poll(lambda: col.status().get("last_contact_ms"), 60, "c-rev in contact", net)
        units = self.hier.codes[-min(c.revisions, self.hier.n):]
        times = {"first": [], "revisions": []}
        for k in range(c.rev_runs):
            for kind in ("first", "revisions"):
                if kind == "first":
                    rows = [("f%02d" % k, units[i % len(units)], 1 + i // len(units),
                             (100 + i, 10, 5, 1000000)) for i in range(c.revisions)]
                else:
                    rows = [("r%02d" % k, self.hier.a_village, i + 1, (100 + i, 10, 5, 1000000))
                            for i in range(c.revisions)]
                path = os.path.join(self.work, "%s-%d.csv" % (kind, k))
                bl.write_csv(path, rows)
                base = int(bl.agg_status(agg)["envelopes"])
                bl.submit(col, [path])
                t0 = time.monotonic()
                _, t1 = bl.poll(lambda: int(bl.agg_status(agg)["envelopes"]) >=
                                base + c.revisions, 300, "%s %d stored" % (kind, k), net,
                                interval=0.02)
                times[kind].append(t1 - t0)
        bl.stop(col.daemon)
        hist = json.loads(net.cli(agg.cmd("history", "-c", agg.conf, "--campaign", bl.CAMPAIGN,
                                          "--period", "r00", "--unit", self.hier.a_village,
                                          "--json"), timeout=120).out)
        if hist.get("revisions") != c.revisions:
            raise bl.BenchError("history of %s holds %r revisions, not %d"
                                % (self.hier.a_village, hist.get("revisions"), c.revisions))
        self.r["first_2000"] = c.revisions / statistics.median(times["first"])
        self.r["revisions_2000"] = c.revisions / statistics.median(times["revisions"])
        self.r["rev_times"] = times
        log("revisions: first %.0f/s, revisions %.0f/s (%s)"
            % (self.r["first_2000"], self.r["revisions_2000"], times))

    # -- PostgreSQL ---------------------------------------------------------

    def postgres(self):
        c = self.cfg
        pg = benchpg.Postgres()
        self.pg = pg
        pg.start()
        pg.setup(self.hier_csv)
        self.r["pg_version"] = pg.scalar("SHOW server_version")
        periods_ing = (c.ingest - 1) // self.hier.n + 1
        periods_all = (c.store - 1) // self.hier.n + 1
        fmt = dict(units_1=self.hier.n - 1, periods_1=periods_all - 1, campaign=bl.CAMPAIGN,
                   completed=bl.COMPLETED_AT, narrative=bl.NARRATIVE.replace("'", "''"),
                   columns=benchpg.COLUMNS)
        tps, _ = pg.pgbench_tps(benchpg.FORM_SQL.format(**fmt), c.collectors, c.pg_row_s)
        self.r["pg_row"] = tps
        log("postgres: %.0f reports/s one transaction each (4 clients)" % tps)
        dt = pg.copy(self.ingest_csvs)
        self.r["pg_copy_trigger"] = c.ingest / dt
        log("postgres: COPY with the rollup trigger %.0f reports/s" % self.r["pg_copy_trigger"])
        pg.psql_c("ALTER TABLE reports DISABLE TRIGGER reports_rollup")
        if getattr(self, "fill_csvs", None):
            dt = pg.copy(self.fill_csvs)
            self.r["pg_copy"] = (c.store - c.ingest) / dt
        pg.psql_c("ANALYZE")
        n = int(pg.scalar("SELECT count(*) FROM reports"))
        if n != c.store:
            raise bl.BenchError("PostgreSQL holds %d reports, not %d" % (n, c.store))
        self.r["pg_bytes_per_report"] = int(pg.scalar(
            "SELECT pg_total_relation_size('reports') + pg_total_relation_size('rollups')")) / n
        # The CTE as the planner plans it, then steered to nested loops over
        # the indexes (hash, merge and bitmap joins off for the session): the
        # better p50 of the two is the one lnob is compared with.
        for key, opts in (("pg_cte", ""), ("pg_cte_nl", benchpg.NESTED_LOOPS)):
            lat = pg.pgbench_latencies_us(benchpg.CTE_SQL.format(u_lo=0, u_hi=self.hier.n - 1,
                                                                 **fmt), c.q_pg, opts)
            self.r[key + "_p50_ms"] = bl.quantile(lat, 0.5) / 1e3
            self.r[key + "_p99_ms"] = bl.quantile(lat, 0.99) / 1e3
            lat = pg.pgbench_latencies_us(benchpg.CTE_SQL.format(u_lo=0, u_hi=0, **fmt),
                                          max(20, c.q_pg // 100), opts)
            self.r[key + "_root_ms"] = bl.quantile(lat, 0.5) / 1e3
        best = min(("pg_cte", "pg_cte_nl"), key=lambda k: self.r[k + "_p50_ms"])
        self.r["pg_cte_best"] = best
        self.r["pg_cte_ms"] = self.r[best + "_p50_ms"]
        fmt_t = dict(fmt, periods_1=periods_ing - 1)
        lat = pg.pgbench_latencies_us(benchpg.TABLE_SQL.format(**fmt_t), c.q_pg)
        self.r["pg_table_p50_ms"] = bl.quantile(lat, 0.5) / 1e3
        self.r["pg_table_p99_ms"] = bl.quantile(lat, 0.99) / 1e3
        log("postgres: CTE p50 %.2f ms p99 %.2f ms, root %.1f ms; nested loops p50 %.2f ms "
            "p99 %.2f ms, root %.1f ms; rollup table p50 %.3f ms"
            % (self.r["pg_cte_p50_ms"], self.r["pg_cte_p99_ms"], self.r["pg_cte_root_ms"],
               self.r["pg_cte_nl_p50_ms"], self.r["pg_cte_nl_p99_ms"],
               self.r["pg_cte_nl_root_ms"], self.r["pg_table_p50_ms"]))
        pg.stop()
        self.pg = None

    # -- the end -------------------------------------------------------------

    def cleanup(self):
        errors = []
        if self.perf_proc is not None:
            self.perf_proc.kill()
            self.perf_proc.wait(timeout=30)
        for net in self.nets:
            for d in net.daemons:
                try:
                    bl.stop(d)
                except Exception as e:      # never leave a process behind
                    errors.append("%s: %r" % (d.name, e))
        if self.pg is not None:
            try:
                self.pg.stop()
            except Exception as e:
                errors.append("postgres: %r" % e)
        for net in self.nets:
            net.cleanup(keep=self.cfg.keep)
        if self.cfg.keep:
            log("kept %s" % self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        return errors


def _on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: bench.py BUILD_DIR\n")
        return 2
    build = os.path.abspath(sys.argv[1])
    os.environ["LNOB_COLLECTOR"] = os.path.join(build, "collector", "lnob-collector")
    os.environ["LNOB_AGGREGATOR"] = os.path.join(build, "aggregator", "lnob-aggregator")
    os.environ.setdefault("LNOB_TEST_LOG_LEVEL", "info")
    signal.signal(signal.SIGTERM, _on_signal)
    cfg = Config()
    b = Bench(cfg, build)
    import benchreport
    t_start = time.monotonic()
    failed = None
    load_start = bl.loadavg()
    try:
        b.limits()
        b.direct()
        if cfg.pg:
            b.postgres()
        b.relay()
    except (Exception, KeyboardInterrupt) as e:   # report, clean up, exit 1
        failed = e
        import traceback
        traceback.print_exc()
        for net in b.nets:
            sys.stderr.write(net.describe()[-3000:] + "\n")
    finally:
        errors = b.cleanup()
    b.r["elapsed_s"] = time.monotonic() - t_start
    b.r["load_start"], b.r["load_end"] = load_start, bl.loadavg()
    benchreport.print_report(cfg, b.r, b.notes, failed, errors)
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
