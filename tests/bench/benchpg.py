"""benchpg: the central PostgreSQL 15 a province would otherwise use, for
tests/bench/bench.py.

A server of Debian's postgresql-15 (/usr/lib/postgresql/15/bin) in a
temporary directory of its own, on 127.0.0.1 and a free port, run as an
unprivileged user when the bench runs as root (`runuser -u nobody`);
defaults but shared_buffers (fsync and synchronous_commit on: as durable
as lnob). The clients (psql, pgbench) run as the bench's user over TCP
with trust authentication. stop() stops the postmaster by pid (pg_ctl,
then SIGKILL) and removes the directory.
"""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import benchlib as bl

PG_BIN = os.environ.get("LNOB_BENCH_PG_BIN", "/usr/lib/postgresql/15/bin")

SCHEMA = """
CREATE TABLE units (code text PRIMARY KEY, name text NOT NULL, parent text,
                    level text NOT NULL, kind text);
CREATE INDEX units_parent ON units (parent);
CREATE TABLE reports (id bigserial PRIMARY KEY, campaign text NOT NULL,
  period text NOT NULL, unit text NOT NULL, revision integer NOT NULL,
  completed_at bigint NOT NULL, narrative text, households_total bigint,
  poor_households bigint, near_poor_households bigint, fund_vnd bigint,
  received_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX reports_cpu ON reports (campaign, period, unit);
CREATE TABLE reports_form (LIKE reports INCLUDING ALL);
CREATE TABLE rollups (campaign text, period text, unit text,
  households_total bigint NOT NULL, poor_households bigint NOT NULL,
  near_poor_households bigint NOT NULL, fund_vnd bigint NOT NULL,
  units_reported integer NOT NULL, PRIMARY KEY (campaign, period, unit));
-- The rollup trigger: the report added to its unit and every ancestor
-- (first reports only: no superseded revision is subtracted).
CREATE FUNCTION rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE u text := NEW.unit;
BEGIN
  WHILE u IS NOT NULL LOOP
    INSERT INTO rollups VALUES (NEW.campaign, NEW.period, u,
      coalesce(NEW.households_total, 0), coalesce(NEW.poor_households, 0),
      coalesce(NEW.near_poor_households, 0), coalesce(NEW.fund_vnd, 0), 1)
    ON CONFLICT (campaign, period, unit) DO UPDATE SET
      households_total = rollups.households_total + EXCLUDED.households_total,
      poor_households = rollups.poor_households + EXCLUDED.poor_households,
      near_poor_households = rollups.near_poor_households + EXCLUDED.near_poor_households,
      fund_vnd = rollups.fund_vnd + EXCLUDED.fund_vnd,
      units_reported = rollups.units_reported + 1;
    SELECT parent INTO u FROM units WHERE code = u;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER reports_rollup AFTER INSERT ON reports
  FOR EACH ROW EXECUTE FUNCTION rollup_add();
"""

COLUMNS = ("campaign, period, unit, revision, completed_at, narrative, households_total, "
           "poor_households, near_poor_households, fund_vnd")

# One report as a web form stores it: one INSERT, one transaction.
FORM_SQL = """\\set u random(0, {units_1})
\\set p random(0, {periods_1})
\\set h random(50, 3049)
INSERT INTO reports_form ({columns}) VALUES ('{campaign}', 'p' || lpad(:p::text, 4, '0'), 'U' || lpad(:u::text, 5, '0'), 1, {completed}, '{narrative}', :h, :h / 7, :h / 9, 1000000);
"""

# The rollup of one unit's subtree computed at query time.
CTE_SQL = """\\set u random({u_lo}, {u_hi})
\\set p random(0, {periods_1})
WITH RECURSIVE sub(code) AS (SELECT 'U' || lpad(:u::text, 5, '0') UNION ALL SELECT u.code FROM units u JOIN sub s ON u.parent = s.code) SELECT count(*), sum(r.households_total), sum(r.poor_households), sum(r.near_poor_households), sum(r.fund_vnd) FROM reports r JOIN sub ON r.unit = sub.code WHERE r.campaign = '{campaign}' AND r.period = 'p' || lpad(:p::text, 4, '0');
"""

# Session options steering the CTE to nested loops over the indexes (the
# planner cannot size a recursive CTE and hashes the whole period).
NESTED_LOOPS = "-c enable_hashjoin=off -c enable_mergejoin=off -c enable_bitmapscan=off"

