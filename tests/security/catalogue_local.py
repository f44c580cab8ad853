"""catalogue_local: the catalogue's bad configurations and stores: bad
hierarchy and campaign files and a world-readable key given to a second
aggregator configuration (its own data_dir and port, beside the running
aggregator), store directories and files open to others, a full disk, a
copied outbox reusing seqs, and a fake upstream whose NACK detail is not
UTF-8."""

import os
import threading
import time

import lnobtest
from catalogue import Entry, values_for
from catalogue_wire import field
from lnobtest import CAMPAIGN_INI, pb, wait_until

# -- a second aggregator configuration -----------------------------------------


def alt_conf(w, name, hierarchy=None, campaign=None, identity=None):
    """A copy of the aggregator's configuration with its own data_dir
    (alt/<name>, never created by a refusal) and port, and the given
    hierarchy file, campaign file and identity. Returns (path, endpoint)."""
    agg = w.agg
    with open(agg.conf) as f:
        text = f.read()
    endpoint, host, port = w.net.endpoint_for()
    text = text.replace(agg.data_dir, os.path.join(w.alt, name)).replace(agg.endpoint, endpoint)
    if hierarchy:
        text = text.replace(w.net.hier_path, hierarchy)
    text = text.replace("files = campaign.ini",
                        "files = " + (campaign or w.net.path("campaign.ini")))
    if identity:
        text = text.replace(agg.keys.path, identity)
    path = w.write_input(name + ".conf", text)
    return path, (host, port)


def refused_to_start(w, conf, addr, words):
    """`run -n` and `run` of conf exit 1 saying every word; nothing
    listens on its port afterwards."""
    seen = w.refused(w.agg.cmd("run", "-c", conf, "-n"), words)
    w.refused(w.agg.cmd("run", "-c", conf), words)
    w.test.assertFalse(lnobtest.tcp_accepts(*addr), "something listens on %s:%d" % addr)
    return seen


def hier_rows(w, change):
    """The hierarchy CSV's lines with change(lines) applied; returns the
    text and the 1-based line number change returned."""
    with open(w.net.hier_path) as f:
        lines = f.read().splitlines()
    line = change(lines)
    return "\n".join(lines) + "\n", line


def hier_entry(name, fed, change, words, reason, binary=False):
    def feed(w):
        text, line = hier_rows(w, change)
        data = text.encode()
        if binary:
            data = data.replace(b"MARK", b"X\xe3 1")
        path = w.write_input(name.replace(" ", "-") + ".csv", data)
        conf, addr = alt_conf(w, name.replace(" ", "-"), hierarchy=path)
        return refused_to_start(w, conf, addr, ("[hierarchy] file", "%s:%d:" % (path, line))
                                + words)
    return Entry(name, "config", fed, reason, feed)


def edit_line(code, old, new):
    """A change of the hierarchy: old replaced by new in unit code's line."""
    def change(lines):
        i = next(i for i, l in enumerate(lines) if l.startswith(code + ","))
        assert old in lines[i], (code, old)
        lines[i] = lines[i].replace(old, new)
        return i + 1
    return change


def add_line(row):
    """A change of the hierarchy: row appended."""
    def change(lines):
        lines.append(row)
        return len(lines)
    return change


def f_two_roots(w):
    """A second root beside P: the file is valid (several roots are
    allowed), but `rollup` without --unit refuses to guess the root."""
    text, _ = hier_rows(w, lambda l: l.append("Q,Province Q,,province,administrative") or 0)
    path = w.write_input("two-roots.csv", text)
    conf, _ = alt_conf(w, "two-roots", hierarchy=path)
    return w.refused(w.agg.cmd("rollup", "-c", conf, "--campaign", "lnob-2021-2025",
                               "--period", "2023"), ("several roots", "--unit"))


def campaign_entry(name, fed, old, new, mark, words, reason):
    """The catalogue's campaign file with old replaced by new; the error
    must name the line holding mark."""
    def feed(w):
        assert CAMPAIGN_INI.count(old) == 1, old
        text = CAMPAIGN_INI.replace(old, new)
        line = text[:text.index(mark)].count("\n") + 1
        path = w.write_input(name.replace(" ", "-") + ".ini", text)
        conf, addr = alt_conf(w, name.replace(" ", "-"), campaign=path)
        return refused_to_start(w, conf, addr, ("%s:%d:" % (path, line),) + words)
    return Entry(name, "config", fed, reason, feed)


def f_world_readable_key(w):
    key = w.write_input("loose.key", open(w.agg.keys.path, "rb").read())
    os.chmod(key, 0o644)
    conf, addr = alt_conf(w, "loose-key", identity=key)
    return refused_to_start(w, conf, addr, ("[node] identity", key, "mode 0644",
                                            "chmod 600 " + key))


