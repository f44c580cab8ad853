"""Damaged store files are refused at start, never "repaired".

The aggregator's data.mdb and a collector outbox's data.mdb (holding queued
reports) are damaged in three ways: both meta pages overwritten, the file
cut to half its length, the file cut below its two meta pages. Each time the
daemon (`run`) and the read-only CLI (`status`) exit non-zero with an error
that names the file and says it is damaged or truncated, and the file is
byte for byte what it was. Put back from the copy ("restore it from a
backup"), the network delivers the queued reports as if nothing happened."""

import hashlib
import os
import random
import shutil
import subprocess

import faultlib
import lnobtest
from faultlib import say

PAGE = 4096
RUN_TIMEOUT = 30            # a daemon that wrongly starts is killed after this


def damage_meta(data):
    """Both meta pages: their header and magic replaced by junk."""
    b = bytearray(data)
    for page in (0, 1):
        off = page * PAGE
        b[off:off + 64] = b"\xa5" * 64
    return bytes(b)


def damage_truncate_half(data):
    return data[:(len(data) // 2) // PAGE * PAGE]


def damage_truncate_small(data):
    return data[:1000]


DAMAGES = (("meta pages overwritten", damage_meta, ("damaged", "not an LMDB file")),
           ("cut to half", damage_truncate_half, ("truncated",)),
           ("cut below its meta pages", damage_truncate_small, ("truncated",)))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest(), os.path.getsize(path)


class CorruptTest(lnobtest.NetTestCase):

    def run_cli(self, argv):
        """Runs argv (bounded); returns (exit status, stderr)."""
        try:
            r = self.net.cli(argv, ok=False, timeout=RUN_TIMEOUT)
        except lnobtest.CliError as e:
            raise AssertionError("%s kept running on a damaged store: %s"
                                 % (" ".join(argv), e)) from e
        return r.returncode, r.err

    def check_refused(self, path, commands, damage, words):
        """Damages path, runs each command, checks each refused it and left
        the file as damaged, byte for byte."""
        name, fn, _ = damage
        with open(path + ".orig", "rb") as f:
            orig = f.read()
        with open(path, "wb") as f:
            f.write(fn(orig))
        before = sha(path)
        for argv in commands:
            code, err = self.run_cli(argv)
            what = "%s on %s (%s)" % (" ".join(argv[:2]), path, name)
            self.assertGreater(code, 0, "%s: exit %d, stderr %r" % (what, code, err))
            self.assertIn(path, err, "%s: the error does not name the file" % what)
            self.assertTrue(any(w in err for w in words),
                            "%s: the error says neither of %r: %r" % (what, words, err))
            self.assertIn("backup", err, "%s: no advice: %r" % (what, err))
            self.assertEqual(sha(path), before, "%s: the file was changed" % what)
        return err.strip().splitlines()[-1]

    def test_damaged_stores_refused_untouched(self):
        net = self.net
        rng = random.Random(77)
        agg = net.add_aggregator()
        c = net.add_collector("d1-office", "D1")
        units = faultlib.units_below(self.hier, "D1")
        stream = faultlib.Stream(net, c, units, 40, rng)
        agg.start()
        c.start()
        stream.submit_next(20)
        c.wait_drained()
        agg.stop()
        c.stop()
        stream.submit_next(20)                  # queued: the outbox holds work
        self.assertEqual(c.status()["queued"], 20)

        stores = (("aggregator", os.path.join(agg.data_dir, "data.mdb"),
                   [agg.cmd("run", "-c", agg.conf), agg.cmd("status", "-c", agg.conf)]),
                  ("collector", os.path.join(c.data_dir, "data.mdb"),
                   [c.cmd("run", "-c", c.conf), c.cmd("status", "-c", c.conf)]))
        for _, path, _ in stores:
            shutil.copyfile(path, path + ".orig")
        samples = []
        for who, path, commands in stores:
            for damage in DAMAGES:
                samples.append(self.check_refused(path, commands, damage, damage[2]))
            shutil.copyfile(path + ".orig", path)   # restored from the backup

        # Restored, everything works and the queued reports arrive once.
        agg.start()
        c.start()
        faultlib.check_exactly_once(self, agg, [c], stream.reports, timeout=120)
        say("corrupt: %d damaged stores refused untouched, e.g. %r"
            % (len(samples), samples[0]))


if __name__ == "__main__":
    lnobtest.main()
