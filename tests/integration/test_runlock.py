"""One running daemon per store (common/runlock.h).

A second `lnob-aggregator run` on the aggregator's store, and a second
`lnob-collector run` on a collector's outbox, are refused at once with
exit 1, naming the lock file and the running daemon's pid; the first one
goes on answering. A daemon SIGKILLed leaves no lock behind: the next
`run` starts."""

import os
import signal

import lnobtest
from lnobtest import wait_until


class RunLockTest(lnobtest.NetTestCase):

    def second_run_refused(self, node, prog):
        r = self.net.cli(node.cmd("run", "-c", node.conf), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s/run.lock: another %s run (pid %d) is using this store; one daemon "
                      "per store" % (node.data_dir, prog, node.daemon.pid), r.err)

    def kill(self, node):
        os.kill(node.daemon.pid, signal.SIGKILL)
        node.daemon.proc.wait(timeout=lnobtest.STOP_TIMEOUT)
        node.daemon._log.close()
        node.daemon.returncode = node.daemon.proc.returncode

    def test_one_daemon_per_store(self):
        net = self.net
        agg = net.add_aggregator()
        coll = net.add_collector("c11-office", "C11", heartbeat_ms=300)
        agg.start()
        coll.start()
        self.second_run_refused(agg, "lnob-aggregator")
        self.second_run_refused(coll, "lnob-collector")
        # The first ones still work: a report goes through.
        path = net.path("r.csv")
        lnobtest.write_reports_csv(path, [{"unit": "C11", "revision": 1,
                                           "values": {"households_total": 10}}])
        coll.submit(path)
        agg.wait_status(lambda s, k: k["stored"] == 1, "the report stored")
        # Killed, they leave no lock: they start again.
        self.kill(agg)
        self.kill(coll)
        agg.start()
        coll.start()
        wait_until(lambda: coll.status()["last_contact_ms"], 30, "the collector back", net)
        self.second_run_refused(agg, "lnob-aggregator")

    def test_run_n_refuses_a_store_others_may_read(self):
        """`run -n` checks the store's modes as `run` would open it."""
        net = self.net
        agg = net.add_aggregator()
        coll = net.add_collector("c11-office", "C11")
        for node, mode in ((agg, 0o755), (coll, 0o777)):
            os.makedirs(node.data_dir, mode=0o700, exist_ok=True)
            os.chmod(node.data_dir, mode)
            r = net.cli(node.cmd("run", "-c", node.conf, "-n"), ok=False)
            self.assertEqual(r.returncode, 1, r.out + r.err)
            self.assertIn("[node] data_dir: %s: the store's directory has mode %04o; group and "
                          "others must not read or write it (chmod 700 %s)"
                          % (node.data_dir, mode, node.data_dir), r.err)
            os.chmod(node.data_dir, 0o700)
            self.assertIn("configuration OK",
                          net.cli(node.cmd("run", "-c", node.conf, "-n")).out)


if __name__ == "__main__":
    lnobtest.main()
