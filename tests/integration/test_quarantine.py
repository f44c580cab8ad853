"""A reused (signer, seq) with other content is quarantined, and the first
copy stays; the first copy sent again is still acked as a duplicate."""

import lnobtest
from lnobtest import CraftedClient, nack_reason_name, report_body, sign_envelope

KIND_REPORT = 1
A = {"households_total": 1200, "poor_households": 85, "near_poor_households": 40,
     "fund_vnd": 250_000_000}
B = {"households_total": 1200, "poor_households": 999, "near_poor_households": 1,
     "fund_vnd": 1_000}


class QuarantineTest(lnobtest.NetTestCase):

    def test_seq_reuse_is_quarantined_first_copy_stays(self):
        net = self.net
        agg = net.add_aggregator()
        keys = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        agg.enroll(keys.pub_path, "D1")
        sk = keys.signing_key()
        env_a = sign_envelope(sk, "crafta", 5, KIND_REPORT,
                              report_body("C11", A, narrative="first"))
        env_b = sign_envelope(sk, "crafta", 5, KIND_REPORT,
                              report_body("C11", B, narrative="second"))
        self.assertNotEqual(env_a, env_b)
        agg.start()

        def check_values_are_a():
            self.assertEqual(agg.rollup(unit="C11")["unit"]["sums"], A)
            root = agg.rollup()
            self.assertEqual(root["unit"]["sums"], A)
            self.assertEqual(root["unit"]["units_reported"], 1)

        with CraftedClient(net, keys) as cl:
            cl.handshake()
            kind, ans = cl.send_envelope(env_a)
            self.assertEqual(kind, "ack", ans)
            st1, k1 = agg.wait_status(lambda st, k: st["envelopes"] == 1 and k["stored"] == 1,
                                      "A stored")
            self.assertEqual(st1["quarantined"], 0, st1)
            check_values_are_a()

            kind, ans = cl.send_envelope(env_b)
            self.assertEqual(kind, "nack", "B reuses (crafta, 5): %r" % ans)
            self.assertEqual(nack_reason_name(ans.reason), "seq_reused", ans)
            self.assertEqual((ans.signer, ans.seq), ("crafta", 5))
            self.assertFalse(ans.retryable, ans)
            st2, k2 = agg.wait_status(lambda st, k: st["quarantined"] >= 1
                                      and k["quarantined"] >= 1, "B quarantined")
            self.assertEqual(st2["quarantined"], 1, st2)
            self.assertEqual(k2["quarantined"], 1, st2)
            self.assertEqual(st2["envelopes"], 1, st2)
            self.assertEqual(st2["reports"], 1, st2)
            self.assertEqual(k2["stored"], 1, st2)
            check_values_are_a()

            kind, ans = cl.send_envelope(env_a)
            self.assertEqual(kind, "ack", "A again must be acked as a duplicate: %r" % ans)
            st3, k3 = agg.wait_status(lambda st, k: k["duplicate"] >= k2["duplicate"] + 1,
                                      "A's second copy counted as duplicate")
            self.assertEqual(k3["duplicate"], k2["duplicate"] + 1, st3)
            self.assertEqual(st3["envelopes"], 1, st3)
            self.assertEqual(st3["quarantined"], 1, st3)
            self.assertEqual(k3["quarantined"], 1, st3)
            self.assertEqual(k3["stored"], 1, st3)
            check_values_are_a()
        v = agg.verify()
        self.assertEqual(v.returncode, 0, "verify: %s%s" % (v.out, v.err))


if __name__ == "__main__":
    lnobtest.main()
