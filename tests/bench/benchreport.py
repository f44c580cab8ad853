"""benchreport: the table tests/bench/bench.py prints, the goals of issue
13 judged (met / not met, with the figure; the exit status does not depend
on them), and the last line `bench: key=value ...`."""

import os
import platform
import sys


def _f(v, fmt="%.0f"):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return fmt % v


def _get(r, *path):
    v = r
    for p in path:
        if not isinstance(v, dict) or p not in v:
            return None
        v = v[p]
    return v


def _ratio(a, b):
    return a / b if a is not None and b else None


def figures(r):
    """The bench line's figures (None: not measured)."""
    f = {
        "verify_1core": r.get("verify_1core"),
        "ingest": r.get("ingest"),
        "ingest_vs_verify": _ratio(r.get("ingest"), r.get("verify_1core")),
        "relay_ingest": r.get("relay_ingest"),
        "relay_vs_verify": _ratio(r.get("relay_ingest"), r.get("verify_1core")),
        "dup_storm": r.get("dup_storm"),
        "dup_vs_verify": _ratio(r.get("dup_storm"), r.get("verify_1core")),
        "drain_100k_s": r.get("drain_s"),
        "rollup_p50_us": _get(r, "lib", "get_p50_us"),
        "rollup_p99_us": _get(r, "lib", "get_p99_us"),
        "view_p99_us": _get(r, "lib", "view_p99_us"),
        "cli_p99_ms": r.get("cli_p99_ms"),
        "http_p99_us": r.get("http_p99_us"),
        "pg_row": r.get("pg_row"),
        "ingest_vs_pg_row": _ratio(r.get("ingest"), r.get("pg_row")),
        "pg_copy_trigger": r.get("pg_copy_trigger"),
        "ingest_vs_pg_copy": _ratio(r.get("ingest"), r.get("pg_copy_trigger")),
        "pg_cte_ms": r.get("pg_cte_ms"),
        "rollup_vs_pg_cte": _ratio(r.get("pg_cte_ms") and r["pg_cte_ms"] * 1e3,
                                   _get(r, "lib", "get_p50_us")),
        "collector_anon_idle_kib": _get(r, "col_idle", "RssAnon"),
        "collector_anon_drain_kib": _get(r, "col_drain_peak", "RssAnon"),
        "collector_rss_idle_kib": _get(r, "col_idle", "VmRSS"),
        "collector_rss_drain_kib": _get(r, "col_drain_peak", "VmRSS"),
        "agg_rss_kib": _get(r, "agg_mem", "VmRSS"),
        "agg_anon_kib": _get(r, "agg_mem", "RssAnon"),
        "bytes_per_report": r.get("bytes_per_report"),
        "first_2000": r.get("first_2000"),
        "revisions_2000": r.get("revisions_2000"),
        "elapsed_s": r.get("elapsed_s"),
    }
    return f


def goals(f):
    """(text, figure text, met) for each goal of the issue; met None when
    the figure is missing."""
    def g(text, v, ok, fmt):
        return (text, "-" if v is None else fmt % v, None if v is None else ok(v))
    rev = _ratio(f["revisions_2000"], f["first_2000"])
    return [
        g("ingest >= 1.6 x one-core verify", f["ingest_vs_verify"], lambda v: v >= 1.6, "%.2f x"),
        g("ingest >= 5 x PostgreSQL one transaction per report", f["ingest_vs_pg_row"],
          lambda v: v >= 5, "%.1f x"),
        g("duplicate storm >= 10 x one-core verify", f["dup_vs_verify"], lambda v: v >= 10,
          "%.2f x"),
        g("rollup p99 <= 100 us (library)", f["rollup_p99_us"], lambda v: v <= 100, "%.1f us"),
        g("rollup p99 <= 10 ms (CLI)", f["cli_p99_ms"], lambda v: v <= 10, "%.2f ms"),
        g("rollup p99 <= 1 ms (HTTP)", f["http_p99_us"], lambda v: v <= 1000, "%.0f us"),
        g("library >= 1,000 x faster than PostgreSQL CTE (p50)", f["rollup_vs_pg_cte"],
          lambda v: v >= 1000, "%.0f x"),
        g("100 k backlog drained <= 5 s", f["drain_100k_s"], lambda v: v <= 5, "%.2f s"),
        g("2,000 revisions of one unit ~ 2,000 first reports (+-20 %)", rev,
          lambda v: 0.8 <= v <= 1.2, "%.2f x"),
        g("collector private RSS <= 8 MiB idle", f["collector_anon_idle_kib"],
          lambda v: v <= 8192, "%.0f KiB"),
        g("collector private RSS <= 32 MiB draining", f["collector_anon_drain_kib"],
          lambda v: v <= 32768, "%.0f KiB"),
        g("store <= 600 bytes per report", f["bytes_per_report"], lambda v: v <= 600,
          "%.0f B"),
    ]


