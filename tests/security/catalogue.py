"""catalogue: the machinery of the bad-input catalogue (test_catalogue.py).

An Entry is one bad input: its name, where it is fed (wire, file, config,
store), what is fed, the named reason it must be refused with, and a feed
function that feeds it and checks that reason. The World holds the real
daemons on 127.x.y.z (lnobtest's Net): an aggregator with a campaign file,
a crafted client enrolled for D1, and an offline collector for C11. For
every entry run_entry() checks, besides the entry's own reason:

- nothing stored or half written: the aggregator's envelope, report and
  quarantine counts and the collector's outbox (queued, next_seq, parked)
  are unchanged unless the entry names the change, and no file appeared
  in the watched directories (the stores, the inputs but the entry's own);
- the daemons are still running (lnobtest checks them on every wait) and
  answer a good client: a good envelope acked and stored (wire, config),
  a good submit queued (file), or the entry's own probe (store).
"""

import os
import unittest

import lnobtest
from lnobtest import CAMPAIGN_INI, nack_reason_name, report_body, sign_envelope

KIND_REPORT = 1
MAX_BODY = 8192
PROBE_UNIT = "V11-0001"          # crafted probes: in D1, the crafted key's scope
SUBMIT_UNIT = "V11-0002"         # the collector's probes: in C11, its scope


def values_for(n):
    """Figures of a good report, different for each n."""
    return {"households_total": 400 + n, "poor_households": 30 + n % 7,
            "near_poor_households": 12, "fund_vnd": 1_000_000 * (n % 50)}


class Entry:
    """One bad input of the catalogue. feed(world) feeds it, checks the
    named reason and returns what was observed (one line). probe(world),
    when given, replaces the default check of a good client after it;
    deltas names the snapshot figures the entry changes on purpose
    (e.g. {"quarantined": 1})."""

    def __init__(self, name, where, fed, reason, feed, probe=None, deltas=None):
        assert where in ("wire", "file", "config", "store"), where
        self.name, self.where, self.fed, self.reason = name, where, fed, reason
        self.feed, self.probe, self.deltas = feed, probe, deltas or {}
        self.result = None
        self.ok = None