def f_collector_world_readable_key(w):
    key = w.write_input("c11-loose.key", open(w.col.keys.path, "rb").read())
    os.chmod(key, 0o644)
    with open(w.col.conf) as f:
        text = f.read().replace(w.col.keys.path, key)
    conf = w.write_input("c11-loose.conf", text)
    return w.refused(w.col.cmd("submit", "-c", conf, w.write_input("k.csv", good_csv(w, 90))),
                     ("[node] identity", key, "mode 0644", "chmod 600 " + key))


def good_csv(w, n, unit="V11-0003"):
    path = os.path.join(w.inputs, "good-%s-%d.csv" % (unit, n))
    lnobtest.write_reports_csv(path, [{"unit": unit, "revision": n, "values": values_for(n)}])
    w.made.add(path)
    return path


# -- stores -----------------------------------------------------------------------

def mode_entry(name, fed, target, mode, words, reason, aggregator=False):
    """chmod the collector's (or aggregator's) store path target(w) to mode,
    feed a writer (`submit`; `enroll` beside the running aggregator), put
    the mode back."""
    def feed(w):
        path = target(w)
        old = os.stat(path).st_mode & 0o777
        os.chmod(path, mode)
        try:
            if aggregator:
                k = w.net.keygen(w.agg.bin, "late1", w.net.path("late1.key"))
                argv = w.agg.cmd("enroll", "-c", w.agg.conf, "--key", k.pub_path, "--scope", "C12")
            else:
                argv = w.col.cmd("submit", "-c", w.col.conf, good_csv(w, 91))
            return w.refused(argv, (path, "mode %04o" % mode) + words)
        finally:
            os.chmod(path, old)
    return Entry(name, "store", fed, reason, feed,
                 probe=lambda w: (w.probe_submit(), w.probe_aggregator())[1])


def f_full_disk(w):
    """The outbox of a collector on a full tmpfs: `submit` exits 1 naming
    the full disk, nothing is queued; with room the same file queues."""
    net = w.net
    c = net.add_collector("c12-disk", "C12")
    mnt = lnobtest.mount_tmpfs(w.test, net, "coldisk", "300k")
    lnobtest.move_data_dir(c, os.path.join(mnt, "col"))
    c.submit(good_csv(w, 1, unit="V12-0001"))
    st0 = c.status()
    n = 1000
    path = os.path.join(w.inputs, "full.csv")
    lnobtest.write_reports_csv(path, [{"unit": "V12-0002", "revision": r + 1,
                                       "values": {"households_total": r},
                                       "narrative": "y" * 400} for r in range(n)])
    w.made.add(path)
    before = set(os.listdir(c.data_dir))
    seen = w.refused(c.cmd("submit", "-c", c.conf, path),
                     ("the disk holding %s is full" % c.data_dir, "nothing queued"))
    st1 = c.status()
    for k in ("queued", "next_seq", "parked"):
        w.test.assertEqual(st1[k], st0[k], "%s after the full disk" % k)
    w.test.assertEqual(set(os.listdir(c.data_dir)), before, "files left on the full disk")
    lnobtest.resize_tmpfs(mnt, "64m")
    first = st0["next_seq"]
    w.test.assertIn("queued %d reports as seq %d..%d" % (n, first, first + n - 1),
                    c.submit(path).out)
    return seen + " (with room: the same file queued from the same seq)"


def f_copied_outbox(w):
    """A collector's data_dir copied (a restored backup, a cloned VM): the
    copy reuses seqs its original has sent with other content. The
    aggregator refuses seq_reused and quarantines; the copy parks it; the
    first copy stays."""
    net, agg = w.net, w.agg
    a = net.add_collector("c12-office", "C12")
    a.submit(good_csv(w, 1, unit="V12-0003"))
    a.start()
    a.wait_drained()
    a.stop()
    b = a.clone("c12-copy")
    seq = a.status()["next_seq"]
    a_vals = values_for(2)
    lnobtest.write_reports_csv(net.path("a2.csv"), [{"unit": "V12-0003", "revision": 2,
                                                     "values": a_vals}])
    lnobtest.write_reports_csv(net.path("b2.csv"), [{"unit": "V12-0003", "revision": 2,
                                                     "values": values_for(3)}])
    w.test.assertIn("as seq %d..%d" % (seq, seq), a.submit(net.path("a2.csv")).out)
    w.test.assertIn("as seq %d..%d" % (seq, seq), b.submit(net.path("b2.csv")).out)
    a.start()
    a.wait_drained()
    a.stop()
    st0 = agg.status()
    b.start()

    def parked():
        s = b.status()
        return s["parked"] == 1 and s["queued"] == 0 and s

    st = wait_until(parked, 60, "the copy parks seq %d" % seq, net)
    b.stop()
    item = st["parked_items"][0]
    w.test.assertEqual((item["seq"], item["reason"]), (seq, "seq_reused"), item)
    st1 = agg.status()
    w.test.assertEqual(st1["envelopes"], st0["envelopes"], st1)
    w.test.assertEqual(st1["quarantined"], st0["quarantined"] + 1, st1)
    w.test.assertEqual(agg.rollup(unit="V12-0003")["unit"]["sums"], a_vals, "the first copy stays")
    w.copied = a
    return "NACK seq_reused for seq %d; the copy parked it (seq_reused), quarantined" % seq


