"""Stale LMDB reader slots: a `status` killed inside its read transaction
(fault point agg.status_in_txn) leaves its slot in the lock file, pinning old
pages. The running aggregator clears it within its periodic check (every
10 s) and says how many it cleared. (Clearing at open, which matters only
while another process keeps the environment open, is unit.store's.)"""

import signal
import subprocess
import unittest

import faultlib
import lnobtest
from faultlib import say
from lnobtest import wait_until

CHECK_EVERY_S = 10


log_text = lnobtest.log_text


@unittest.skipUnless(faultlib.fault_injection_built(), "needs -DLNOB_FAULT_INJECTION=ON")
class ReadersTest(lnobtest.NetTestCase):

    def kill_status_in_txn(self, agg):
        """Runs `status` with LNOB_FAULT=agg.status_in_txn: it dies by
        SIGKILL inside its read transaction."""
        r = faultlib.cli_env(self.net, agg.cmd("status", "-c", agg.conf, "--json"),
                             {"LNOB_FAULT": "agg.status_in_txn"})
        self.assertEqual(r.returncode, -signal.SIGKILL, "status: %s" % r.err)
        self.assertIn("fault injection: SIGKILL at agg.status_in_txn", r.err)

    def reader_pids(self, agg):
        """The pids in the store's reader table (mdb_stat -r; its exit
        status is 1 even when it printed the table)."""
        r = subprocess.run(["mdb_stat", "-r", agg.data_dir], capture_output=True,
                           timeout=lnobtest.CLI_TIMEOUT, text=True)
        self.assertIn("Reader Table Status", r.stdout, r.stderr)
        pids = []
        for line in r.stdout.splitlines()[2:]:
            parts = line.split()
            if parts and parts[0].isdigit():
                pids.append(int(parts[0]))
        return pids

    def test_running_daemon_clears_stale_readers(self):
        net = self.net
        agg = net.add_aggregator()
        agg.start()
        # (Each CLI clears dead slots when it opens the store, so only the
        # last one killed is left for the daemon: no other CLI call until
        # the daemon has cleared it.)
        self.kill_status_in_txn(agg)
        self.assertEqual(len(self.reader_pids(agg)), 1, "a stale slot left behind")
        wait_until(lambda: "cleared 1 stale reader slot(s)" in log_text(agg.daemon),
                   CHECK_EVERY_S + 20, "the daemon clearing the stale reader slot", net)
        self.assertEqual(self.reader_pids(agg), [], "reader table after the check")
        # The store still answers; nothing else changed.
        self.assertEqual(agg.status()["envelopes"], 0)
        say("readers: the running aggregator cleared the stale reader slot")


if __name__ == "__main__":
    lnobtest.main()