class World:
    """The daemons and helpers the entries share."""

    def __init__(self, test):
        self.test = test
        net = self.net = test.net
        agg = self.agg = net.add_campaign_aggregator(CAMPAIGN_INI, max_body=MAX_BODY)
        self.keys = net.keygen(agg.bin, "crafta", net.path("crafta.key"))
        agg.enroll(self.keys.pub_path, "D1")
        self.revoked = net.keygen(agg.bin, "revoked1", net.path("revoked1.key"))
        agg.enroll(self.revoked.pub_path, "D1")
        agg.revoke("revoked1")
        self.sk = self.keys.signing_key()
        self.col = net.add_collector("c11-office", "C11")
        self.inputs = net.path("inputs")
        os.makedirs(self.inputs)
        self.alt = net.path("alt")   # second configurations' data_dirs
        os.makedirs(self.alt)
        self.made = set()            # input files the entries wrote
        self.watched = [agg.data_dir, self.col.data_dir, self.inputs, self.alt]
        self.seq = 0
        self.probes = 0
        agg.start()
        self.client = lnobtest.CraftedClient(net, self.keys)
        self.client.handshake()
        self.probe_submit()          # the collector's outbox exists from here on

    def close(self):
        self.client.close()

    # -- inputs ------------------------------------------------------------

    def write_input(self, name, data, sub=None):
        """Writes data (str or bytes) as inputs/[sub/]name; returns its path."""
        d = os.path.join(self.inputs, sub) if sub else self.inputs
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        self.made.add(path)
        return path

    def next_seq(self):
        self.seq += 1
        return self.seq

    def envelope(self, body, kind=KIND_REPORT, seq=None, keys=None, signer="crafta"):
        """(envelope bytes, (signer, seq)) signed with keys (default crafta)."""
        seq = self.next_seq() if seq is None else seq
        sk = (keys or self.keys).signing_key() if keys else self.sk
        return sign_envelope(sk, signer, seq, kind, body), (signer, seq)

    # -- expectations -------------------------------------------------------

    def counter_name(self, reason):
        return "quarantined" if reason == "seq_reused" else "rejected_" + reason

    def nacked(self, data, reason, key, words=(), counter=None):
        """Sends the frame data; expects a final NACK reason naming key
        (signer, seq), or any first NACK when key is None (a frame that
        does not decode), whose detail holds every word; waits until the
        refusal is counted. Returns the observed text."""
        _, k0 = self.agg.counters()
        kind, ans = self.client.exchange(data, *(key or (None, None)))
        t = self.test
        t.assertEqual(kind, "nack", "expected NACK %s for %r, got %s %r" % (reason, key, kind, ans))
        t.assertEqual(nack_reason_name(ans.reason), reason, ans)
        t.assertFalse(ans.retryable, "a %s NACK must not be retryable: %r" % (reason, ans))
        if key is not None:
            t.assertEqual((ans.signer, ans.seq), key, "the NACK must name the envelope: %r" % ans)
        for w in words:
            t.assertIn(w, ans.detail, "the NACK's detail must name the place")
        name = counter or self.counter_name(reason)
        self.agg.wait_status(lambda st, k: k[name] == k0[name] + 1, "%s counted once" % name)
        return "NACK %s%s: %s" % (reason, "" if key else " (no signer/seq)", ans.detail)

    def refused(self, argv, words, status=1, binary=None):
        """Runs a CLI call that must exit status with every word on stderr.
        Returns 'exit N: <stderr's first line>'."""
        r = self.net.cli(argv, ok=False)
        t = self.test
        t.assertEqual(r.returncode, status, "%s: %s%s" % (argv, r.out, r.err))
        for w in words:
            t.assertIn(w, r.err, "%s: stderr must say %r" % (argv[1:3], w))
        first = r.err.strip().splitlines()[0] if r.err.strip() else ""
        for prefix in ("lnob-collector: ", "lnob-aggregator: "):
            if first.startswith(prefix):
                first = first[len(prefix):]
        return "exit %d: %s" % (r.returncode, first.replace(self.net.tmp + "/", ""))

    def submit_refused(self, path, *words, cmd="submit"):
        """`submit` (or `nominate`) of path must exit 1 naming the path,
        every word, and that nothing was queued."""
        return self.refused(self.col.cmd(cmd, "-c", self.col.conf, path),
                            (path,) + words + ("nothing queued",))

    # -- snapshots and probes ----------------------------------------------

    def files(self):
        out = set()
        for top in self.watched:
            for d, _, names in os.walk(top):
                out.update(os.path.join(d, n) for n in names)
        return out - self.made

    def snapshot(self):
        st = self.agg.status()
        cs = self.col.status()
        return {"envelopes": st["envelopes"], "reports": st["reports"],
                "quarantined": st["quarantined"], "queued": cs["queued"],
                "next_seq": cs["next_seq"], "parked": cs["parked"], "files": self.files()}

    def probe_aggregator(self):
        """A good envelope is acked and stored."""
        st0 = self.agg.status()
        self.probes += 1
        body = report_body(PROBE_UNIT, values_for(self.probes), revision=self.probes)
        env, key = self.envelope(body)
        kind, ans = self.client.send_envelope(env)
        self.test.assertEqual(kind, "ack", "the good envelope after it: %r" % ans)
        self.agg.wait_status(lambda st, k: st["envelopes"] == st0["envelopes"] + 1,
                             "the good envelope stored")
        return "good envelope acked"

    def probe_submit(self):
        """A good report file is queued."""
        st0 = self.col.status() if self.probes else {"queued": 0}
        self.probes += 1
        path = os.path.join(self.inputs, "good-%d.csv" % self.probes)
        lnobtest.write_reports_csv(path, [{"unit": SUBMIT_UNIT, "revision": self.probes,
                                           "values": values_for(self.probes)}])
        self.made.add(path)
        self.test.assertIn("queued 1 reports", self.col.submit(path).out)
        st1 = self.col.status()
        self.test.assertEqual(st1["queued"], st0["queued"] + 1, st1)
        return "good submit queued"


def run_entry(w, e):
    """Runs entry e in world w: feed, the unchanged stores, the good
    client. Sets e.ok and e.result; never raises (a daemon gone fails this
    entry and the ones after it)."""
    try:
        before = w.snapshot()
        seen = e.feed(w)
        after = w.snapshot()
        for k in ("envelopes", "reports", "quarantined", "queued", "next_seq", "parked"):
            w.test.assertEqual(after[k] - before[k], e.deltas.get(k, 0),
                               "%s: %s went %s -> %s" % (e.name, k, before[k], after[k]))
        stray = sorted(after["files"] - before["files"])
        w.test.assertEqual(stray, [], "%s: files appeared" % e.name)
        probe = e.probe or {"file": World.probe_submit}.get(e.where, World.probe_aggregator)
        alive = probe(w)
        e.ok = True
        kept = ("nothing stored" if not e.deltas else "nothing else stored (%s)" % ", ".join(
            "%s %+d" % kv for kv in sorted(e.deltas.items())))
        e.result = "%s; %s; %s" % (seen, kept, alive)
    except unittest.SkipTest as s:
        e.ok = True
        e.result = "SKIPPED: %s" % s
    except Exception as x:          # recorded; the next entries still run
        e.ok = False
        e.result = "FAILED: %s: %s" % (type(x).__name__, str(x).replace("\n", " ")[:600])


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(entries):
    """The catalogue as a Markdown table."""
    rows = ["| # | name | where | input | reason | result |",
            "|---|---|---|---|---|---|"]
    for i, e in enumerate(entries, 1):
        rows.append("| %d | %s | %s | %s | %s | %s |" % (
            i, cell(e.name), e.where, cell(e.fed), cell(e.reason), cell(e.result)))
    return "\n".join(rows) + "\n"
