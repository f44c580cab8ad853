"""catalogue_wire: the catalogue's bad inputs on the wire, fed by the
crafted client (an independent implementation of lnob.proto's signing
rule) to the running aggregator. Frames the Python protobuf library will
not build (a wrong wire type, a count of 2^63, a string with a NUL) are
encoded by hand here."""

import nacl.signing

import lnobtest
from catalogue import KIND_REPORT, Entry, values_for
from lnobtest import frame_envelope, pb, replace_once, report_body

INT64_MAX = 2**63 - 1


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire_type, payload):
    """One protobuf field: the key, then a varint (wire type 0) or a
    length-delimited payload (wire type 2)."""
    key = varint(number << 3 | wire_type)
    if wire_type == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def body(unit="V11-0003", n=1, **kw):
    return report_body(unit, values_for(n), **kw)


def value_bytes(code, wire_type, payload):
    """A Report.values entry (field 4): IndicatorValue{code, field 2}."""
    return field(4, 2, field(1, 2, code.encode()) + field(2, wire_type, payload))


def good_envelope(w, unit="V11-0004"):
    env, key = w.envelope(body(unit, w.seq))
    return env, key


def f_truncated_frame(w):
    env, _ = good_envelope(w)
    frame = frame_envelope(env)
    return w.nacked(frame[:len(frame) // 2], "malformed", None)


def f_truncated_envelope(w):
    env, _ = good_envelope(w)
    return w.nacked(frame_envelope(env[:-10]), "malformed", None)


def f_oversize_frame(w):
    # A small body, but a signature field that takes the frame over max_frame
    # (below twice it: ZeroMQ would drop the connection above).
    m = pb()
    seq = w.next_seq()
    big = m.Envelope(signer="crafta", seq=seq, kind=KIND_REPORT, body=body(),
                     signature=b"\x00" * (w.agg.max_frame + 100)).SerializeToString()
    return w.nacked(frame_envelope(big), "too_large", ("crafta", seq), counter="rejected_too_large")


def f_oversize_body(w):
    b = body(narrative="x" * (w.agg.max_body + 1))
    env, key = w.envelope(b)
    w.test.assertLess(len(frame_envelope(env)), w.agg.max_frame)
    return w.nacked(frame_envelope(env), "too_large", key)


def f_wrong_wire_type_envelope(w):
    # Envelope.seq (a varint) sent as length-delimited bytes.
    m = pb()
    b = body()
    sig = w.sk.sign(lnobtest.signed_bytes("crafta", 0, KIND_REPORT, b)).signature
    env = m.Envelope(signer="crafta", kind=KIND_REPORT, body=b, signature=sig).SerializeToString()
    return w.nacked(frame_envelope(env + field(2, 2, b"\x07")), "malformed", None)


def f_wrong_wire_type_count(w):
    b = body() + value_bytes("poor_households", 2, b"12")
    env, key = w.envelope(b)
    return w.nacked(frame_envelope(env), "malformed", key)


def f_bad_signature(w):
    b = body(narrative="tamper-aaaa")
    env, key = w.envelope(b)
    i = env.index(b"tamper-aaaa")
    bad = env[:i] + b"tamper-aaab" + env[i + 11:]
    return w.nacked(frame_envelope(bad), "bad_signature", key)


def f_unknown_signer(w):
    ghost = nacl.signing.SigningKey.generate()
    env = lnobtest.sign_envelope(ghost, "ghost", 1, KIND_REPORT, body())
    return w.nacked(frame_envelope(env), "unknown_signer", ("ghost", 1))


def f_revoked_signer(w):
    env = lnobtest.sign_envelope(w.revoked.signing_key(), "revoked1", 1, KIND_REPORT, body())
    return w.nacked(frame_envelope(env), "revoked_signer", ("revoked1", 1))


def f_unknown_curve_key(w):
    """A CURVE key never enrolled: ZAP refuses the handshake; no frame of
    it gets an answer."""
    intruder = w.net.keygen(w.agg.bin, "intruder", w.net.path("intruder.key"))
    _, k0 = w.agg.counters()
    env, _ = good_envelope(w)
    with lnobtest.CraftedClient(w.net, intruder) as cl:
        cl.send_raw(lnobtest.frame_heartbeat())
        cl.send_raw(frame_envelope(env))
        w.agg.wait_status(lambda st, k: k["zap_denied"] > k0["zap_denied"], "zap_denied counted")
        w.test.assertIsNone(cl.recv_frame(), "an unknown key got an answer: %r" % cl.frames)
    return "ZAP denied the handshake (zap_denied counted), no answer"


def f_out_of_scope(w):
    env, key = w.envelope(body("V21-0001"))
    return w.nacked(frame_envelope(env), "out_of_scope", key)


def f_unknown_unit(w):
    env, key = w.envelope(body("V11-9999"))
    return w.nacked(frame_envelope(env), "unknown_unit", key)


def f_unknown_campaign(w):
    env, key = w.envelope(body(campaign="lnob-1999"))
    return w.nacked(frame_envelope(env), "unknown_campaign", key)


def f_unknown_period(w):
    env, key = w.envelope(body(period="2031"))
    return w.nacked(frame_envelope(env), "unknown_campaign", key)


def f_derived_indicator(w):
    env, key = w.envelope(report_body("V11-0003", {"poor_rate": 5}))
    return w.nacked(frame_envelope(env), "unknown_indicator", key, words=("poor_rate",))


def f_wrong_level(w):
    env, key = w.envelope(report_body("C11", {"households_total": 5}))
    return w.nacked(frame_envelope(env), "wrong_level", key, words=("households_total",))


def f_unknown_kind(w):
    env, key = w.envelope(body(), kind=9)
    return w.nacked(frame_envelope(env), "unknown_kind", key)


def f_negative_count(w):
    env, key = w.envelope(report_body("V11-0003", {"poor_households": -1}))
    return w.nacked(frame_envelope(env), "invalid", key, words=("poor_households",))


def f_count_int64_max(w):
    env, key = w.envelope(report_body("V11-0003", {"poor_households": INT64_MAX}))
    return w.nacked(frame_envelope(env), "invalid", key, words=("poor_households",))


def f_count_2p63(w):
    # 2^63 as the varint of an int64 count (it reads as -2^63).
    env, key = w.envelope(report_body("V11-0003", {"households_total": 5})
                          + value_bytes("poor_households", 0, 1 << 63))
    return w.nacked(frame_envelope(env), "invalid", key, words=("poor_households",))


def f_amount_as_count(w):
    # fund_vnd is an amount; sent in the count member of the oneof.
    env, key = w.envelope(report_body("V11-0003", {"households_total": 5})
                          + value_bytes("fund_vnd", 0, 7))
    return w.nacked(frame_envelope(env), "invalid", key, words=("fund_vnd",))


def f_completed_at_int64_max(w):
    env, key = w.envelope(body(completed_at=INT64_MAX))
    return w.nacked(frame_envelope(env), "invalid", key, words=("completed_at",))


def f_narrative_not_utf8(w):
    b = replace_once(body(narrative="MARK-MARK"), b"MARK-MARK", b"gi\xe1m ngh\xe8")
    env, key = w.envelope(b)
    return w.nacked(frame_envelope(env), "invalid", key, words=("narrative",))


def f_narrative_nul(w):
    b = replace_once(body(narrative="MARK-MARK"), b"MARK-MARK", b"MARK\x00MARK")
    env, key = w.envelope(b)
    return w.nacked(frame_envelope(env), "malformed", key, words=("narrative", "NUL byte"))


def f_unit_nul(w):
    # "V11-0003\0X": a C string would read the unit as V11-0003.
    b = replace_once(body("V11-0003", narrative="n"), b"V11-0003", b"V11-0\x0003")
    env, key = w.envelope(b)
    return w.nacked(frame_envelope(env), "malformed", key, words=("unit", "NUL byte"))


def f_replay(w):
    """A good envelope sent again: acked again, counted duplicate, stored
    once."""
    env, key = w.envelope(body("V12-0001", n=3))
    kind, ans = w.client.send_envelope(env)
    w.test.assertEqual(kind, "ack", ans)
    w.agg.wait_status(lambda st, k: st["envelopes"] >= 1, "first copy stored")
    st0, k0 = w.agg.counters()
    kind, ans = w.client.send_envelope(env)
    w.test.assertEqual(kind, "ack", "a replay is acked again: %r" % ans)
    st1, _ = w.agg.wait_status(lambda st, k: k["duplicate"] == k0["duplicate"] + 1,
                               "the replay counted duplicate")
    w.test.assertEqual(st1["envelopes"], st0["envelopes"], st1)
    return "ACK again, counted duplicate, stored once"


def f_seq_reuse(w):
    """The same (signer, seq) as a stored envelope, other content."""
    seq = w.seq      # the last envelope sent: the replay's, stored
    env, key = w.envelope(body("V12-0001", n=4, narrative="other"), seq=seq)
    return w.nacked(frame_envelope(env), "seq_reused", key)


def f_several_parts(w):
    """One ZeroMQ message of three parts, two of them garbage: each part
    answered as a frame of its own."""
    _, k0 = w.agg.counters()
    w.client.send_parts([b"\xff\xff", b"\x0a\x05ab", b"\xff"])
    _, _, keyless = w.client.answers([], nacks_without_key=3)
    w.test.assertEqual([nack_reason(n) for n in keyless], ["malformed"] * 3, keyless)
    w.agg.wait_status(lambda st, k: k["rejected_malformed"] == k0["rejected_malformed"] + 3,
                      "three malformed parts counted")
    return "NACK malformed x3 (one per part)"


KIND_SNAPSHOT = 4


def snapshot_body(unit, part, values=None, revision=1, **fields):
    """A Snapshot (proto THE NATIONAL TIER) of unit, as a province sends it."""
    m = pb()
    s = m.Snapshot(campaign=lnobtest.CAMPAIGN, period=lnobtest.PERIOD, unit=unit, part=part,
                   revision=revision, base_revision=revision - 1, computed_at=1701140400,
                   **fields)
    for code, v in sorted((values or values_for(1)).items()):
        iv = s.sums.add(code=code)
        if code.endswith("_vnd"):
            iv.amount_vnd = v
        else:
            iv.count = v
    return s


def f_snapshot_twice(w):
    env, key = w.envelope(snapshot_body("C11", 2).SerializeToString(), kind=KIND_SNAPSHOT)
    return w.nacked(frame_envelope(env), "invalid", key, words=("count twice",))


def f_snapshot_part(w):
    env, key = w.envelope(snapshot_body("V11-0003", 0).SerializeToString(), kind=KIND_SNAPSHOT)
    return w.nacked(frame_envelope(env), "invalid", key, words=("part",))


def f_snapshot_nominations(w):
    s = snapshot_body("V11-0003", 2, nominations=1)
    s.nomination_counts.add(by="form", name="giay_khen", count=2)
    env, key = w.envelope(s.SerializeToString(), kind=KIND_SNAPSHOT)
    return w.nacked(frame_envelope(env), "invalid", key, words=("nomination_counts",))


def f_snapshot_out_of_scope(w):
    env, key = w.envelope(snapshot_body("V21-0001", 2).SerializeToString(), kind=KIND_SNAPSHOT)
    return w.nacked(frame_envelope(env), "out_of_scope", key)


def nack_reason(n):
    return lnobtest.nack_reason_name(n.reason)


E = Entry
ENTRIES = [
    E("truncated frame", "wire", "a Frame{envelope} cut in half", "NACK malformed",
      f_truncated_frame),
    E("truncated envelope", "wire", "a Frame whose Envelope lacks its last 10 bytes",
      "NACK malformed", f_truncated_envelope),
    E("oversize frame", "wire", "a frame of max_frame + 100 bytes (a huge signature field)",
      "NACK too_large naming (signer, seq)", f_oversize_frame),
    E("oversize body", "wire", "an envelope body of max_body + ~100 bytes",
      "NACK too_large naming (signer, seq)", f_oversize_body),
    E("wrong wire type (envelope)", "wire", "Envelope.seq sent length-delimited",
      "NACK malformed", f_wrong_wire_type_envelope),
    E("wrong wire type (count)", "wire", "a count sent as a length-delimited string \"12\"",
      "NACK malformed", f_wrong_wire_type_count),
    E("bad signature", "wire", "one byte of the narrative changed after signing",
      "NACK bad_signature", f_bad_signature),
    E("unknown signer", "wire", "an envelope signed by a key never enrolled ('ghost')",
      "NACK unknown_signer", f_unknown_signer),
    E("unknown CURVE key", "wire", "a connection with a CURVE key never enrolled",
      "ZAP denied (zap_denied), no answer", f_unknown_curve_key),
    E("revoked signer", "wire", "an envelope properly signed by a revoked node",
      "NACK revoked_signer", f_revoked_signer),
    E("out-of-scope unit", "wire", "a report for V21-0001 by a node of D1",
      "NACK out_of_scope", f_out_of_scope),
    E("unknown unit", "wire", "a report for V11-9999 (not in the hierarchy)",
      "NACK unknown_unit", f_unknown_unit),
    E("unknown campaign", "wire", "campaign lnob-1999", "NACK unknown_campaign",
      f_unknown_campaign),
    E("unknown period", "wire", "period 2031 of the campaign", "NACK unknown_campaign",
      f_unknown_period),
    E("derived indicator reported", "wire", "poor_rate (a rate) in a report",
      "NACK unknown_indicator naming poor_rate", f_derived_indicator),
    E("wrong level", "wire", "households_total for commune C11 (reported by villages)",
      "NACK wrong_level naming households_total", f_wrong_level),
    E("unknown kind", "wire", "Envelope.kind 9", "NACK unknown_kind", f_unknown_kind),
    E("snapshot counted twice", "wire", "a PART_SUBTREE snapshot of commune C11 (villages below it)",
      "NACK invalid: would count twice", f_snapshot_twice),
    E("snapshot without a part", "wire", "a snapshot of V11-0003 with part PART_UNSPECIFIED",
      "NACK invalid naming part", f_snapshot_part),
    E("snapshot nomination count", "wire", "a count of 2 where nominations is 1",
      "NACK invalid naming nomination_counts", f_snapshot_nominations),
    E("snapshot out of scope", "wire", "a snapshot of V21-0001 by a node of D1",
      "NACK out_of_scope", f_snapshot_out_of_scope),
    E("negative count", "wire", "poor_households = -1", "NACK invalid naming the indicator",
      f_negative_count),
    E("count 2^63-1", "wire", "poor_households = 9223372036854775807",
      "NACK invalid naming the indicator", f_count_int64_max),
    E("count 2^63", "wire", "poor_households as the varint 2^63 (reads -2^63)",
      "NACK invalid naming the indicator", f_count_2p63),
    E("amount where a count goes", "wire", "fund_vnd (an amount) in the count member",
      "NACK invalid naming the indicator", f_amount_as_count),
    E("bad date (2^63-1)", "wire", "completed_at = 9223372036854775807",
      "NACK invalid naming completed_at", f_completed_at_int64_max),
    E("bad UTF-8 on the wire", "wire", "a narrative in Latin-1 bytes",
      "NACK invalid naming narrative", f_narrative_not_utf8),
    E("NUL in a narrative", "wire", "narrative 'MARK\\0MARK'", "NACK malformed naming narrative",
      f_narrative_nul),
    E("NUL in a unit code", "wire", "unit 'V11-0\\003'", "NACK malformed naming unit",
      f_unit_nul),
    E("replay", "wire", "a stored envelope sent again", "ACK again, duplicate, stored once",
      f_replay, deltas={"envelopes": 1, "reports": 1}),
    E("seq reuse", "wire", "a stored (signer, seq) with other content",
      "NACK seq_reused, quarantined, first copy stays", f_seq_reuse,
      deltas={"quarantined": 1}),
    E("message of several parts", "wire", "one ZeroMQ message of 3 undecodable parts",
      "NACK malformed for each part", f_several_parts),
]
