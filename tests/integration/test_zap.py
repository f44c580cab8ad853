"""Admission: only enrolled CURVE keys get through the aggregator's ZAP
handler; a plain (NULL mechanism) client gets nothing through either."""

import zmq

import lnobtest
from lnobtest import CraftedClient, report_body, sign_envelope, wait_until

KIND_REPORT = 1
VALUES = {"households_total": 250, "poor_households": 20}
HANDSHAKE_FAILED = (zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL, zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
                    zmq.EVENT_HANDSHAKE_FAILED_AUTH)


class ZapTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        self.agg = self.net.add_aggregator()

    def assertNothingStored(self):
        st = self.agg.status()
        counters = lnobtest.Counters(st.get("counters") or {})
        self.assertEqual(st["envelopes"], 0, st)
        self.assertEqual(st["reports"], 0, st)
        self.assertEqual(counters["stored"], 0, st)
        return st, counters

    def wait_handshake_event(self, cl, wanted, what, timeout=20):
        """Polls the client's monitor until one of wanted is seen; fails if
        a handshake succeeds first."""
        def seen():
            evs = [e["event"] for e in cl.poll_events()]
            if zmq.EVENT_HANDSHAKE_SUCCEEDED in evs:
                raise WaitTimeout_(cl)
            return any(e in wanted for e in evs)
        try:
            wait_until(seen, timeout, what + " (monitor events)", self.net)
        except WaitTimeout_:
            self.fail("handshake SUCCEEDED where it must fail; events: %r" % cl.event_names())
        return cl.event_names()

    def test_unenrolled_collector_cannot_connect(self):
        net, agg = self.net, self.agg
        c = net.add_collector("stranger", "D1", enroll=False, dead_after_ms=2000,
                              backoff_min_ms=100, backoff_max_ms=1000)
        path = net.path("reports.csv")
        lnobtest.write_reports_csv(path, [
            {"unit": "C11", "revision": 1, "values": VALUES},
            {"unit": "C12", "revision": 1, "values": VALUES}])
        c.submit(path)
        agg.start()
        c.start()
        agg.wait_status(lambda st, k: k["zap_denied"] >= 1, "zap_denied >= 1", timeout=30)
        # It keeps trying (no retry limit) and keeps being refused.
        agg.wait_status(lambda st, k: k["zap_denied"] >= 2,
                        "zap_denied >= 2 (the collector retries)", timeout=60)
        st = c.status()
        self.assertEqual(st["queued"], 2, st)
        self.assertEqual(st["parked"], 0, st)
        self.assertIsNone(st["last_contact_ms"], st)
        ast, _ = self.assertNothingStored()
        self.assertNotIn("stranger", [n["id"] for n in ast["nodes"]])

    def test_null_mechanism_client_gets_nothing_through(self):
        net, agg = self.net, self.agg
        keys = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        agg.enroll(keys.pub_path, "D1")
        agg.start()
        s0 = agg.status()
        envelope = sign_envelope(keys.signing_key(), "crafta", 1, KIND_REPORT,
                                 report_body("C11", VALUES))
        with CraftedClient(net, None, monitor=True) as cl:
            cl.send_raw(lnobtest.frame_heartbeat())
            cl.send_raw(lnobtest.frame_envelope(envelope))
            events = self.wait_handshake_event(
                cl, HANDSHAKE_FAILED, "a NULL client's handshake with a CURVE server failing")
            self.assertIsNone(cl.recv_frame(), "a NULL client got an answer: %r" % cl.frames)
            self.assertEqual(cl.frames, [])
            self.assertNotIn("EVENT_HANDSHAKE_SUCCEEDED", [e[0] for e in events])
        self.assertNothingStored()
        self.assertEqual(agg.status()["counters"].get("rejected_malformed", 0),
                         s0["counters"].get("rejected_malformed", 0))
        # Control: the very same envelope over CURVE with the enrolled key
        # is stored, so only the mechanism kept it out.
        with CraftedClient(net, keys) as cl:
            cl.handshake()
            kind, ans = cl.send_envelope(envelope)
            self.assertEqual(kind, "ack", ans)
        agg.wait_status(lambda st, k: st["envelopes"] == 1, "the control envelope stored")

    def test_unknown_curve_key_fails_auth(self):
        net, agg = self.net, self.agg
        enrolled = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        agg.enroll(enrolled.pub_path, "D1")
        intruder = net.keygen(agg.bin, "intruder", net.path("intruder.key"))
        agg.start()
        _, k0 = agg.counters()
        envelope = sign_envelope(enrolled.signing_key(), "crafta", 1, KIND_REPORT,
                                 report_body("C11", VALUES))
        with CraftedClient(net, intruder, monitor=True) as cl:
            cl.send_raw(lnobtest.frame_envelope(envelope))
            events = self.wait_handshake_event(
                cl, (zmq.EVENT_HANDSHAKE_FAILED_AUTH,),
                "EVENT_HANDSHAKE_FAILED_AUTH for an unknown CURVE key")
            self.assertIn("EVENT_HANDSHAKE_FAILED_AUTH", [e[0] for e in events])
            self.assertIsNone(cl.recv_frame(), "an unknown key got an answer: %r" % cl.frames)
        agg.wait_status(lambda st, k: k["zap_denied"] > k0["zap_denied"],
                        "zap_denied increased")
        self.assertNothingStored()


class WaitTimeout_(Exception):
    """A handshake succeeded where it must not."""


if __name__ == "__main__":
    lnobtest.main()
