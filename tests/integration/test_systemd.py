"""Both daemons under systemd's protocols (README "Running under systemd").

The test plays systemd: a datagram socket as NOTIFY_SOCKET and a
WATCHDOG_USEC of 400 ms. Each daemon sends READY=1 once it serves,
WATCHDOG=1 at least every 200 ms while it runs, and STOPPING=1 on
SIGTERM. With JOURNAL_STREAM set its log lines carry a syslog priority
and no time of their own. The units in deploy/systemd/ pass
`systemd-analyze verify` (with ExecStart pointed at this build) where the
command is installed."""

import os
import shutil
import signal
import socket
import subprocess
import time

import lnobtest
from lnobtest import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class SystemdTest(lnobtest.NetTestCase):

    def notify_socket(self, name):
        path = self.net.path("notify-%s.sock" % name)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        s.settimeout(0.2)
        self.addCleanup(s.close)
        return path, s

    def messages(self, sock, want, timeout=30):
        """Datagrams until one holds want (bounded); returns them all."""
        got, end = [], time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                got.append(sock.recv(4096).decode())
            except socket.timeout:
                continue
            if want in got[-1]:
                return got
        raise AssertionError("no %r in %r within %d s" % (want, got, timeout))

    def check_daemon(self, node, name):
        path, sock = self.notify_socket(name)
        node.start(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000",
                        "JOURNAL_STREAM": "8:12345"})
        ready = self.messages(sock, "READY=1")
        self.assertIn("STATUS=", ready[-1], name)
        t0 = time.monotonic()
        pings = [m for m in self.messages(sock, "WATCHDOG=1") if "WATCHDOG=1" in m]
        for _ in range(3):
            pings += [m for m in self.messages(sock, "WATCHDOG=1") if "WATCHDOG=1" in m]
        self.assertGreaterEqual(len(pings), 4, name)
        self.assertLess(time.monotonic() - t0, 4 * 0.4 + 2, name)   # at least every 200 ms
        os.kill(node.daemon.pid, signal.SIGTERM)
        self.messages(sock, "STOPPING=1")
        node.daemon.proc.wait(timeout=lnobtest.STOP_TIMEOUT)
        node.daemon._log.close()
        node.daemon.returncode = node.daemon.proc.returncode
        self.assertEqual(node.daemon.returncode, 0, name)
        with open(node.daemon.log_path) as f:
            lines = [line for line in f.read().splitlines() if line]
        self.assertTrue(lines, name)
        for line in lines:
            self.assertRegex(line, r"^<[3467]>(error|warning|info|debug): ", name)

    def test_notify_watchdog_and_journal(self):
        net = self.net
        agg = net.add_aggregator()
        coll = net.add_collector("c11-office", "C11", heartbeat_ms=100)
        self.check_daemon(agg, "aggregator")
        agg.start()
        self.check_daemon(coll, "collector")

    def test_log_target(self):
        """[log] target = syslog: the daemon's lines leave stderr (it runs
        and answers as before); a target that is neither stderr nor syslog
        is refused by run -n naming the key."""
        net = self.net
        agg = net.add_aggregator(extra_conf="\n[log]\ntarget = syslog\n")
        agg.start()
        self.assertEqual(agg.status()["envelopes"], 0)
        agg.stop()
        self.assertNotIn("info: ", lnobtest.log_text(agg.daemon))
        with open(agg.conf) as f:
            conf = f.read()
        with open(agg.conf, "w") as f:
            f.write(conf.replace("target = syslog", "target = journal"))
        r = net.cli(agg.cmd("run", "-c", agg.conf, "-n"), ok=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("[log] target", r.err)
        self.assertIn("not one of stderr, syslog: 'journal'", r.err)

    def test_units_verify(self):
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            self.skipTest("systemd-analyze is not installed here")
        for prog, env in (("lnob-aggregator", "LNOB_AGGREGATOR"),
                          ("lnob-collector", "LNOB_COLLECTOR")):
            with open(os.path.join(ROOT, "deploy", "systemd", prog + ".service")) as f:
                text = f.read()
            self.assertIn("Type=notify", text)
            self.assertIn("WatchdogSec=", text)
            unit = self.net.path(prog + ".service")
            with open(unit, "w") as f:
                f.write(text.replace("/usr/bin/" + prog, os.environ[env]))
            # --man=no: the man pages come with the package, not this build.
            r = subprocess.run([analyze, "verify", "--man=no", unit], capture_output=True,
                               timeout=60, text=True)
            errors = [line for line in (r.stdout + r.stderr).splitlines() if prog in line]
            self.assertEqual(errors, [], r.stdout + r.stderr)


if __name__ == "__main__":
    lnobtest.main()