# The trigger's materialised rollup read back.
TABLE_SQL = """\\set u random(0, {units_1})
\\set p random(0, {periods_1})
SELECT * FROM rollups WHERE campaign = '{campaign}' AND period = 'p' || lpad(:p::text, 4, '0') AND unit = 'U' || lpad(:u::text, 5, '0');
"""


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lnob-bench-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "postgres.log")
        self.port = bl.lt.free_port("127.0.0.1")
        self.pid = None
        self.user = None
        if os.geteuid() == 0:
            # initdb and postgres refuse root: the server runs as nobody.
            self.user = os.environ.get("LNOB_BENCH_PG_USER", "nobody")
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o700)

    def _server_argv(self, argv):
        return (["runuser", "-u", self.user, "--"] + argv) if self.user else argv

    def _run(self, argv, timeout, server=False, **kw):
        r = subprocess.run(self._server_argv(argv) if server else argv, capture_output=True,
                           text=True, timeout=timeout, cwd=self.dir, **kw)
        if r.returncode != 0:
            raise bl.BenchError("%s exited %d: %s%s" % (" ".join(argv), r.returncode,
                                                         r.stdout[-2000:], r.stderr[-2000:]))
        return r

    def start(self):
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres",
                   "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], 300, server=True)
        opts = ("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s "
                "-c shared_buffers=256MB" % (self.port, self.dir))
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log_path,
                   "-w", "-t", "120", "-o", opts, "start"], 180, server=True)
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            self.pid = int(f.readline())
        self.psql_c("CREATE DATABASE bench", db="postgres")

    def stop(self):
        """Stops the postmaster (fast shutdown, bounded; then SIGKILL by
        pid) and removes the directory."""
        if self.pid is not None:
            try:
                subprocess.run(self._server_argv([os.path.join(PG_BIN, "pg_ctl"), "-D",
                                                  self.data, "-m", "fast", "-w", "-t", "60",
                                                  "stop"]),
                               capture_output=True, timeout=90)
            except subprocess.TimeoutExpired:
                pass
            deadline = time.monotonic() + 30
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            if self._alive():
                os.kill(self.pid, signal.SIGKILL)
            self.pid = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def _alive(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def _conn(self, db="bench"):
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db]

    def psql_c(self, sql, db="bench", timeout=600):
        return self._run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-t", "-A", "-v",
                          "ON_ERROR_STOP=1"] + self._conn(db) + ["-c", sql], timeout)

    def psql_f(self, text, timeout=1800):
        path = os.path.join(self.dir, "script-%d.sql" % time.monotonic_ns())
        with open(path, "w") as f:
            f.write(text)
        try:
            return self._run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-t", "-A", "-v",
                              "ON_ERROR_STOP=1"] + self._conn() + ["-f", path], timeout)
        finally:
            os.unlink(path)

    def scalar(self, sql):
        return self.psql_c(sql).stdout.strip()

    def setup(self, hier_csv):
        self.psql_f(SCHEMA)
        self.psql_f("\\copy units (code, name, parent, level, kind) FROM '%s' CSV HEADER\n"
                    "ANALYZE units;\n" % hier_csv)

    def copy(self, paths):
        """COPY of report CSVs into reports (each file one transaction, one
        after the other); returns the seconds it took."""
        script = "".join("\\copy reports (%s) FROM '%s' CSV HEADER\n" % (COLUMNS, p)
                         for p in paths)
        t0 = time.monotonic()
        self.psql_f(script)
        return time.monotonic() - t0

    def pgbench_tps(self, script, clients, seconds):
        """Transactions a second of script run by clients for seconds
        (prepared statements)."""
        path = self._script(script)
        r = self._run([os.path.join(PG_BIN, "pgbench"), "-n", "-M", "prepared", "-c",
                       str(clients), "-j", str(min(clients, os.cpu_count() or 2)), "-T",
                       str(seconds), "-f", path] + self._conn(), seconds + 300)
        for line in r.stdout.splitlines():
            if line.startswith("tps = ") and "without initial connection" in line:
                return float(line.split()[2]), r.stdout
        raise bl.BenchError("pgbench printed no tps: %s" % r.stdout[-2000:])

    def pgbench_latencies_us(self, script, count, options=""):
        """Each transaction's latency (µs) of script run count times by one
        client (pgbench --log), with PGOPTIONS options."""
        path = self._script(script)
        prefix = "lat%d" % time.monotonic_ns()
        self._run([os.path.join(PG_BIN, "pgbench"), "-n", "-M", "prepared", "-c", "1",
                   "-t", str(count), "-f", path, "-l", "--log-prefix=" + prefix]
                  + self._conn(), 1800, env=dict(os.environ, PGOPTIONS=options))
        lats = []
        for name in os.listdir(self.dir):
            if name.startswith(prefix + "."):
                with open(os.path.join(self.dir, name)) as f:
                    lats += [float(line.split()[2]) for line in f if line.strip()]
                os.unlink(os.path.join(self.dir, name))
        if len(lats) != count:
            raise bl.BenchError("pgbench logged %d of %d transactions" % (len(lats), count))
        return lats

    def _script(self, text):
        path = os.path.join(self.dir, "bench-%d.sql" % time.monotonic_ns())
        with open(path, "w") as f:
            f.write(text)
        return path
