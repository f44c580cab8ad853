"""The link's limits (proto/lnob.proto, THE LINK): receivers advertise
max_body and max_frame in their heartbeat answers; a collector parks what
exceeds them instead of sending it, and `submit` refuses it; the aggregator
answers a frame over max_frame with NACK_TOO_LARGE (counted) instead of
letting ZeroMQ drop the connection; every part of a message is answered;
refusals are logged at most once a second per (peer, reason). And the
drift fixes of the one router both daemons share (common/router.h), for
the aggregator and for a relay alike: a send or a receive interrupted by
a signal (EINTR) is tried again, and an answer left half-sent is ended so
that the next one is not glued to it (LNOB_FAULT_ROUTER, builds with
-DLNOB_FAULT_INJECTION=ON).

    aggregator (max_body 1024)
     |- d1-office   (scope D1)"""

import os
import re
import sys
import time
import unittest

import lnobtest
from lnobtest import (CraftedClient, nack_reason_name, report_body, sign_envelope,
                      wait_until)

KIND_REPORT = 1
PERIODS = ("2021", "2022", "2023", "2024", "2025")
MAX_BODY = 1024
VALUES = {"households_total": 400, "poor_households": 30}


log_text = lnobtest.log_text


class LimitsTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        self.agg = self.net.add_aggregator(max_body=MAX_BODY)

    def test_oversize_at_head_of_queue(self):
        """An 8 KB report at the head of the queue (queued before the limit
        was known) is parked too_large without being sent; everything queued
        behind it is stored. Once the limit is learned, submit refuses such
        a report and queues nothing. (Before: libzmq dropped the connection
        at every try of the 8 KB frame and nothing behind it ever left.)"""
        net, agg, hier = self.net, self.agg, self.hier
        c = net.add_collector("d1-office", "D1", heartbeat_ms=300, dead_after_ms=3000,
                              backoff_min_ms=50, backoff_max_ms=500, resend_after_ms=3000)
        big = {"unit": "D1", "revision": 1, "period": "2023", "values": dict(VALUES),
               "narrative": "x" * 8000}
        big_size = len(report_body("D1", VALUES, narrative=big["narrative"], period="2023"))
        self.assertGreater(big_size + 200, agg.max_frame, "the frame must exceed max_frame")
        behind = [{"unit": u, "revision": 1, "period": p,
                   "values": {"households_total": 100 + i, "poor_households": i % 7}}
                  for i, (p, u) in enumerate((p, u) for p in PERIODS for u in hier.subtree("D1"))]
        path = net.path("queue.csv")
        lnobtest.write_reports_csv(path, [big] + behind)
        c.submit(path)                 # nothing learned yet: 65536 applies
        st = c.status()
        self.assertEqual((st["queued"], st["max_body"], st["limits_learned_at_ms"]),
                         (1 + len(behind), 65536, None), st)

        agg.start()
        c.start()

        def settled():
            s = c.status()
            return s["queued"] == 0 and s["in_flight"] == 0 and s["parked"] == 1 and s
        st = wait_until(settled, 30, "collector: queued 0, in_flight 0, parked 1", net)
        item, = st["parked_items"]
        self.assertEqual((item["seq"], item["signer"], item["relayed"], item["reason"]),
                         (1, "d1-office", False, "too_large"), item)
        self.assertIn("envelope body of %d bytes is over the upstream's max_body of %d bytes"
                      % (big_size, MAX_BODY), item["detail"])
        self.assertEqual(st["max_body"], MAX_BODY, st)
        self.assertEqual(st["max_frame"], agg.max_frame, st)
        self.assertIsNotNone(st["limits_learned_at_ms"], st)

        ast, k = agg.wait_status(lambda s, k: s["envelopes"] == len(behind),
                                 "the %d reports behind it stored" % len(behind))
        self.assertEqual(ast["reports"], len(behind), ast)
        # Never sent: the aggregator refused nothing.
        self.assertEqual((k["rejected_too_large"], k["rejected_malformed"]), (0, 0), ast)
        for p in PERIODS:
            exp = lnobtest.expected_rollups(hier, [r for r in behind if r["period"] == p])
            self.assertRollupMatches(agg.rollup(unit="D1", period=p)["unit"], exp, "D1")
        self.assertNotIn("disconnected from", log_text(c.daemon))

        # Learned now: submit refuses the oversize report (file and line,
        # size and limit) and queues nothing, not even the good line.
        path2 = net.path("late.csv")
        lnobtest.write_reports_csv(path2, [
            {"unit": "C11", "revision": 2, "period": "2023", "values": dict(VALUES)}, big])
        before = c.status()
        r = net.cli(c.cmd("submit", "-c", c.conf, path2), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s:3: report is %d bytes encoded, over the %d-byte limit"
                      % (path2, big_size, MAX_BODY), r.err)
        self.assertIn("max_body its upstream advertised", r.err)
        self.assertIn("nothing queued", r.err)
        after = c.status()
        for key in ("queued", "parked", "next_seq"):
            self.assertEqual(after[key], before[key], "%s: %r -> %r" % (key, before, after))
        # A report within the limit still goes.
        path3 = net.path("ok.csv")
        lnobtest.write_reports_csv(path3, [
            {"unit": "C11", "revision": 2, "period": "2023", "values": dict(VALUES)}])
        c.submit(path3)
        agg.wait_status(lambda s, k: s["envelopes"] == len(behind) + 1,
                        "the report within the limit stored")

    def crafted(self, node_id="crafta", scope="D1"):
        keys = self.net.keygen(self.agg.bin, node_id, self.net.path(node_id + ".key"))
        self.agg.enroll(keys.pub_path, scope)
        return keys

    def test_frame_over_max_frame_and_parts(self):
        """A frame over max_frame (under twice it) is answered NACK_TOO_LARGE
        naming (signer, seq) and counted in rejected_too_large; the
        connection stays. Every part of a message is answered."""
        net, agg = self.net, self.agg
        keys = self.crafted()
        sk = keys.signing_key()
        agg.start()
        with CraftedClient(net, keys) as cl:
            hb = cl.handshake()
            self.assertEqual((hb.heartbeat.max_body, hb.heartbeat.max_frame),
                             (MAX_BODY, agg.max_frame), hb)
            _, k0 = agg.counters()

            # A frame between max_frame and 2 x max_frame.
            body = report_body("C11", VALUES, narrative="y" * (agg.max_frame + 100))
            env = sign_envelope(sk, "crafta", 1, KIND_REPORT, body)
            frame = lnobtest.frame_envelope(env)
            self.assertTrue(agg.max_frame < len(frame) < 2 * agg.max_frame, len(frame))
            kind, ans = cl.send_envelope(env)
            self.assertEqual((kind, nack_reason_name(ans.reason), ans.retryable),
                             ("nack", "too_large", False), ans)
            self.assertEqual((ans.signer, ans.seq), ("crafta", 1), ans)
            self.assertIn("frame of %d bytes is over max_frame of %d bytes"
                          % (len(frame), agg.max_frame), ans.detail)
            s1, k1 = agg.wait_status(
                lambda s, k: k["rejected_too_large"] == k0["rejected_too_large"] + 1,
                "rejected_too_large counts the oversize frame")
            self.assertEqual(s1["envelopes"], 0, s1)

            # Still connected: a good one is acked.
            good = sign_envelope(sk, "crafta", 2, KIND_REPORT, report_body("C11", VALUES))
            self.assertEqual(cl.send_envelope(good)[0], "ack")

            # Two parts: a heartbeat and an envelope: two answers.
            e3 = sign_envelope(sk, "crafta", 3, KIND_REPORT, report_body("C12", VALUES))
            cl.send_parts([lnobtest.frame_heartbeat(), lnobtest.frame_envelope(e3)])
            got, hbs, _ = cl.answers([("crafta", 3)], heartbeats=1)
            self.assertEqual(got[("crafta", 3)][0], "ack", got)
            self.assertEqual(hbs, 1)

            # Three parts: a good envelope, one whose body is over max_body
            # (its frame is not over max_frame), and bytes that do not
            # decode: an ack, a too_large NACK and a malformed one.
            e4 = sign_envelope(sk, "crafta", 4, KIND_REPORT,
                               report_body("D1", VALUES, period="2022"))
            e5 = sign_envelope(sk, "crafta", 5, KIND_REPORT,
                               report_body("D1", VALUES, narrative="z" * MAX_BODY))
            self.assertLess(len(lnobtest.frame_envelope(e5)), agg.max_frame)
            cl.send_parts([lnobtest.frame_envelope(e4), lnobtest.frame_envelope(e5),
                           b"\xff\xff\xff"])
            got, _, keyless = cl.answers([("crafta", 4), ("crafta", 5)], nacks_without_key=1)
            self.assertEqual(got[("crafta", 4)][0], "ack", got)
            self.assertEqual((got[("crafta", 5)][0],
                              nack_reason_name(got[("crafta", 5)][1].reason)),
                             ("nack", "too_large"), got)
            self.assertEqual([nack_reason_name(n.reason) for n in keyless], ["malformed"])
        s2, k2 = agg.wait_status(lambda s, k: s["envelopes"] == 3, "seqs 2, 3, 4 stored")
        self.assertEqual(k2["rejected_too_large"], k0["rejected_too_large"] + 2, s2)
        self.assertEqual(k2["rejected_malformed"], k0["rejected_malformed"] + 1, s2)

    def test_refusal_log_rate_limited(self):
        """30 bad signatures from one peer in one message: each is NACKed,
        but the log has one line for them and says how many it hid."""
        net, agg = self.net, self.agg
        keys = self.crafted()
        sk = keys.signing_key()
        agg.start()
        n = 30
        body = report_body("C11", VALUES)
        other = report_body("C12", VALUES)
        with CraftedClient(net, keys) as cl:
            cl.handshake()
            parts = [lnobtest.frame_envelope(sign_envelope(
                sk, "crafta", 100 + i, KIND_REPORT, body,
                signature_for=("crafta", 100 + i, KIND_REPORT, other))) for i in range(n)]
            cl.send_parts(parts)
            got, _, _ = cl.answers([("crafta", 100 + i) for i in range(n)])
            self.assertEqual({nack_reason_name(a[1].reason) for a in got.values()},
                             {"bad_signature"}, got)
        agg.wait_status(lambda s, k: k["rejected_bad_signature"] == n,
                        "%d bad signatures counted" % n)
        pat = re.compile(r"refused envelopes from crafta: bad_signature: \.\.\. and (\d+) more "
                         r"like it in the last second")

        def summarised():
            text = log_text(agg.daemon)
            lines = len(re.findall(r"refused envelope \(crafta, \d+\) from crafta: "
                                   r"bad_signature", text))
            hidden = sum(int(m) for m in pat.findall(text))
            return lines + hidden == n and (lines, hidden)
        lines, hidden = wait_until(summarised, 10, "the log: lines + hidden == %d" % n, net)
        self.assertEqual((lines, hidden), (1, n - 1))