def _row(out, name, value, what=""):
    out.append("  %-52s %15s  %s" % (name, value, what))


def table(cfg, r, notes):
    out = []
    f = figures(r)
    out.append("lnob benchmark (issue 13) — %s, %d cores, %s, Python %s" % (
        platform.node(), os.cpu_count() or 0, platform.release(), platform.python_version()))
    out.append("  scale %g: %d reports per ingest run, %d duplicates, %d in the store, "
               "%d backlog, %d revisions, %d-unit hierarchy; load %s at start, %s at end"
               % (cfg.scale, cfg.ingest, cfg.dup, cfg.store, cfg.backlog, cfg.revisions,
                  cfg.units, r.get("load_start"), r.get("load_end")))
    out.append("")
    out.append("1. Limits (median of %d runs, each 2 s or 100 batches)" % cfg.runs)
    _row(out, "Ed25519 verify, one core, 400-byte message", _f(r.get("verify_1core")), "/s")
    _row(out, "LMDB durable puts, batches of 1,000 x 400 B", _f(r.get("lmdb_puts")), "/s")
    _row(out, "fsync of the store's disk (4 KiB write each)", _f(r.get("fsync")), "/s")
    out.append("2. Ingest over tcp://127.0.0.1, CURVE (%d collectors, window %d; aggregator "
               "batch_max 256)" % (cfg.collectors, cfg.window))
    _row(out, "mean envelope size", _f(r.get("envelope_bytes")), "bytes")
    _row(out, "submit (queueing at the collectors)", _f(r.get("submit_rate")), "reports/s")
    _row(out, "direct: verified, committed", _f(f["ingest"]),
         "reports/s (%s s)" % _f(r.get("ingest_s"), "%.2f"))
    _row(out, "  / one-core verify", _f(f["ingest_vs_verify"], "%.2f"), "x")
    _row(out, "through one relay", _f(f["relay_ingest"]),
         "reports/s (%s s)" % _f(r.get("relay_ingest_s"), "%.2f"))
    _row(out, "  / one-core verify", _f(f["relay_vs_verify"], "%.2f"), "x")
    _row(out, "filling the store (%d more, store growing)" % max(0, cfg.store - cfg.ingest),
         _f(r.get("fill")), "reports/s (%s s; queued by submit in %s s)"
         % (_f(r.get("fill_s"), "%.1f"), _f(r.get("fill_submit_s"), "%.1f")))
    out.append("3. Duplicate storm (%d stored envelopes re-sent by %d collectors, median of %d)"
               % (cfg.dup, cfg.collectors, cfg.dup_runs))
    _row(out, "duplicates acked", _f(f["dup_storm"]),
         "envelopes/s (%s s)" % _f(r.get("dup_storm_s"), "%.2f"))
    _row(out, "  / one-core verify", _f(f["dup_vs_verify"], "%.2f"), "x")
    out.append("4. Backlog drain (%d queued in one collector while the aggregator was down)"
               % cfg.backlog)
    _row(out, "aggregator start -> last ack", _f(f["drain_100k_s"], "%.2f"), "s")
    _row(out, "aggregator start -> first stored", _f(r.get("drain_first_s"), "%.2f"), "s")
    out.append("5. Rollup latency, %s reports, random unit and period" % _f(r.get("store_reports")))
    lib = r.get("lib") or {}
    _row(out, "library agg_rollup_get() p50 / p99",
         "%s / %s" % (_f(lib.get("get_p50_us"), "%.1f"), _f(lib.get("get_p99_us"), "%.1f")),
         "us (%s queries; read txn included)" % _f(lib.get("queries")))
    _row(out, "library view_build() p50 / p99",
         "%s / %s" % (_f(lib.get("view_p50_us"), "%.1f"), _f(lib.get("view_p99_us"), "%.1f")),
         "us (unit + children document, unrendered)")
    _row(out, "CLI rollup --json p50 / p99",
         "%s / %s" % (_f(r.get("cli_p50_ms"), "%.2f"), _f(r.get("cli_p99_ms"), "%.2f")),
         "ms (%d processes)" % cfg.q_cli)
    _row(out, "HTTP GET /api/rollup p50 / p99",
         "%s / %s" % (_f(r.get("http_p50_us")), _f(r.get("http_p99_us"))),
         "us (%d requests, one connection, Python client)" % cfg.q_http)
    out.append("6. Memory and store")
    for label, key in (("collector idle (connected, empty)", "col_idle"),
                       ("collector queued, upstream down", "col_queued"),
                       ("collector draining (peak of samples)", "col_drain_peak")):
        m = r.get(key) or {}
        _row(out, label + " RssAnon / RSS",
             "%s / %s" % (_f(m.get("RssAnon")), _f(m.get("VmRSS"))), "KiB")
    m = r.get("agg_mem") or {}
    _row(out, "aggregator at %s reports RssAnon / RSS" % _f(r.get("store_reports")),
         "%s / %s" % (_f(m.get("RssAnon")), _f(m.get("VmRSS"))),
         "KiB (RssFile %s: the map's pages)" % _f(m.get("RssFile")))
    _row(out, "store on disk per report", _f(f["bytes_per_report"]),
         "bytes (%s MB allocated of data.mdb)" % _f((r.get("store_bytes") or 0) / 1e6))
    out.append("7. Revisions (%d, median of %d runs, one running collector)"
               % (cfg.revisions, cfg.rev_runs))
    _row(out, "first reports of %d units" % cfg.revisions, _f(f["first_2000"]), "reports/s")
    _row(out, "revisions 1..%d of one unit" % cfg.revisions, _f(f["revisions_2000"]),
         "reports/s")
    _row(out, "  revisions / first", _f(_ratio(f["revisions_2000"], f["first_2000"]), "%.2f"),
         "x")
    out.append("8. PostgreSQL %s (127.0.0.1, fsync on, shared_buffers 256MB)"
               % (r.get("pg_version") or "15"))
    _row(out, "one transaction per report (4 clients)", _f(f["pg_row"]),
         "reports/s (pgbench, prepared, %d s)" % cfg.pg_row_s)
    _row(out, "  lnob ingest / this", _f(f["ingest_vs_pg_row"], "%.1f"), "x")
    _row(out, "COPY with a rollup trigger", _f(f["pg_copy_trigger"]), "reports/s")
    _row(out, "  lnob ingest / this", _f(f["ingest_vs_pg_copy"], "%.1f"), "x")
    _row(out, "COPY without the trigger (the rest)", _f(r.get("pg_copy")), "reports/s")
    for key, label in (("pg_cte", "rollup, recursive CTE (planner's plan)"),
                       ("pg_cte_nl", "rollup, recursive CTE (nested loops)")):
        _row(out, label + " p50 / p99", "%s / %s" % (
            _f(r.get(key + "_p50_ms"), "%.3f"), _f(r.get(key + "_p99_ms"), "%.3f")),
             "ms (%d queries, pgbench, one client)" % cfg.q_pg)
        _row(out, "  of the province (all units)", _f(r.get(key + "_root_ms"), "%.1f"),
             "ms (p50)")
    _row(out, "  lnob library p50 vs the better CTE p50", _f(f["rollup_vs_pg_cte"]),
         "x faster (%s)" % (r.get("pg_cte_best") or "-"))
    _row(out, "rollup table the trigger keeps p50 / p99", "%s / %s" % (
        _f(r.get("pg_table_p50_ms"), "%.3f"), _f(r.get("pg_table_p99_ms"), "%.3f")), "ms")
    _row(out, "bytes per report (reports + rollups)", _f(r.get("pg_bytes_per_report")), "bytes")
    out.append("Where the time went")
    for n in notes:
        out.append("  " + n)
    out.append("Goals (for the record; not the exit status)")
    for text, fig, met in goals(f):
        out.append("  %-60s %14s  %s" % (text, fig,
                                         "-" if met is None else ("met" if met else "NOT MET")))
    out.append("Run took %s s" % _f(r.get("elapsed_s")))
    return out


