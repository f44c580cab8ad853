"""Receipts: the aggregator's answer reaches the origin through a relay.

    aggregator
     |- d1-office   (scope D1; relay)
         |- c11-office  (scope C11; connects to the relay)

A report the aggregator refuses (C12: inside the relay's district, outside
the commune's scope) comes back parked at the commune with the reason; a
valid one shows "stored" in `status --report`; `dismiss` removes the parked
one and logs it; a receipt the relay owes survives a SIGKILL of the relay
(kept in its LMDB in the transaction that took the upstream's ack)."""

import json
import os
import signal
import unittest

import lnobtest
from lnobtest import wait_until
from test_relay import mdb_dump

VALUES = {"households_total": 400, "poor_households": 30}


class ReceiptsTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_aggregator()
        self.kw = dict(heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50,
                       backoff_max_ms=500, resend_after_ms=5000)
        self.relay = net.add_collector("d1-office", "D1", relay=True, **self.kw)
        self.commune = net.add_collector("c11-office", "C11", upstream=self.relay, **self.kw)

    def submit(self, reports, name):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, reports)
        self.commune.submit(path)

    def report(self, unit, period=lnobtest.PERIOD):
        r = self.net.cli(self.commune.cmd("status", "-c", self.commune.conf, "--report",
                                          "%s/%s" % (unit, period), "--json"))
        return json.loads(r.out)["envelopes"]

    def wait_report(self, unit, state, timeout=60):
        def cond():
            env = self.report(unit)
            return env and all(e["state"] == state for e in env) and env
        return wait_until(cond, timeout, "%s at the commune: %s" % (unit, state), self.net)

    def test_refusal_and_receipt_reach_the_origin(self):
        net, commune = self.net, self.commune
        self.submit([{"unit": "C11", "revision": 1, "values": VALUES}], "ok.csv")
        self.submit([{"unit": "C12", "revision": 1, "values": VALUES}], "oos.csv")
        self.assertEqual([e["state"] for e in self.report("C11")], ["queued"])
        self.agg.start()
        self.relay.start()
        commune.start()
        stored = self.wait_report("C11", "stored")
        self.assertEqual(stored[0]["seq"], 1)
        refused = self.wait_report("C12", "refused")
        self.assertEqual((refused[0]["seq"], refused[0]["reason"]), (2, "out_of_scope"))
        st = commune.status()
        self.assertEqual(st["parked"], 1, st)
        item = st["parked_items"][0]
        self.assertEqual((item["seq"], item["reason"]), (2, "out_of_scope"), item)
        # The table says it too.
        table = net.cli(commune.cmd("status", "-c", commune.conf, "--report", "C12/2023")).out
        self.assertIn("refused", table)
        self.assertIn("out_of_scope", table)

        # Dismissed: gone from parked, kept in the log with its digest.
        out = net.cli(commune.cmd("dismiss", "-c", commune.conf, "2", "--reason",
                                  "wrong commune")).out
        self.assertIn("dismissed 1 parked item", out)
        st = commune.status()
        self.assertEqual(st["parked"], 0, st)
        self.assertEqual(len(st["dismissed"]), 1, st)
        d = st["dismissed"][0]
        self.assertEqual((d["seq"], d["reason"], d["refused"]), (2, "wrong commune",
                                                                  "out_of_scope"), d)
        self.assertEqual(len(d["sha256"]), 64)
        r = net.cli(commune.cmd("dismiss", "-c", commune.conf, "2"), ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not parked", r.err)

        # At the relay, for the copy parked in its custody lane.
        relay = self.relay
        self.assertEqual(relay.status()["parked_relayed"], 1)
        net.cli(relay.cmd("dismiss", "-c", relay.conf, "c11-office:2"))
        st = relay.status()
        self.assertEqual(st["parked"], 0, st)
        self.assertEqual([(x["signer"], x["seq"], x["refused"]) for x in st["dismissed"]],
                         [("c11-office", 2, "out_of_scope")], st)
        self.assertIn("c11-office:2", net.cli(relay.cmd("status", "-c", relay.conf)).out)

    def test_requeue_after_a_refusal_goes_upstream_again(self):
        net, commune = self.net, self.commune
        self.submit([{"unit": "C12", "revision": 1, "values": VALUES}], "oos.csv")
        self.agg.start()
        self.relay.start()
        commune.start()
        first = self.wait_report("C12", "refused")[0]
        # The relay parked it too; requeued at the origin it goes upward
        # again (nothing was fixed: refused and parked once more).
        net.cli(commune.cmd("requeue", "-c", commune.conf, "1"))

        def again():
            env = self.report("C12")
            return env[0]["state"] == "refused" and env[0]["at_ms"] > first["at_ms"] and env
        wait_until(again, 60, "refused again after the requeue", net)

    def test_receipt_survives_a_relay_kill(self):
        net, commune, relay = self.net, self.commune, self.relay
        self.submit([{"unit": "C11", "revision": 1, "values": VALUES}], "ok.csv")
        relay.start()
        commune.start()
        # The aggregator is down: custody only, the commune's envelope is "sent".
        self.wait_report("C11", "sent")
        commune.stop()
        self.agg.start()
        # The relay forwards, the aggregator acks; the commune is away, so the
        # receipt waits in the relay's store.
        wait_until(lambda: relay.drained(), 60, "the relay drained upstream", net)
        os.kill(relay.daemon.pid, signal.SIGKILL)
        relay.daemon.proc.wait(timeout=lnobtest.STOP_TIMEOUT)
        relay.daemon._log.close()
        relay.daemon.returncode = relay.daemon.proc.returncode
        self.assertEqual([e["state"] for e in self.report("C11")], ["sent"])
        relay.start()
        commune.start()
        self.wait_report("C11", "stored")

    @unittest.skipUnless(os.environ.get("LNOB_FAULT_INJECTION", "0") in ("1", "ON", "TRUE",
                                                                        "true"),
                         "needs a build with -DLNOB_FAULT_INJECTION=ON")
    def test_receipt_survives_an_origin_killed_before_taking_it(self):
        """The relay sends the receipt until the origin acknowledges it: an
        origin SIGKILLed as the receipt arrives (before it committed it)
        gets it again once restarted, and the relay deletes it only then."""
        net, commune, relay = self.net, self.commune, self.relay
        self.submit([{"unit": "C11", "revision": 1, "values": VALUES}], "ok.csv")
        self.agg.start()
        relay.start()
        commune.start(env={"LNOB_FAULT": "collector.receipt_before_take"})
        commune.daemon.proc.wait(timeout=60)
        commune.daemon._log.close()
        commune.daemon.returncode = commune.daemon.proc.returncode
        self.assertEqual(commune.daemon.returncode, -signal.SIGKILL)
        self.assertEqual([e["state"] for e in self.report("C11")], ["sent"])
        self.assertEqual(len(mdb_dump(relay.data_dir, "receipts_out")), 1)
        commune.start()
        self.wait_report("C11", "stored")
        wait_until(lambda: not mdb_dump(relay.data_dir, "receipts_out"), 30,
                   "the relay deletes the receipt once acknowledged", net)

    def test_receipts_pass_down_a_chain_of_relays(self):
        net, relay = self.net, self.relay
        c11 = self.commune   # a relay too, for v11 below it
        c11.relay_endpoint, c11.relay_host, c11.relay_port = net.endpoint_for()
        with open(c11.conf, "a") as f:
            f.write("\n[relay]\nlisten = %s\n" % c11.relay_endpoint)
        v11 = net.add_collector("v11-office", "V11-0001", upstream=c11, **self.kw)
        relay.enroll_downstream(v11)    # d1-office checks v11's signature too
        ok, bad = "V11-0001", "V12-0001"   # bad: outside v11's scope
        path = net.path("v.csv")
        lnobtest.write_reports_csv(path, [{"unit": u, "revision": 1, "values": VALUES}
                                          for u in (ok, bad)])
        v11.submit(path)
        self.agg.start()
        relay.start()
        c11.start()
        v11.start()

        def states():
            got = {}
            for u in (ok, bad):
                r = net.cli(v11.cmd("status", "-c", v11.conf, "--report", u + "/2023",
                                    "--json"))
                env = json.loads(r.out)["envelopes"]
                got[u] = (env[0]["state"], env[0]["reason"]) if env else None
            return got == {ok: ("stored", None), bad: ("refused", "out_of_scope")} and got
        wait_until(states, 60, "v11: stored and refused, through two relays", net)
        st = v11.status()
        self.assertEqual([(i["seq"], i["reason"]) for i in st["parked_items"]],
                         [(2, "out_of_scope")], st)


if __name__ == "__main__":
    lnobtest.main()