def probe_copied(w):
    """The original goes on: its next report is stored."""
    a = w.copied
    st0 = w.agg.status()
    a.submit(good_csv(w, 4, unit="V12-0003"))
    a.start()
    a.wait_drained()
    a.stop()
    w.agg.wait_status(lambda st, k: st["envelopes"] == st0["envelopes"] + 1, "stored")
    return "the original's next report stored"


# -- a fake upstream --------------------------------------------------------------

BAD_DETAIL = b"bad \xff\xfe detail \xc3"


def nack_frame(signer, seq, detail):
    """Frame{nack{signer, seq, NACK_INVALID, detail, retryable false}},
    encoded by hand: the protobuf library refuses a str that is not UTF-8."""
    nack = (field(1, 2, signer.encode()) + field(2, 0, seq) + field(3, 0, pb().NACK_INVALID)
            + field(4, 2, detail))
    return field(3, 2, nack)


class FakeUpstream:
    """A ROUTER with CURVE (the aggregator's keys, so the collector trusts
    it) on its own port: answers heartbeats with credit and limits, NACKs
    the first envelope with BAD_DETAIL and acks the others. Runs in a
    thread for at most `limit` seconds; stop() ends it."""

    def __init__(self, w, limit=120):
        import zmq
        self.zmq = zmq
        self.endpoint, _, _ = w.net.endpoint_for()
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.curve_server = True
        self.sock.curve_secretkey = w.agg.keys.curve_secret
        self.sock.curve_publickey = w.agg.keys.curve_public
        self.sock.bind(self.endpoint)
        self.limit = limit
        self.nacked, self.acked = [], []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def answer(self, peer, data):
        m = pb()
        f = m.Frame()
        f.ParseFromString(data)
        kind = f.WhichOneof("msg")
        if kind == "heartbeat":
            out = m.Frame()
            out.heartbeat.sent_at_ms = int(time.time() * 1000)
            out.heartbeat.credit = 8
            out.heartbeat.max_body = 65536
            out.heartbeat.max_frame = 65536 + 4096
            self.sock.send_multipart([peer, out.SerializeToString()])
        elif kind == "envelope":
            env = m.Envelope()
            env.ParseFromString(f.envelope)
            if not self.nacked:
                self.nacked.append(env.seq)
                self.sock.send_multipart([peer, nack_frame(env.signer, env.seq, BAD_DETAIL)])
            else:
                self.acked.append(env.seq)
                out = m.Frame()
                out.acks.credit = 8
                out.acks.acks.add(signer=env.signer, seq=env.seq)
                self.sock.send_multipart([peer, out.SerializeToString()])

    def loop(self):
        deadline = time.monotonic() + self.limit
        while not self.stopping.is_set() and time.monotonic() < deadline:
            if self.sock.poll(100):
                peer, data = self.sock.recv_multipart()[:2]
                self.answer(peer, data)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=10)
        self.sock.close(linger=0)
        self.ctx.term()


def f_upstream_nack_not_utf8(w):
    net = w.net
    fake = FakeUpstream(w)
    try:
        c = net.add_collector("c21-office", "C21", endpoint=fake.endpoint)
        lnobtest.write_reports_csv(net.path("c21.csv"), [
            {"unit": "V21-0001", "revision": 1, "values": values_for(1)},
            {"unit": "V21-0002", "revision": 1, "values": values_for(2)}])
        c.submit(net.path("c21.csv"))
        c.start()

        def done():
            s = c.status()
            return s["parked"] == 1 and s["queued"] == 0 and s["in_flight"] == 0 and s

        st = wait_until(done, 60, "c21: one parked, the other acked", net)
        w.test.assertEqual(fake.nacked, [1])
        w.test.assertEqual(fake.acked, [2])
        item = st["parked_items"][0]
        w.test.assertEqual((item["seq"], item["reason"]), (1, "invalid"), item)
        safe = item["detail"]
        w.test.assertIn("bad \\xff\\xfe detail \\xc3", safe, "the detail, its bad bytes escaped")
        with open(c.daemon.log_path, "rb") as f:
            log = f.read()
        w.test.assertNotIn(BAD_DETAIL, log, "the bad bytes reached the log")
        table = net.cli(c.cmd("status", "-c", c.conf)).out
        w.test.assertIn("invalid", table)
        c.stop()
    finally:
        fake.stop()
    return "parked seq 1 invalid with detail %r (valid UTF-8); seq 2 acked after it" % safe