def bench_line(f):
    keys = ("verify_1core", "ingest", "ingest_vs_verify", "dup_storm", "dup_vs_verify",
            "drain_100k_s", "rollup_p99_us", "cli_p99_ms", "http_p99_us", "pg_row",
            "ingest_vs_pg_row", "pg_cte_ms", "rollup_vs_pg_cte", "collector_anon_idle_kib",
            "collector_anon_drain_kib", "bytes_per_report", "relay_ingest", "relay_vs_verify",
            "revisions_2000", "first_2000", "view_p99_us", "pg_copy_trigger",
            "ingest_vs_pg_copy", "agg_rss_kib", "elapsed_s")
    fmt = {"ingest_vs_verify": "%.2f", "dup_vs_verify": "%.2f", "drain_100k_s": "%.2f",
           "rollup_p99_us": "%.1f", "cli_p99_ms": "%.2f", "ingest_vs_pg_row": "%.1f",
           "pg_cte_ms": "%.3f", "relay_vs_verify": "%.2f", "view_p99_us": "%.1f",
           "ingest_vs_pg_copy": "%.2f"}
    return "bench: " + " ".join("%s=%s" % (k, _f(f[k], fmt.get(k, "%.0f"))) for k in keys)


def print_report(cfg, r, notes, failed, errors):
    for line in table(cfg, r, notes):
        print(line)
    if failed is not None:
        print("FAILED: %s" % failed)
    for e in errors:
        print("cleanup: %s" % e)
    print(bench_line(figures(r)))
    sys.stdout.flush()
