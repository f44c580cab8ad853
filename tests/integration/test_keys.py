"""Key lifecycle (README "Keys and enrolment"): enrolment with what the
collector prints, revocation at once for new connections and new
envelopes, rotation of a node's keys with a grace for the old pair, no gap
and no reuse in its seq, directly and through a relay; and the
aggregator's own keys changed with its collectors told through the
metadata ("Rotating the aggregator's keys")."""

import json
import time

import zmq

import lnobtest
from lnobtest import CraftedClient, nack_reason_name, report_body, sign_envelope, wait_until

KIND_REPORT = 1
VALUES = {"households_total": 250, "poor_households": 20}


class KeysTest(lnobtest.NetTestCase):

    def assertHandshakeRefused(self, keys, what):
        """A new connection with keys' CURVE pair fails ZAP (AUTH)."""
        with CraftedClient(self.net, keys, monitor=True) as cl:
            cl.send_raw(lnobtest.frame_heartbeat())

            def refused():
                evs = [e["event"] for e in cl.poll_events()]
                self.assertNotIn(zmq.EVENT_HANDSHAKE_SUCCEEDED, evs, what)
                return zmq.EVENT_HANDSHAKE_FAILED_AUTH in evs
            wait_until(refused, 20, what, self.net)
            self.assertIsNone(cl.recv_frame(), what)

    def history_seqs(self, agg, units, signer):
        """The seqs of signer's reports stored for units."""
        seqs = []
        for u in units:
            h = json.loads(self.net.cli(agg.cmd(
                "history", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN, "--period",
                lnobtest.PERIOD, "--unit", u, "--json")).out)
            seqs += [x["seq"] for x in h["history"] if x["signer"] == signer]
        return sorted(seqs)

    def test_enrolment_prints_what_is_enrolled(self):
        """`lnob-collector pubkey` prints the public file the operator
        enrolls; the secret file or a file that is no key is refused with a
        message naming it."""
        net = self.net
        agg = net.add_aggregator()
        c = net.add_collector("c-001", "C11", enroll=False)
        out = net.cli(c.cmd("pubkey", "-c", c.conf)).out
        with open(c.keys.pub_path) as f:
            self.assertEqual(out, f.read())
        bad = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", c.keys.path, "--scope", "C11"),
                      ok=False)
        self.assertEqual(bad.returncode, 1, bad)
        self.assertIn(c.keys.path, bad.err)
        self.assertIn("SECRET key file", bad.err)
        junk = net.path("junk.pub")
        with open(junk, "w") as f:
            f.write("[node]\nid = c-001\nsign_public = 12\n")
        bad = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", junk, "--scope", "C11"),
                      ok=False)
        self.assertEqual(bad.returncode, 1, bad)
        self.assertIn(junk, bad.err)
        ok = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", c.keys.pub_path,
                             "--scope", "C11"))
        self.assertIn("enrolled c-001 with scope C11", ok.out)
        nodes = {n["id"]: n for n in agg.status()["nodes"]}
        self.assertEqual(nodes["c-001"]["scope"], "C11")

    def test_revocation_takes_effect_at_once(self):
        """Revoked beside the running aggregator: on the connection already
        open, the node's next envelope is NACKed revoked_signer (one stored
        before is still acked as a duplicate); its next connection fails
        ZAP; another node goes on."""
        net = self.net
        agg = net.add_aggregator()
        ka = net.keygen(agg.bin, "node-a", net.path("node-a.key"))
        kb = net.keygen(agg.bin, "node-b", net.path("node-b.key"))
        agg.enroll(ka.pub_path, "D1")
        agg.enroll(kb.pub_path, "D2")
        agg.start()
        sa = ka.signing_key()
        first = sign_envelope(sa, "node-a", 1, KIND_REPORT, report_body("C11", VALUES))
        with CraftedClient(net, ka) as cl:
            cl.handshake()
            self.assertEqual(cl.send_envelope(first)[0], "ack")
            agg.revoke("node-a")
            kind, ans = cl.send_envelope(sign_envelope(sa, "node-a", 2, KIND_REPORT,
                                                       report_body("C12", VALUES)))
            self.assertEqual((kind, nack_reason_name(ans.reason)), ("nack", "revoked_signer"),
                             ans)
            self.assertEqual(cl.send_envelope(first)[0], "ack")   # re-sending is safe
        self.assertHandshakeRefused(ka, "a revoked node's new connection refused")
        with CraftedClient(net, kb) as cl:
            cl.handshake()
            self.assertEqual(cl.send_envelope(sign_envelope(
                kb.signing_key(), "node-b", 1, KIND_REPORT, report_body("C21", VALUES)))[0],
                "ack")
        st, k = agg.wait_status(lambda s, k: s["envelopes"] == 2, "node-a's 1 and node-b's 1")
        self.assertEqual(k["rejected_revoked_signer"], 1, st)
        revoked = {n["id"]: n["revoked"] for n in st["nodes"]}
        self.assertEqual((revoked["node-a"], revoked["node-b"]), (True, False), st)

    def test_rotated_keys_grace_then_refused(self):
        """After `enroll --rotate --grace 10s`: the old pair still connects
        and signs until the grace ends, the new one from the start; from
        the end of the grace the old CURVE key fails ZAP and an envelope
        signed with the old key is NACKed bad_signature, while one stored in
        the grace is still acked as a duplicate."""
        net = self.net
        agg = net.add_aggregator()
        old = net.keygen(agg.bin, "node-r", net.path("node-r.key"))
        agg.enroll(old.pub_path, "D1")
        agg.start()
        new = net.keygen(agg.bin, "node-r", net.path("node-r-2.key"))
        t0 = time.time()
        out = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", new.pub_path, "--rotate",
                              "--grace", "10s")).out
        self.assertIn("rotated node-r", out)
        node = {n["id"]: n for n in agg.status()["nodes"]}["node-r"]
        self.assertEqual(len(node["retired_keys"]), 1, node)
        until = node["retired_keys"][0]["until"]
        self.assertTrue(t0 + 9 <= until <= time.time() + 11, (t0, until))
        in_grace = sign_envelope(old.signing_key(), "node-r", 1, KIND_REPORT,
                                 report_body("C11", VALUES))
        with CraftedClient(net, old) as cl:      # the old CURVE pair, in the grace
            cl.handshake()
            self.assertLess(time.time(), until, "the grace ended before the test could use it")
            self.assertEqual(cl.send_envelope(in_grace)[0], "ack")
        with CraftedClient(net, new) as cl:
            cl.handshake()
            self.assertEqual(cl.send_envelope(sign_envelope(
                new.signing_key(), "node-r", 2, KIND_REPORT, report_body("C12", VALUES)))[0],
                "ack")
        wait_until(lambda: time.time() >= until + 1, 30, "the grace over", net)
        self.assertHandshakeRefused(old, "the old CURVE key after the grace")
        with CraftedClient(net, new) as cl:
            cl.handshake()
            kind, ans = cl.send_envelope(sign_envelope(
                old.signing_key(), "node-r", 3, KIND_REPORT, report_body("V11-0001", VALUES)))
            self.assertEqual((kind, nack_reason_name(ans.reason)), ("nack", "bad_signature"),
                             ans)
            self.assertEqual(cl.send_envelope(in_grace)[0], "ack")
        agg.wait_status(lambda s, k: s["envelopes"] == 2, "seqs 1 and 2 stored")
        # A second rotation to a pair the node had is refused.
        again = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", old.pub_path, "--rotate"),
                        ok=False)
        self.assertEqual(again.returncode, 1, again)
        self.assertIn("has or had this key", again.err)

    def rotate_collector(self, relay):
        """A collector queues reports signed with its old key while the
        aggregator is down, is rotated (at the aggregator, and at the relay
        it sends through), restarts with its new key and queues more: every
        report is stored, the seqs 1..n without a gap or a reuse."""
        net = self.net
        agg = net.add_aggregator()
        upstream = None
        if relay:
            upstream = net.add_collector("d-1", "D1", relay=True)
        c = net.add_collector("c-011", "C11", upstream=upstream)
        units = lnobtest.Hierarchy().subtree("C11")      # C11 and its villages
        before, after = units[:2], units[2:]
        path = net.path("before.csv")
        lnobtest.write_reports_csv(path, [{"unit": u, "revision": 1, "values": VALUES}
                                          for u in before])
        c.submit(path)
        new = net.keygen(c.bin, "c-011", net.path("c-011-2.key"))
        net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", new.pub_path, "--rotate"))
        if relay:
            net.cli(upstream.cmd("enroll", "-c", upstream.conf, "--key", new.pub_path,
                                 "--rotate"))
        with open(c.conf) as f:
            conf = f.read()
        with open(c.conf, "w") as f:
            f.write(conf.replace("identity = %s\n" % c.keys.path,
                                 "identity = %s\n" % new.path))
        c.keys = new
        path = net.path("after.csv")
        lnobtest.write_reports_csv(path, [{"unit": u, "revision": 1, "values": VALUES}
                                          for u in after])
        c.submit(path)
        agg.start()
        if relay:
            upstream.start()
        c.start()
        n = len(units)
        agg.wait_status(lambda s, k: s["reports"] == n, "all %d reports stored" % n, timeout=60)
        c.wait_drained()
        self.assertEqual(self.history_seqs(agg, units, "c-011"), list(range(1, n + 1)))
        self.assertEqual(c.status()["parked"], 0)
        net.cli(agg.cmd("verify", "-c", agg.conf))

    def test_rotated_collector_direct(self):
        self.rotate_collector(relay=False)

    def test_rotated_collector_through_relay(self):
        self.rotate_collector(relay=True)

    def test_rotate_refusals(self):
        """--rotate for a node not enrolled, or revoked, and the option
        rules (usage errors, exit 2)."""
        net = self.net
        agg = net.add_aggregator()
        k = net.keygen(agg.bin, "node-x", net.path("node-x.key"))
        r = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", k.pub_path, "--rotate"), ok=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("node 'node-x' is not enrolled", r.err)
        agg.enroll(k.pub_path, "D1")
        agg.revoke("node-x")
        k2 = net.keygen(agg.bin, "node-x", net.path("node-x-2.key"))
        r = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", k2.pub_path, "--rotate"),
                    ok=False)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("revoked", r.err)
        for argv, words in ((["--rotate", "--replace"], "do not go together"),
                            (["--grace", "7d", "--scope", "D1"], "--grace goes with --rotate"),
                            (["--rotate", "--grace", "7"], "a duration"),
                            (["--rotate", "--grace", "400d"], "at most 365d"),
                            ([], "--scope UNIT is required")):
            r = net.cli(agg.cmd("enroll", "-c", agg.conf, "--key", k2.pub_path, *argv), ok=False)
            self.assertEqual(r.returncode, 2, (argv, r))
            self.assertIn(words, r.err, argv)

    def test_aggregator_keys_changed_through_metadata(self):
        """The aggregator announces its next keys ([node] next_identity) in
        the metadata; once every collector holds that bundle it restarts
        with them as its identity. A direct collector finds no answer with
        the old server key, tries the announced one, adopts both keys and
        delivers; a node behind a relay adopts the signing key when the
        relay forwards a bundle signed with it; both keep what they adopted
        across a restart, though their configuration still names the old
        keys."""
        net = self.net
        agg = net.add_aggregator()
        sign = net.sign_key_conf(agg)
        direct = net.add_collector("c-011", "C11", dead_after_ms=1500, extra_conf=sign)
        relay = net.add_collector("d-2", "D2", relay=True, dead_after_ms=1500, extra_conf=sign)
        below = net.add_collector("c-021", "C21", upstream=relay, extra_conf=sign)
        nodes = (direct, relay, below)
        agg.start()
        for c in nodes:
            c.start()

        def versions():
            return [(c.status()["metadata"] or {}).get("version", 0) for c in nodes]
        first = wait_until(lambda: all(versions()) and versions(), 60, "metadata everywhere", net)
        new = net.keygen(agg.bin, agg.node_id, net.path("province-2.key"))
        agg.stop()
        with open(agg.conf) as f:
            conf = f.read()
        with open(agg.conf, "w") as f:
            f.write(conf + "\n[node]\nnext_identity = %s\n" % new.path)
        agg.start()
        announced = wait_until(lambda: all(v > w for v, w in zip(versions(), first)) and
                               versions(), 60, "the announcing bundle everywhere", net)
        agg.stop()
        with open(agg.conf, "w") as f:
            f.write(conf.replace("identity = %s\n" % agg.keys.path, "identity = %s\n" % new.path))
        agg.keys = new
        agg.start()
        for c, unit in ((direct, "C11"), (below, "C21")):
            path = net.path("r-%s.csv" % c.node_id)
            lnobtest.write_reports_csv(path, [{"unit": unit, "revision": 1, "values": VALUES}])
            c.submit(path)
        agg.wait_status(lambda s, k: s["reports"] == 2, "both reports stored", timeout=90)
        key = wait_until(lambda: direct.status()["aggregator_key"], 30, "c-011 adopted", net)
        self.assertTrue(key["server_key"], key)
        key = wait_until(lambda: below.status()["aggregator_key"], 60,
                         "c-021 adopted the signing key", net)
        self.assertFalse(key["server_key"], key)
        self.assertTrue(relay.status()["aggregator_key"]["server_key"])
        wait_until(lambda: all(v > w for v, w in zip(versions(), announced)), 60,
                   "the new key's bundle taken everywhere", net)
        own = {n["id"]: n for n in agg.status()["nodes"]}[agg.node_id]
        self.assertEqual(len(own["retired_keys"]), 1, own)   # its own record followed
        direct.stop()
        direct.start()
        path = net.path("r2.csv")
        lnobtest.write_reports_csv(path, [{"unit": "V11-0001", "revision": 1, "values": VALUES}])
        direct.submit(path)
        agg.wait_status(lambda s, k: s["reports"] == 3, "a report after the restart", timeout=60)
        self.assertIn("adopted from metadata version", lnobtest.log_text(direct.daemon))


if __name__ == "__main__":
    lnobtest.main()