class FairnessTest(lnobtest.NetTestCase):

    def test_flood_does_not_delay_another_node(self):
        """Node A floods the aggregator with 600 envelopes (more than its
        window of 256), then node B sends one: B's is stored and acked while
        A's are still being stored (batches of 8 take from each node in
        turn), not after all of A's. Every envelope is stored once."""
        net = self.net
        agg = net.add_aggregator(batch_max=8)
        ka = net.keygen(agg.bin, "node-a", net.path("node-a.key"))
        kb = net.keygen(agg.bin, "node-b", net.path("node-b.key"))
        agg.enroll(ka.pub_path, "D1")
        agg.enroll(kb.pub_path, "D2")
        n = 600
        units = [u for u in self.hier.subtree("D1")]
        sa = ka.signing_key()
        frames = [lnobtest.frame_envelope(sign_envelope(
            sa, "node-a", i + 1, KIND_REPORT,
            report_body(units[i % len(units)], {"households_total": i},
                        period="p%d" % (i // len(units)))))
            for i in range(n)]
        b_env = sign_envelope(kb.signing_key(), "node-b", 1, KIND_REPORT,
                              report_body("D2", VALUES))
        agg.start()
        with CraftedClient(net, ka) as a, CraftedClient(net, kb) as b:
            a.handshake()
            b.handshake()
            for f in frames:
                a.send_raw(f)
            kind, _ = b.send_envelope(b_env)
            self.assertEqual(kind, "ack")
            # What A has been answered by now (drained without waiting).
            a_acked = set()
            while a.sock.poll(0):              # only what has arrived: no wait
                f = a.recv_frame()
                self.assertNotEqual(f.WhichOneof("msg"), "nack", f)
                if f.WhichOneof("msg") == "acks":
                    a_acked |= {(x.signer, x.seq) for x in f.acks.acks}
            sys.stderr.write("link/fairness: %d of A's %d envelopes acked when B's was\n"
                             % (len(a_acked), n))
            self.assertLess(len(a_acked), n, "B's envelope waited behind all of A's")
            rest = [("node-a", i + 1) for i in range(n) if ("node-a", i + 1) not in a_acked]
            got, _, _ = a.answers(rest, timeout=60)
            self.assertEqual({v[0] for v in got.values()}, {"ack"})
        st, k = agg.wait_status(lambda s, k: s["envelopes"] == n + 1, "%d stored" % (n + 1))
        self.assertEqual(k["stored"], n + 1, st)


class RelayLimitsTest(lnobtest.NetTestCase):
    """    aggregator (max_body 1024)
            |- d1-office   (relay)
                |- c11-office"""

    def test_relayed_item_too_large_for_upstream(self):
        """Taken into custody while the relay knew no smaller limit, a
        relayed item too large for the aggregator is parked at the relay
        with its origin signer, without being sent; the rest flows. The
        relay then advertises the aggregator's max_body to the commune."""
        net, hier = self.net, self.hier
        agg = net.add_aggregator(max_body=MAX_BODY)
        kw = dict(heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50, backoff_max_ms=500,
                  resend_after_ms=3000)
        relay = net.add_collector("d1-office", "D1", relay=True, **kw)
        commune = net.add_collector("c11-office", "C11", upstream=relay, **kw)
        units = hier.subtree("C11")
        small = [{"unit": u, "revision": 1, "period": p, "values": {"households_total": 10 + i}}
                 for i, (p, u) in enumerate((p, u) for p in PERIODS[:2] for u in units)]
        big = {"unit": "C11", "revision": 1, "period": "2025", "values": dict(VALUES),
               "narrative": "x" * 8000}
        big_size = len(report_body("C11", VALUES, narrative=big["narrative"], period="2025"))
        half = len(small) // 2
        path = net.path("commune.csv")
        lnobtest.write_reports_csv(path, small[:half] + [big] + small[half:])
        commune.submit(path)
        big_seq = half + 1

        # The aggregator is down: the relay takes all of it into custody.
        relay.start()
        commune.start()
        wait_until(commune.drained, 30, "the commune drained into the relay", net)
        st = wait_until(lambda: relay.status()["queued_relayed"] == len(small) + 1
                        and relay.status(), 30, "all in custody at the relay", net)
        self.assertEqual(st["max_body"], 65536, st)

        agg.start()

        def settled():
            s = relay.status()
            return s["queued"] == 0 and s["in_flight"] == 0 and s["parked"] == 1 and s
        st = wait_until(settled, 30, "relay: queued 0, parked 1", net)
        item, = st["parked_items"]
        self.assertEqual((item["signer"], item["seq"], item["relayed"], item["reason"]),
                         ("c11-office", big_seq, True, "too_large"), item)
        self.assertIn("envelope body of %d bytes is over the upstream's max_body of %d bytes"
                      % (big_size, MAX_BODY), item["detail"])
        ast, k = agg.wait_status(lambda s, k: s["envelopes"] == len(small),
                                 "the %d small reports stored" % len(small))
        self.assertEqual(k["rejected_too_large"], 0, ast)
        for p in PERIODS[:2]:
            exp = lnobtest.expected_rollups(hier, [r for r in small if r["period"] == p])
            self.assertRollupMatches(agg.rollup(unit="C11", period=p)["unit"], exp, "C11")

        # The relay passes the aggregator's limit down: the commune learns
        # it from the relay's heartbeats, and refuses such a report itself.
        wait_until(lambda: commune.status()["max_body"] == MAX_BODY, 30,
                   "the commune learned max_body %d from its relay" % MAX_BODY, net)
        # The relay's own refusal reached the origin (a receipt): parked there.
        cst = wait_until(lambda: commune.status()["parked"] == 1 and commune.status(), 30,
                         "the refusal parked at the commune", net)
        self.assertEqual(cst["queued"], 0, cst)
        self.assertEqual([(i["seq"], i["reason"]) for i in cst["parked_items"]],
                         [(big_seq, "too_large")], cst)
        path2 = net.path("late.csv")
        lnobtest.write_reports_csv(path2, [big])
        r = net.cli(commune.cmd("submit", "-c", commune.conf, path2), ok=False)
        self.assertEqual(r.returncode, 1, r.out + r.err)
        self.assertIn("%s:2: report is %d bytes encoded, over the %d-byte limit"
                      % (path2, big_size, MAX_BODY), r.err)
        self.assertEqual(commune.status()["next_seq"], cst["next_seq"])

    def test_relay_answers_oversize_frames_and_every_part(self):
        """The relay advertises its limits, answers a frame over its
        max_frame with NACK_TOO_LARGE naming (signer, seq), and answers
        every part of a message."""
        from test_relay import RelayClient
        net = self.net
        net.add_aggregator()
        relay = net.add_collector("d1-office", "D1", relay=True)
        craft = net.keygen(relay.bin, "c12-office", net.path("c12-office.key"))
        relay.net.cli(relay.cmd("enroll", "-c", relay.conf, "--key", craft.pub_path))
        relay.start()           # the aggregator stays down
        sk = craft.signing_key()
        max_frame = 1 << 20
        with RelayClient(net, craft, relay) as cl:
            hb = cl.handshake()
            self.assertEqual((hb.heartbeat.max_body, hb.heartbeat.max_frame),
                             (65536, max_frame), hb)
            big = sign_envelope(sk, "c12-office", 1, KIND_REPORT,
                                report_body("C12", VALUES, narrative="q" * (max_frame + 10)))
            frame = lnobtest.frame_envelope(big)
            self.assertTrue(max_frame < len(frame) < 2 * max_frame)
            kind, ans = cl.send_envelope(big)
            self.assertEqual((kind, nack_reason_name(ans.reason), ans.signer, ans.seq),
                             ("nack", "too_large", "c12-office", 1), ans)
            self.assertIn("frame of %d bytes" % len(frame), ans.detail)
            # A body over the relay's max_body in a frame within its limit.
            body = report_body("C12", VALUES, narrative="r" * 70000)
            e2 = sign_envelope(sk, "c12-office", 2, KIND_REPORT, body)
            e3 = sign_envelope(sk, "c12-office", 3, KIND_REPORT, report_body("C12", VALUES))
            cl.send_parts([lnobtest.frame_heartbeat(), lnobtest.frame_envelope(e2),
                           lnobtest.frame_envelope(e3)])
            got, hbs, _ = cl.answers([("c12-office", 2), ("c12-office", 3)], heartbeats=1)
            self.assertEqual(hbs, 1)
            kind2, n2 = got[("c12-office", 2)]
            self.assertEqual((kind2, nack_reason_name(n2.reason)), ("nack", "too_large"), n2)
            self.assertIn("envelope body of %d bytes is over this relay's max_body of 65536"
                          % len(body), n2.detail)
            self.assertEqual(got[("c12-office", 3)][0], "ack", got)
        st = relay.status()
        self.assertEqual((st["queued_relayed"], st["parked"]), (1, 0), st)


def fault_injection_built():
    """True when the binaries were built with -DLNOB_FAULT_INJECTION=ON
    (ctest passes LNOB_FAULT_INJECTION=1 then)."""
    return os.environ.get("LNOB_FAULT_INJECTION", "0") in ("1", "ON", "TRUE", "true")


# The router's test hook (common/router.h), counted from the daemon's start:
# the 2nd part it sends (the Frame of its first answer) fails with EINTR,
# so does the 3rd part it receives (the 2nd part of the first message), and
# its 3rd answer is cut after its routing id.
DRIFT_FAULTS = "send_eintr:2,recv_eintr:3,send_cut:3"


def next_message(cl, timeout=30):
    """The next whole ZeroMQ message from the daemon: its list of parts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cl.net.check_alive()
        try:
            return cl.sock.recv_multipart()
        except cl.zmq.Again:
            continue
    raise lnobtest.WaitTimeout("no message from the daemon within %ss" % timeout)


def frame_of(part):
    f = lnobtest.pb().Frame()
    f.ParseFromString(part)
    return f


@unittest.skipUnless(fault_injection_built(), "needs -DLNOB_FAULT_INJECTION=ON")
class DriftTest(lnobtest.NetTestCase):
    """The aggregator and a relay, each armed with DRIFT_FAULTS, talking to
    a crafted client that checks every message it gets is one part.

        aggregator
         |- d1-office   (relay)"""

    def exercise(self, cl, signer, sk, daemon):
        """Drives DRIFT_FAULTS through daemon (already started, armed) from
        cl: a first message of three parts, sent once, is answered whole
        (EINTR on its receive and on the first answer's send were tried
        again: nothing lost, nothing cut); the third answer is cut and
        arrives as one empty message; the next answer comes alone, one
        part, not glued to it; the envelope whose ack was cut, sent again,
        is acked."""
        envs = [sign_envelope(sk, signer, i + 1, KIND_REPORT,
                              report_body("C11", VALUES, period=PERIODS[i]))
                for i in range(4)]
        cl.send_parts([lnobtest.frame_heartbeat(), lnobtest.frame_envelope(envs[0]),
                       lnobtest.frame_envelope(envs[1])])
        hbs, acked = 0, set()
        while hbs < 1 or acked != {(signer, 1), (signer, 2)}:
            parts = next_message(cl)
            self.assertEqual(len(parts), 1, parts)
            self.assertNotEqual(parts[0], b"", "an answer of the first message was cut")
            f = frame_of(parts[0])
            kind = f.WhichOneof("msg")
            self.assertIn(kind, ("heartbeat", "acks"), f)
            if kind == "heartbeat":
                hbs += 1
            else:
                acked |= {(a.signer, a.seq) for a in f.acks.acks}
        self.assertEqual(hbs, 1)

        # The third answer (the ack of seq 3) is cut after its routing id:
        # the message begun is ended, one empty part.
        cl.send_raw(lnobtest.frame_envelope(envs[2]))
        try:
            ended = next_message(cl, timeout=10)
        except lnobtest.WaitTimeout:
            ended = None               # left open: the next answer would be glued to it
        # The next answer is whole and alone.
        cl.send_raw(lnobtest.frame_envelope(envs[3]))
        parts = next_message(cl)
        self.assertEqual(len(parts), 1, "the answer after the cut one is glued to it: %r"
                         % (parts,))
        self.assertEqual(ended, [b""], "the cut answer was not ended")
        f = frame_of(parts[0])
        self.assertEqual([(a.signer, a.seq) for a in f.acks.acks], [(signer, 4)], f)
        # Sent again, the envelope whose ack was cut is acked.
        self.assertEqual(cl.send_envelope(envs[2])[0], "ack")
        with open(daemon.log_path, errors="replace") as fh:
            text = fh.read()
        for hit in ("send_eintr at 2", "recv_eintr at 3", "send_cut at 3"):
            self.assertIn("fault injection: router " + hit, text)

    def test_aggregator(self):
        net = self.net
        agg = net.add_aggregator()
        keys = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        agg.enroll(keys.pub_path, "D1")
        agg.start(env={"LNOB_FAULT_ROUTER": DRIFT_FAULTS})
        with CraftedClient(net, keys) as cl:
            self.exercise(cl, "crafta", keys.signing_key(), agg.daemon)
        st, k = agg.wait_status(lambda s, k: s["envelopes"] == 4, "4 stored")
        self.assertEqual((k["stored"], k["duplicate"]), (4, 1), st)

    def test_relay(self):
        from test_relay import RelayClient
        net = self.net
        net.add_aggregator()           # stays down: custody holds everything
        relay = net.add_collector("d1-office", "D1", relay=True)
        keys = net.keygen(relay.bin, "c11-office", net.path("c11-office.key"))
        relay.net.cli(relay.cmd("enroll", "-c", relay.conf, "--key", keys.pub_path))
        relay.start(env={"LNOB_FAULT_ROUTER": DRIFT_FAULTS})
        with RelayClient(net, keys, relay) as cl:
            self.exercise(cl, "c11-office", keys.signing_key(), relay.daemon)
        st = relay.status()
        self.assertEqual((st["queued_relayed"], st["parked"]), (4, 0), st)


if __name__ == "__main__":
    lnobtest.main()
