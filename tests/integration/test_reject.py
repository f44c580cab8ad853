"""Refusals: tampered, unknown-signer, revoked-signer, out-of-scope,
malformed and too-large envelopes are NACKed with their reason, counted, and
nothing is stored. Envelopes are crafted by an independent implementation of
the signing rule of proto/lnob.proto (python3-nacl)."""

import nacl.signing

import lnobtest
from lnobtest import CraftedClient, nack_reason_name, report_body, sign_envelope

KIND_REPORT = 1
VALUES = {"households_total": 400, "poor_households": 30, "near_poor_households": 12,
          "fund_vnd": 75_000_000}
REJECTION_COUNTERS = ("rejected_malformed", "rejected_unknown_signer",
                      "rejected_revoked_signer", "rejected_bad_signature",
                      "rejected_out_of_scope", "rejected_too_large",
                      "rejected_unknown_kind", "rejected_unknown_unit",
                      "rejected_invalid", "quarantined", "zap_denied")


def flip_bit(data, index, bit=0):
    b = bytearray(data)
    b[index] ^= 1 << bit
    return bytes(b)


class SignedBytesTest(lnobtest.NetTestCase):
    """No daemon: the rule as implemented here equals lnob.proto's example."""

    def setUp(self):
        self.net = None

    def tearDown(self):
        pass

    def test_proto_example(self):
        body = bytes([0x0A, 0x01, 0x41])
        got = lnobtest.signed_bytes("c1", 1, KIND_REPORT, body)
        self.assertEqual(got, lnobtest.proto_example_hex())
        self.assertEqual(len(got), 37 + len("c1") + len(body))
        # The example body is a Report whose campaign is "A".
        r = lnobtest.pb().Report()
        r.ParseFromString(body)
        self.assertEqual(r.campaign, "A")
        self.assertEqual(lnobtest.pb().KIND_REPORT, KIND_REPORT)


class RejectTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_aggregator(max_body=4096)
        agg = self.agg
        # Two enrolled ids one bit apart ('a' 0x61, 'c' 0x63).
        self.crafta = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        self.craftc = net.keygen(agg.bin, "craftc", net.path("craftc.key"))
        self.revoked = net.keygen(agg.bin, "revoked1", net.path("revoked1.key"))
        agg.enroll(self.crafta.pub_path, "D1")
        agg.enroll(self.craftc.pub_path, "D1")
        agg.enroll(self.revoked.pub_path, "D1")
        agg.revoke("revoked1")
        self.sk = self.crafta.signing_key()

    def snapshot(self):
        return self.agg.counters()

    def expect_nack(self, client, envelope, reason, signer, seq, raw_frame=None):
        """Sends envelope (wrapped in a Frame), or raw_frame as is, and
        expects a non-retryable NACK with reason that names (signer, seq);
        signer None: a frame that does not decode, the first NACK counts."""
        data = raw_frame if raw_frame is not None else lnobtest.frame_envelope(envelope)
        kind, ans = client.exchange(data, signer, seq)
        self.assertEqual(kind, "nack", "expected NACK %s for (%r, %r), got %s %r"
                         % (reason, signer, seq, kind, ans))
        self.assertEqual(nack_reason_name(ans.reason), reason,
                         "(%r, %r): %r" % (signer, seq, ans))
        self.assertFalse(ans.retryable, "a %s NACK must not be retryable: %r" % (reason, ans))
        if signer is not None:
            self.assertEqual((ans.signer, ans.seq), (signer, seq),
                             "the %s NACK must name the refused (signer, seq), or the "
                             "sender cannot park it: %r" % (reason, ans))
        return ans

    def assertDeltas(self, before, after, expected):
        b, a = before[1], after[1]
        for k in REJECTION_COUNTERS + ("stored", "duplicate"):
            self.assertEqual(a[k] - b[k], expected.get(k, 0),
                             "counter %s: before %d after %d\n%r" % (k, b[k], a[k], after[0]))

    def test_crafted_rejections(self):
        agg, net = self.agg, self.net
        agg.start()
        with CraftedClient(net, self.crafta) as cl:
            cl.handshake()
            s0 = self.snapshot()

            # Control: a valid envelope from the independent implementation
            # is stored and acked.
            good = report_body("C11", VALUES, narrative="control")
            kind, ans = cl.send_envelope(sign_envelope(self.sk, "crafta", 1, KIND_REPORT, good))
            self.assertEqual(kind, "ack", ans)
            s1 = agg.wait_status(
                lambda st, k: st["envelopes"] == s0[0]["envelopes"] + 1
                and k["stored"] == s0[1]["stored"] + 1,
                "the control envelope stored and counted")
            self.assertDeltas(s0, s1, {"stored": 1})
            self.assertEqual(agg.rollup(unit="C11")["unit"]["sums"], VALUES)

            # Tampering: one bit flipped after signing, field by field.
            body = report_body("C12", VALUES, narrative="tamper-target-aaaa")
            i = body.index(b"aaaa")
            self.expect_nack(cl, sign_envelope(
                self.sk, "crafta", 10, KIND_REPORT, flip_bit(body, i, 1),
                signature_for=("crafta", 10, KIND_REPORT, body)),
                "bad_signature", "crafta", 10)
            self.expect_nack(cl, sign_envelope(
                self.sk, "crafta", 20 ^ 1, KIND_REPORT, body,
                signature_for=("crafta", 20, KIND_REPORT, body)),
                "bad_signature", "crafta", 21)
            self.assertEqual(chr(ord("a") ^ 2), "c")
            self.expect_nack(cl, sign_envelope(
                self.sk, "craftc", 30, KIND_REPORT, body,
                signature_for=("crafta", 30, KIND_REPORT, body)),
                "bad_signature", "craftc", 30)
            self.expect_nack(cl, sign_envelope(
                self.sk, "crafta", 40, KIND_REPORT ^ 2, body,
                signature_for=("crafta", 40, KIND_REPORT, body)),
                "bad_signature", "crafta", 40)

            # Unknown signer: a key never enrolled, over an admitted connection.
            ghost = nacl.signing.SigningKey.generate()
            self.expect_nack(cl, sign_envelope(ghost, "ghost", 1, KIND_REPORT, body),
                             "unknown_signer", "ghost", 1)

            # Revoked signer: properly signed with the revoked node's key.
            self.expect_nack(cl, sign_envelope(self.revoked.signing_key(), "revoked1", 1,
                                               KIND_REPORT, body),
                             "revoked_signer", "revoked1", 1)

            # Out of scope: crafta may report for D1's subtree only.
            oos = report_body("C21", VALUES)
            self.expect_nack(cl, sign_envelope(self.sk, "crafta", 50, KIND_REPORT, oos),
                             "out_of_scope", "crafta", 50)

            # Malformed: a frame that does not decode, and a Frame whose
            # envelope does not decode.
            self.expect_nack(cl, None, "malformed", None, None,
                             raw_frame=b"\xff\xff\xff\xff\xff")
            self.expect_nack(cl, None, "malformed", None, None,
                             raw_frame=lnobtest.frame_envelope(b"\xff\xff\xff\xff"))

            expected = {"rejected_bad_signature": 4, "rejected_unknown_signer": 1,
                        "rejected_revoked_signer": 1, "rejected_out_of_scope": 1,
                        "rejected_malformed": 2}
            s2 = agg.wait_status(
                lambda st, k: all(k[c] - s1[1][c] >= n for c, n in expected.items()),
                "every refusal counted")
            self.assertDeltas(s1, s2, expected)
            self.assertEqual(s2[0]["envelopes"], s1[0]["envelopes"], s2[0])
            self.assertEqual(s2[0]["reports"], s1[0]["reports"], s2[0])
            self.assertEqual(s2[0]["quarantined"], 0, s2[0])

            # The connection still works after all that.
            good2 = report_body("C12", VALUES, narrative="control 2")
            kind, ans = cl.send_envelope(sign_envelope(self.sk, "crafta", 60, KIND_REPORT, good2))
            self.assertEqual(kind, "ack", ans)
        s3 = agg.wait_status(lambda st, k: k["stored"] - s2[1]["stored"] >= 1,
                             "the second control stored")
        self.assertDeltas(s2, s3, {"stored": 1})
        self.assertEqual(s3[0]["envelopes"], s2[0]["envelopes"] + 1, s3[0])
        # Only the two controls count in the rollups.
        self.assertEqual(agg.rollup(unit="C12")["unit"]["sums"], VALUES)
        self.assertEqual(agg.rollup(unit="D2")["unit"]["units_reported"], 0)
        self.assertEqual(agg.rollup()["unit"]["units_reported"], 2)
        v = agg.verify()
        self.assertEqual(v.returncode, 0, "verify: %s%s" % (v.out, v.err))

    def test_too_large_body(self):
        agg, net = self.agg, self.net
        agg.start()
        with CraftedClient(net, self.crafta) as cl:
            cl.handshake()
            s0 = self.snapshot()
            body = report_body("C11", VALUES, narrative="x" * agg.max_body)
            self.assertGreater(len(body), agg.max_body)
            kind, ans = cl.exchange(lnobtest.frame_envelope(
                sign_envelope(self.sk, "crafta", 1, KIND_REPORT, body)), None, None)
        self.assertEqual(kind, "nack", ans)
        self.assertEqual(nack_reason_name(ans.reason), "too_large", ans)
        self.assertFalse(ans.retryable, ans)
        s1 = agg.wait_status(
            lambda st, k: k["rejected_too_large"] > s0[1]["rejected_too_large"],
            "rejected_too_large counted")
        self.assertDeltas(s0, s1, {"rejected_too_large": 1})
        self.assertEqual(s1[0]["envelopes"], s0[0]["envelopes"], s1[0])
        # Last: the sender needs (signer, seq) to park what was refused.
        self.assertEqual((ans.signer, ans.seq), ("crafta", 1),
                         "the too_large NACK must name the refused (signer, seq), or "
                         "the sender cannot park it: %r" % ans)

    def test_collector_parks_too_large(self):
        """A report over the aggregator's max_body (queued before the
        collector knew the limit) ends parked as too_large at the
        collector, never sent: the limit comes with the aggregator's first
        heartbeat answer, before any credit. The other report is stored."""
        agg, net = self.agg, self.net
        c = net.add_collector("d1-office", "D1", resend_after_ms=2000)
        path = net.path("reports.csv")
        big = {"unit": "C11", "revision": 1, "values": dict(VALUES),
               "narrative": "x" * (agg.max_body + 100)}
        lnobtest.write_reports_csv(path, [big, {"unit": "C12", "revision": 1,
                                                "values": dict(VALUES)}])
        c.submit(path)
        agg.start()
        c.start()
        agg.wait_status(lambda st, k: k["stored"] >= 1, "the other report stored")

        def parked():
            s = c.status()
            return s["queued"] == 0 and s["in_flight"] == 0 and s["parked"] == 1 and s

        st = lnobtest.wait_until(parked, 30, "collector: queued 0, parked 1 (too_large)", net)
        self.assertEqual([i["reason"] for i in st["parked_items"]], ["too_large"], st)
        size = len(report_body("C11", VALUES, narrative=big["narrative"],
                               completed_at=1701140400))
        self.assertIn("envelope body of %d bytes is over the upstream's max_body of %d bytes"
                      % (size, agg.max_body), st["parked_items"][0]["detail"], st)
        self.assertEqual(st["max_body"], agg.max_body, st)
        ast, k = agg.counters()
        self.assertEqual((k["stored"], k["rejected_too_large"]), (1, 0), ast)

    def test_collector_parks_out_of_scope(self):
        agg, net = self.agg, self.net
        c = net.add_collector("d1-office", "D1")
        reports = [{"unit": "C11", "revision": 1, "values": dict(VALUES)},
                   {"unit": "C21", "revision": 1, "values": dict(VALUES)}]
        path = net.path("reports.csv")
        lnobtest.write_reports_csv(path, reports)
        c.submit(path)
        agg.start()
        c.start()

        def parked():
            s = c.status()
            return s["queued"] == 0 and s["in_flight"] == 0 and s["parked"] == 1 and s

        st = lnobtest.wait_until(parked, 60, "collector: queued 0, parked 1", net)
        self.assertEqual(len(st["parked_items"]), 1, st)
        item = st["parked_items"][0]
        self.assertEqual(item["reason"], "out_of_scope", st)
        self.assertIsInstance(item["seq"], int)
        self.assertIsNotNone(item["parked_at_ms"], st)
        self.assertIsNotNone(st["last_contact_ms"], st)
        ast, counters = agg.wait_status(
            lambda st, k: k["rejected_out_of_scope"] >= 1 and k["stored"] >= 1,
            "the refusal and the stored report counted")
        self.assertEqual(ast["envelopes"], 1, ast)
        self.assertEqual(counters["stored"], 1, ast)
        self.assertEqual(counters["rejected_out_of_scope"], 1, ast)
        self.assertEqual(agg.rollup(unit="D2")["unit"]["units_reported"], 0)
        self.assertEqual(agg.rollup(unit="C11")["unit"]["sums"], VALUES)


if __name__ == "__main__":
    lnobtest.main()