def probe_status(w):
    return "the collector went on (seq 2 acked), exited 0 on SIGTERM"


E = Entry
ENTRIES = [
    hier_entry("cyclic hierarchy", "P's parent set to V11-0001 (P > D1 > C11 > V11-0001 > P)",
               edit_line("P", "Province P,,", "Province P,V11-0001,"), ("cycle",),
               "exit 1 (run, run -n), file:line, cycle"),
    hier_entry("unit its own parent", "C12's parent set to C12",
               edit_line("C12", ",D1,", ",C12,"), ("C12: cycle: its own parent",),
               "exit 1, file:line, cycle"),
    hier_entry("duplicate unit code", "C11 given twice",
               add_line("C11,Commune 11 again,D2,commune,administrative"),
               ("duplicate code 'C11'",), "exit 1, file:line, duplicate code"),
    hier_entry("unknown parent", "a village under C99",
               add_line("V99-0001,Village 99,C99,village,administrative"),
               ("unknown parent 'C99'",), "exit 1, file:line, unknown parent"),
    hier_entry("bad UTF-8 (hierarchy)", "a unit name in Windows-1258 bytes",
               edit_line("C11", "Commune 11", "MARK"), ("name: not valid UTF-8",),
               "exit 1, file:line, name", binary=True),
    hier_entry("NUL in the hierarchy", "a unit name holding a NUL byte",
               edit_line("C21", "Commune 21", "Commune\0 21"), ("NUL byte",),
               "exit 1, file:line, NUL"),
    E("two-rooted hierarchy", "config", "a second root Q beside P",
      "rollup without --unit: exit 1, several roots", f_two_roots),
    campaign_entry("overlapping periods", "[period 2023b] year 2023-07-01 .. 2024-06-30 beside "
                   "2023", "end   = 2023-12-31\n",
                   "end   = 2023-12-31\n\n[period 2023b]\nkind  = year\nstart = 2023-07-01\n"
                   "end   = 2024-06-30\n", "[period 2023b]", ("[period 2023b]: overlaps [period "
                                                          "2023]", "2023-07-01 .. 2023-12-31"),
                   "exit 1, file:line, overlaps"),
    campaign_entry("bad date (campaign)", "start = 2023-02-30", "start = 2023-01-01",
                   "start = 2023-02-30", "start = 2023-02-30", ("start", "2023-02-30"),
                   "exit 1, file:line, start"),
    campaign_entry("bad time zone (campaign)", "utc_offset = +25:00", "utc_offset    = +07:00",
                   "utc_offset    = +25:00", "utc_offset", ("utc_offset",),
                   "exit 1, file:line, utc_offset"),
    E("world-readable key", "config", "the aggregator's identity file with mode 0644",
      "exit 1 (run, run -n), config file:line, mode 0644", f_world_readable_key),
    E("world-readable key (collector)", "config", "a collector's identity file with mode 0644",
      "exit 1, config file:line, mode 0644", f_collector_world_readable_key,
      probe=lambda w: w.probe_submit()),
    mode_entry("store directory writable by others", "the collector's data_dir chmod 0777",
               lambda w: w.col.data_dir, 0o777, ("chmod 700",), "submit: exit 1, mode 0777"),
    mode_entry("store file readable by others", "the collector's data.mdb chmod 0644",
               lambda w: os.path.join(w.col.data_dir, "data.mdb"), 0o644, ("chmod 600",),
               "submit: exit 1, mode 0644"),
    mode_entry("aggregator store writable by group", "the aggregator's data_dir chmod 0770 "
               "(enroll beside the daemon)", lambda w: w.agg.data_dir, 0o770, ("chmod 700",),
               "enroll: exit 1, mode 0770", aggregator=True),
    E("full disk", "store", "1000 reports into an outbox on a 300 KiB tmpfs",
      "exit 1, 'the disk holding ... is full', nothing queued", f_full_disk,
      probe=lambda w: w.probe_submit()),
    E("seq reuse from a copied outbox", "store", "a collector's data_dir copied; both queue "
      "other reports as the same seq", "NACK seq_reused, quarantined, parked at the copy",
      f_copied_outbox, probe=probe_copied,
      deltas={"quarantined": 1, "envelopes": 2, "reports": 1}),
    E("upstream NACK detail not UTF-8", "wire", "a fake upstream NACKs with detail bytes "
      "62 61 64 20 ff fe ...", "parked with a safe (escaped UTF-8) detail; goes on",
      f_upstream_nack_not_utf8, probe=probe_status),
]
