"""Metadata sync down and offline checks (README "Metadata sync down",
"Offline checks").

    aggregator (campaign.ini, the hierarchy)
     |- d1-office   (scope D1; relay; aggregator_sign_key: base64)
         |- c11-office  (scope C11; aggregator_sign_key: the .pub file)

The aggregator signs a bundle per scope and sends it to a peer whose
heartbeat holds a lower version; the relay stores it and forwards it to
the commune, which stores it after verifying the aggregator's signature.
With the relay stopped (the link cut) the commune's `submit` refuses,
from the metadata alone (its configuration names no campaign nor
hierarchy), what the aggregator would refuse, naming file and line, and
queues nothing; a valid report is queued. A bundle sent by a fake relay
(this test's ROUTER on the relay's endpoint with the relay's keys) that
is tampered with, older, or does not parse is refused and the version
held is kept; a well-signed newer one is taken.
"""

import json
import struct
import time

import zmq

import lnobtest
from lnobtest import wait_until
from test_levels import CAMPAIGN_INI, INDICATORS
from test_relay import mdb_dump

DOMAIN = b"lnob-metadata-v1\x00"


def signed_bytes(issuer, version, issued_at, body):
    """What Metadata.signature covers (proto/lnob.proto, THE LINK)."""
    i = issuer.encode()
    return (DOMAIN + struct.pack(">I", len(i)) + i + struct.pack(">QQI", version, issued_at,
                                                                 len(body)) + body)


def held_metadata(coll):
    """The Metadata the collector holds (meta "metadata"), read by mdb_dump."""
    for key, val in mdb_dump(coll.data_dir, "meta"):
        if key == b"metadata":
            rec = lnobtest.pb().MetadataRecord()
            rec.ParseFromString(val)
            return rec.metadata
    return None


class MetadataTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        kw = dict(heartbeat_ms=300, dead_after_ms=3000, backoff_min_ms=50, backoff_max_ms=300)
        # The key as base64 (`pubkey`) for the relay, as the .pub file for the commune.
        self.relay = net.add_collector("d1-office", "D1", relay=True,
                                       extra_conf=net.sign_key_conf(self.agg), **kw)
        self.commune = net.add_collector("c11-office", "C11", upstream=self.relay, extra_conf=(
            "\n[uplink]\naggregator_sign_key = %s\n" % self.agg.keys.pub_path), **kw)

    def csv(self, name, rows):
        path = self.net.path(name)
        lnobtest.write_reports_csv(path, rows, INDICATORS + ("poor_rate",))
        return path

    def refused(self, path, words):
        c = self.commune
        r = self.net.cli(c.cmd("submit", "-c", c.conf, path), ok=False)
        self.assertEqual(r.returncode, 1, "submit must refuse: %s%s" % (r.out, r.err))
        self.assertIn("%s:2: " % path, r.err)
        for w in words:
            self.assertIn(w, r.err)
        self.assertIn("nothing queued", r.err)
        self.assertEqual(c.status()["queued"], 0)

    def sync(self):
        """Starts the network; returns the commune's metadata status."""
        self.agg.start()
        self.relay.start()
        self.commune.start()
        st = wait_until(lambda: self.commune.status()["metadata"], 60,
                        "the commune holds metadata", self.net)
        rst = self.relay.status()["metadata"]
        self.assertEqual(st["version"], rst["version"], (st, rst))
        self.assertEqual(st["issuer"], "province")
        self.assertGreaterEqual(st["age_s"], 0)
        # A bundle taken is logged as stored, never also as refused.
        for node in (self.relay, self.commune):
            wait_until(lambda n=node: "metadata: version %d from" % st["version"]
                       in lnobtest.log_text(n.daemon), 30, "%s logging the bundle stored"
                       % node.node_id, self.net)
            self.assertNotIn("refused (the version held is kept)",
                             lnobtest.log_text(node.daemon), node.node_id)
        return st

    def test_offline_checks(self):
        st = self.sync()
        self.relay.stop()   # the link is cut
        c = self.commune
        v = {"households_total": 150, "poor_households": 12}
        self.refused(self.csv("derived.csv", [{"unit": "V11-0001", "revision": 1,
                                               "values": {"poor_rate": 5}}]),
                     ["poor_rate", "derived"])
        self.refused(self.csv("unknown.csv", [{"unit": "X99", "revision": 1, "values": v}]),
                     ["X99", "out of scope"])
        self.refused(self.csv("scope.csv", [{"unit": "V21-0001", "revision": 1, "values": v}]),
                     ["V21-0001", "out of scope"])
        # In the relay's bundle (district D1), outside the commune's own scope.
        self.refused(self.csv("sibling.csv", [{"unit": "V12-0001", "revision": 1,
                                               "values": v}]),
                     ["unit 'V12-0001' is out of scope: not under 'C11'"])
        self.refused(self.csv("district.csv", [{"unit": "D1", "revision": 1,
                                                "values": {"fund_vnd": 5}}]),
                     ["unit 'D1' is out of scope"])
        self.refused(self.csv("level.csv", [{"unit": "C11", "revision": 1, "values": v}]),
                     ["unit 'C11' is a commune", "reported by village"])
        self.refused(self.csv("period.csv", [{"unit": "V11-0001", "revision": 1,
                                              "period": "2030", "values": v}]), ["2030"])
        self.refused(self.csv("campaign.csv", [{"unit": "V11-0001", "revision": 1,
                                                "campaign": "other", "values": v}]), ["other"])
        r = c.submit(self.csv("good.csv", [{"unit": "V11-0001", "revision": 1, "values": v}]))
        self.assertIn("queued 1 reports", r.out)
        self.assertEqual(c.status()["queued"], 1)
        self.assertEqual(c.status()["metadata"]["version"], st["version"])
        text = self.net.cli(c.cmd("status", "-c", c.conf)).out
        self.assertIn("metadata: version %d from province" % st["version"], text)

    def test_version_follows_content(self):
        net, agg = self.net, self.agg
        v1 = self.sync()["version"]
        agg.stop()
        agg.start()   # the same files: the same version
        wait_until(lambda: self.relay.status()["last_contact_ms"], 30, "relay back", net)
        with open(agg.daemon.log_path, "rb") as f:
            self.assertIn(b"metadata: version %d " % v1, f.read())
        agg.stop()
        with open(net.path("campaign.ini"), "a") as f:
            f.write("\n[labels]\npoor_rate = T\u1ef7 l\u1ec7 h\u1ed9 ngh\u00e8o\n")
        agg.start()   # a changed campaign file: a higher version, down to the commune
        st = wait_until(lambda: (self.commune.status()["metadata"] or {}).get("version", 0) > v1
                        and self.commune.status()["metadata"], 60,
                        "the commune gets the new version through the relay", net)
        self.assertEqual(self.relay.status()["metadata"]["version"], st["version"])

    def test_refused_after_the_metadata_changed_comes_back_parked(self):
        """A report valid by the metadata held when it was queued, refused by
        the aggregator after its campaign changed, is parked at the commune
        with the reason, through the relay; the commune then holds the new
        version, which refuses such a report offline."""
        net, agg, c = self.net, self.agg, self.commune
        v1 = self.sync()["version"]
        self.relay.stop()   # the link is cut
        r = c.submit(self.csv("fund.csv", [{"unit": "V11-0001", "revision": 1,
                                            "values": {"households_total": 150,
                                                       "poor_households": 12,
                                                       "fund_vnd": 5_000_000}}]))
        self.assertIn("queued 1 reports", r.out)
        agg.stop()
        with open(net.path("campaign.ini"), "w") as f:   # fund_vnd is no longer measured
            f.write(CAMPAIGN_INI.replace("fund_vnd         = amount\n", "")
                    .replace("[reported_by]\nfund_vnd = all\n", ""))
        agg.start()
        self.relay.start()
        st = wait_until(lambda: c.status()["parked"] == 1 and c.status(), 60,
                        "the refusal comes back parked at the commune", net)
        item = st["parked_items"][0]
        self.assertEqual((item["signer"], item["reason"]), ("c11-office", "unknown_indicator"))
        self.assertIn("fund_vnd", item["detail"])
        rep = json.loads(net.cli(c.cmd("status", "-c", c.conf, "--report", "V11-0001/2023",
                                       "--json")).out)
        self.assertEqual(rep["envelopes"][0]["state"], "refused", rep)
        wait_until(lambda: c.status()["metadata"]["version"] > v1, 60,
                   "the commune gets the changed campaign", net)
        again = net.cli(c.cmd("submit", "-c", c.conf, net.path("fund.csv")), ok=False)
        self.assertEqual(again.returncode, 1, again.out + again.err)
        self.assertIn("fund_vnd", again.err)

    def fake_relay(self):
        """A ROUTER on the relay's endpoint with its CURVE keys (no ZAP:
        it admits anyone), after the relay stopped."""
        self.relay.stop()
        ctx = zmq.Context()
        self.addCleanup(ctx.destroy, 0)
        s = ctx.socket(zmq.ROUTER)
        s.curve_server = True
        s.curve_secretkey = self.relay.keys.curve_secret
        s.curve_publickey = self.relay.keys.curve_public
        s.setsockopt(zmq.RCVTIMEO, 200)
        s.bind(self.relay.relay_endpoint)
        return s

    def send_on_heartbeat(self, sock, meta):
        """Answers the commune's next heartbeat with meta; returns the
        version the heartbeat said it holds."""
        def hb():
            try:
                rid, raw = sock.recv_multipart()
            except zmq.Again:
                return None
            f = lnobtest.pb().Frame()
            f.ParseFromString(raw)
            return f.WhichOneof("msg") == "heartbeat" and (rid, f.heartbeat)
        rid, got = wait_until(hb, 30, "a heartbeat from the commune", self.net)
        out = lnobtest.pb().Frame()
        out.metadata.CopyFrom(meta)
        sock.send_multipart([rid, out.SerializeToString()])
        return got.metadata_version

    def wait_log(self, text):
        def seen():
            with open(self.commune.daemon.log_path, "rb") as f:
                return text.encode() in f.read()
        wait_until(seen, 30, "commune log: %s" % text, self.net)

    def test_tampered_bundle_refused(self):
        st = self.sync()
        good = held_metadata(self.commune)
        self.assertEqual(good.version, st["version"])
        sock = self.fake_relay()
        sk = self.agg.keys.signing_key()

        bad = lnobtest.pb().Metadata()
        bad.CopyFrom(good)
        bad.version = good.version + 1
        bad.body = good.body.replace(b"village", b"commune")   # tampered, old signature
        self.assertEqual(self.send_on_heartbeat(sock, bad), good.version)
        self.wait_log("version %d: the signature does not verify" % bad.version)

        older = lnobtest.pb().Metadata()
        older.CopyFrom(good)
        older.version = good.version - 1
        older.signature = sk.sign(signed_bytes(older.issuer, older.version, older.issued_at,
                                               older.body)).signature
        self.send_on_heartbeat(sock, older)
        self.wait_log("version %d is older than the %d held" % (older.version, good.version))

        junk = lnobtest.pb().Metadata()
        junk.CopyFrom(good)
        junk.version = good.version + 2
        junk.body = b"\xff\xff\xff"
        junk.signature = sk.sign(signed_bytes(junk.issuer, junk.version, junk.issued_at,
                                              junk.body)).signature
        self.send_on_heartbeat(sock, junk)
        self.wait_log("metadata v%d: body does not decode" % junk.version)
        held = held_metadata(self.commune)
        self.assertEqual((held.version, held.body), (good.version, good.body))
        self.assertEqual(self.commune.status()["metadata"]["version"], good.version)

        newer = lnobtest.pb().Metadata()
        newer.CopyFrom(good)
        newer.version = good.version + 3
        newer.issued_at = int(time.time())
        newer.signature = sk.sign(signed_bytes(newer.issuer, newer.version, newer.issued_at,
                                               newer.body)).signature
        self.send_on_heartbeat(sock, newer)
        wait_until(lambda: self.commune.status()["metadata"]["version"] == newer.version, 30,
                   "the commune takes a well-signed newer bundle", self.net)


if __name__ == "__main__":
    lnobtest.main()
