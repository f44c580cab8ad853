"""Relay: a district collector serving a commune below it.

    aggregator
     |- d1-office   (scope D1; relay, [relay] listen)
         |- c11-office  (scope C11; connects to the relay)

The relay takes the commune's envelopes into custody (durably, then acks)
and forwards them byte for byte; the aggregator judges signature and scope
on the origin signer. Also: ZAP at the relay admits only enrolled,
unrevoked downstream keys; the relay refuses tampered, unknown-signer and
seq-reusing envelopes itself and forwards none of them."""

import subprocess

import nacl.signing
import zmq

import lnobtest
from lnobtest import (CraftedClient, nack_reason_name, report_body, sign_envelope,
                      wait_until)

KIND_REPORT = 1
PERIODS = ("2021", "2022", "2023", "2024", "2025")
VALUES = {"households_total": 400, "poor_households": 30}


def mdb_dump(data_dir, db):
    """[(key, value)] of LMDB database db in data_dir, read by mdb_dump
    (lmdb-utils) as a reader beside a running daemon."""
    r = subprocess.run(["mdb_dump", "-s", db, data_dir], capture_output=True, timeout=60,
                       check=True)
    lines = r.stdout.decode().splitlines()
    start = lines.index("HEADER=END") + 1
    end = lines.index("DATA=END")
    data = [bytes.fromhex(line.strip()) for line in lines[start:end]]
    assert len(data) % 2 == 0, "odd mdb_dump output"
    return list(zip(data[0::2], data[1::2]))


def envelope_of(raw):
    e = lnobtest.pb().Envelope()
    e.ParseFromString(raw)
    return e


def outbox_envelopes(data_dir):
    """{seq: serialized Envelope} queued in a collector's own outbox."""
    out = {}
    for key, val in mdb_dump(data_dir, "outbox"):
        item = lnobtest.pb().OutboxItem()
        item.ParseFromString(val)
        out[int.from_bytes(key, "big")] = item.envelope
    return out


def aggregator_envelopes(agg):
    """{(signer, seq): stored bytes} of the aggregator's envelope log."""
    out = {}
    for _, val in mdb_dump(agg.data_dir, "envelopes"):
        e = envelope_of(val)
        key = (e.signer, e.seq)
        assert key not in out, "stored twice: %r" % (key,)
        out[key] = val
    return out


class RelayClient(CraftedClient):
    """The crafted client (lnobtest), connected to a relay instead of the
    aggregator: the relay's own key is the CURVE server key."""

    def __init__(self, net, keys, relay, monitor=False):
        self.zmq = zmq
        self.net = net
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RCVTIMEO, 100)
        self.sock.setsockopt(zmq.SNDTIMEO, 5000)
        self.sock.curve_secretkey = keys.curve_secret
        self.sock.curve_publickey = keys.curve_public
        self.sock.curve_serverkey = relay.keys.curve_public
        self.monitor = self.sock.get_monitor_socket() if monitor else None
        self.events = []
        self.frames = []
        self.sock.connect(relay.relay_endpoint)


class RelayTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_aggregator()
        kw = dict(heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50, backoff_max_ms=500,
                  resend_after_ms=5000)
        self.relay = net.add_collector("d1-office", "D1", relay=True, **kw)
        self.kw = kw

    def commune(self, node_id="c11-office", scope="C11", **over):
        kw = dict(self.kw)
        kw.update(over)
        return self.net.add_collector(node_id, scope, upstream=self.relay, **kw)

    def submit(self, c, reports, name):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, reports)
        c.submit(path)

    def relay_status(self, pred, what, timeout=60):
        def cond():
            st = self.relay.status()
            return pred(st) and st
        return wait_until(cond, timeout, "relay status: " + what, self.net)

    # ------------------------------------------------------------------

    def test_commune_through_relay(self):
        net, agg, relay, hier = self.net, self.agg, self.relay, self.hier
        commune = self.commune()
        units = [u for u in hier.subtree("C11")]
        reports = [{"unit": u, "revision": 1, "period": p,
                    "values": {"households_total": 100 + i, "poor_households": i % 7}}
                   for i, (p, u) in enumerate((p, u) for p in PERIODS for u in units)]
        n = len(reports)
        self.submit(commune, reports, "commune.csv")
        # C12 is inside the relay's district, outside the commune's scope.
        self.submit(commune, [{"unit": "C12", "revision": 1, "values": VALUES}], "oos.csv")
        own = [{"unit": "D1", "revision": 1, "period": p, "values": VALUES} for p in PERIODS[:3]]
        self.submit(relay, own, "own.csv")
        signed = outbox_envelopes(commune.data_dir)
        self.assertEqual(sorted(signed), list(range(1, n + 2)))

        # The aggregator is down: the relay takes custody, acks, and holds.
        relay.start()
        commune.start()
        wait_until(lambda: commune.drained(), 60, "the commune drained into the relay", net)
        st = self.relay_status(lambda s: s["queued_relayed"] == n + 1,
                               "queued_relayed == %d with the aggregator down" % (n + 1))
        self.assertEqual(st["queued_own"], len(own), st)
        self.assertEqual(st["queued"], n + 1 + len(own), st)
        self.assertIsNotNone(st["oldest_queued_at_ms"], st)
        self.assertEqual(st["parked"], 0, st)
        self.assertIsNone(st["last_contact_ms"], st)
        down = {d["id"]: d for d in st["downstream"]}
        self.assertEqual(list(down), ["c11-office"], st)
        self.assertFalse(down["c11-office"]["revoked"])
        cst = commune.status()
        self.assertEqual((cst["queued"], cst["parked"]), (0, 0), cst)
        self.assertIsNotNone(cst["last_contact_ms"], "the commune heard from its relay")

        # The aggregator comes up: everything drains; the out-of-scope one
        # is refused on the origin's scope and parked at the relay.
        agg.start()
        st = self.relay_status(lambda s: s["queued"] == 0 and s["in_flight"] == 0
                               and s["parked"] == 1, "drained, one parked", timeout=90)
        self.assertEqual((st["parked_own"], st["parked_relayed"]), (0, 1), st)
        item, = st["parked_items"]
        self.assertEqual((item["signer"], item["seq"], item["relayed"], item["reason"]),
                         ("c11-office", n + 1, True, "out_of_scope"), item)
        self.assertTrue(item["detail"], item)
        self.assertIsNotNone(st["last_contact_ms"], st)
        self.assertIsNotNone(self.relay_status(
            lambda s: s["downstream"][0]["last_contact_ms"], "downstream last contact recorded")
            ["downstream"][0]["health"])

        ast, k = agg.wait_status(lambda s, k: s["envelopes"] == n + len(own),
                                 "%d envelopes stored" % (n + len(own)))
        self.assertEqual(k["rejected_out_of_scope"], 1, ast)
        self.assertEqual(k["quarantined"], 0, ast)
        self.assertEqual(k["rejected_bad_signature"], 0, ast)
        self.assertEqual(ast["reports"], n + len(own), ast)

        # Exactly once, and the very bytes the commune signed.
        stored = aggregator_envelopes(agg)
        mine = {seq: raw for (signer, seq), raw in stored.items() if signer == "c11-office"}
        self.assertEqual(sorted(mine), list(range(1, n + 1)))
        vk = nacl.signing.VerifyKey(commune.keys.sign_public)
        for seq, raw in mine.items():
            self.assertEqual(raw, signed[seq], "seq %d: stored bytes differ from the signed" % seq)
            e = envelope_of(raw)
            vk.verify(lnobtest.signed_bytes(e.signer, e.seq, e.kind, e.body), e.signature)
        self.assertEqual(sorted(s for (signer, s) in stored if signer == "d1-office"), [1, 2, 3])
        self.assertNotIn(("c11-office", n + 1), stored)

        # The rollups are the commune's figures.
        for p in PERIODS:
            exp = lnobtest.expected_rollups(hier, [r for r in reports if r["period"] == p])
            got = agg.rollup(unit="C11", period=p)
            self.assertRollupMatches(got["unit"], exp, "C11")
        self.assertEqual(agg.verify().returncode, 0)

    def test_zap_admits_only_enrolled_downstream(self):
        net, agg, relay = self.net, self.agg, self.relay
        agg.start()
        relay.start()
        # Enrolled at the aggregator, not at the relay: refused by ZAP.
        stranger = self.commune("c12-office", "C12", enroll=False)
        agg.enroll(stranger.keys.pub_path, "C12")
        self.submit(stranger, [{"unit": "C12", "revision": 1, "values": VALUES}], "s.csv")
        stranger.start()

        def refused():
            with open(stranger.daemon.log_path, errors="replace") as f:
                return "refused this node (ZAP" in f.read()
        wait_until(refused, 30, "the stranger's handshake refused by the relay's ZAP", net)
        st = stranger.status()
        self.assertEqual((st["queued"], st["parked"]), (1, 0), st)
        self.assertIsNone(st["last_contact_ms"], st)
        self.assertEqual(relay.status()["queued_relayed"], 0)

        # A crafted client with an unknown key sees the handshake fail.
        ghost = net.keygen(relay.bin, "ghost", net.path("ghost.key"))
        with RelayClient(net, ghost, relay, monitor=True) as cl:
            cl.send_raw(lnobtest.frame_heartbeat())

            def auth_failed():
                evs = [e["event"] for e in cl.poll_events()]
                self.assertNotIn(zmq.EVENT_HANDSHAKE_SUCCEEDED, evs, cl.event_names())
                return zmq.EVENT_HANDSHAKE_FAILED_AUTH in evs
            wait_until(auth_failed, 30, "EVENT_HANDSHAKE_FAILED_AUTH at the relay", net)
            self.assertIsNone(cl.recv_frame())

        # Enrolled while both run: admitted at its next attempt, delivered.
        relay.enroll_downstream(stranger)
        wait_until(stranger.drained, 60, "the stranger drained once enrolled", net)
        agg.wait_status(lambda s, k: s["envelopes"] == 1, "its report stored")

        # Revoked: a new connection with its keys is refused again.
        relay.net.cli(relay.cmd("revoke", "-c", relay.conf, "c12-office"))
        st = relay.status()
        self.assertEqual([d["revoked"] for d in st["downstream"] if d["id"] == "c12-office"],
                         [True], st)
        with RelayClient(net, stranger.keys, relay, monitor=True) as cl:
            cl.send_raw(lnobtest.frame_heartbeat())
            wait_until(lambda: zmq.EVENT_HANDSHAKE_FAILED_AUTH in
                       [e["event"] for e in cl.poll_events()], 30,
                       "a revoked node's handshake refused", net)
        # The relay's own key cannot be enrolled below it; an unknown node
        # cannot be revoked.
        r = net.cli(relay.cmd("enroll", "-c", relay.conf, "--key", relay.keys.pub_path), ok=False)
        self.assertEqual(r.returncode, 1, r.err)
        self.assertIn("itself", r.err)
        r = net.cli(relay.cmd("revoke", "-c", relay.conf, "nobody"), ok=False)
        self.assertEqual(r.returncode, 1, r.err)
        self.assertIn("not enrolled", r.err)

    def test_relay_refuses_and_forwards_nothing_bad(self):
        net, agg, relay = self.net, self.agg, self.relay
        craft = net.keygen(relay.bin, "c12-office", net.path("c12-office.key"))
        agg.enroll(craft.pub_path, "C12")
        net.cli(relay.cmd("enroll", "-c", relay.conf, "--key", craft.pub_path))
        relay.start()          # the aggregator stays down for now
        sk = craft.signing_key()
        body = report_body("C12", VALUES, narrative="tamper-target-aaaa")
        good = sign_envelope(sk, "c12-office", 1, KIND_REPORT, body)
        with RelayClient(net, craft, relay) as cl:
            hb = cl.handshake()
            self.assertGreater(hb.heartbeat.credit, 0)

            def expect_nack(envelope, reason, signer, seq):
                kind, ans = cl.send_envelope(envelope)
                self.assertEqual(kind, "nack", "%s: got %s %r" % (reason, kind, ans))
                self.assertEqual(nack_reason_name(ans.reason), reason, ans)
                self.assertFalse(ans.retryable, ans)
                self.assertEqual((ans.signer, ans.seq), (signer, seq), ans)

            # One bit flipped in the body after signing.
            i = body.index(b"aaaa")
            tampered = bytearray(body)
            tampered[i] ^= 2
            expect_nack(sign_envelope(sk, "c12-office", 2, KIND_REPORT, bytes(tampered),
                                      signature_for=("c12-office", 2, KIND_REPORT, body)),
                        "bad_signature", "c12-office", 2)
            # Signed by a key the relay does not know.
            ghost = nacl.signing.SigningKey.generate()
            expect_nack(sign_envelope(ghost, "ghost", 1, KIND_REPORT, body),
                        "unknown_signer", "ghost", 1)
            # Signed as the relay itself.
            expect_nack(sign_envelope(relay.keys.signing_key(), "d1-office", 1, KIND_REPORT,
                                      body), "unknown_signer", "d1-office", 1)
            # A frame that does not decode.
            kind, ans = cl.exchange(b"\xff\xff\xff\xff", None, None)
            self.assertEqual((kind, nack_reason_name(ans.reason)), ("nack", "malformed"), ans)

            # The good one is acked after custody; again: acked again.
            self.assertEqual(cl.send_envelope(good)[0], "ack")
            self.assertEqual(cl.send_envelope(good)[0], "ack")
            # The same (signer, seq) with other bytes: refused, first kept.
            other = sign_envelope(sk, "c12-office", 1, KIND_REPORT,
                                  report_body("C12", {"households_total": 1}))
            expect_nack(other, "seq_reused", "c12-office", 1)
            st = relay.status()
            self.assertEqual((st["queued_relayed"], st["parked"]), (1, 0), st)

            # Revoked at the relay: this (still open) connection's envelopes
            # are refused from now on.
            net.cli(relay.cmd("revoke", "-c", relay.conf, "c12-office"))
            expect_nack(sign_envelope(sk, "c12-office", 3, KIND_REPORT, body),
                        "revoked_signer", "c12-office", 3)

        agg.start()
        self.relay_status(lambda s: s["queued"] == 0 and s["in_flight"] == 0, "drained")
        ast, k = agg.wait_status(lambda s, k: s["envelopes"] == 1, "only the good one stored")
        stored = aggregator_envelopes(agg)
        self.assertEqual(list(stored), [("c12-office", 1)])
        self.assertEqual(stored[("c12-office", 1)], good)
        for c in ("rejected_bad_signature", "rejected_unknown_signer", "rejected_malformed",
                  "quarantined"):
            self.assertEqual(k[c], 0, "%s: %r" % (c, ast))


if __name__ == "__main__":
    lnobtest.main()
