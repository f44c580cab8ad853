"""The bad-input catalogue (label security): at least 30 named bad inputs,
on the wire, in files, in configurations and in stores, each refused with
its named reason (a NACK reason of proto NackReason, or the CLI's exit
status and a message naming the file and the place), nothing stored or
half written, and the daemons still answering a good client after each
(catalogue.py says how each is checked; catalogue_wire.py,
catalogue_files.py and catalogue_local.py hold the entries).

At the end the catalogue is printed as a Markdown table (name | where |
input | reason | result) to stderr, and written to $LNOB_CATALOGUE_OUT
when that is set. Every entry runs even when one fails; the test then
fails naming each failed entry."""

import os
import sys
import time

import catalogue
import catalogue_files
import catalogue_local
import catalogue_wire
import lnobtest

ENTRIES = catalogue_wire.ENTRIES + catalogue_files.ENTRIES + catalogue_local.ENTRIES

# The list, each item with the entries that cover it.
COVERS = {
    "truncated frames": ["truncated frame", "truncated envelope"],
    "oversize frames and bodies": ["oversize frame", "oversize body"],
    "wrong field types": ["wrong wire type (envelope)", "wrong wire type (count)",
                          "wrong field type (JSON)"],
    "bad signatures": ["bad signature"],
    "unknown and revoked keys": ["unknown signer", "unknown CURVE key", "revoked signer"],
    "out-of-scope units": ["out-of-scope unit"],
    "replays": ["replay"],
    "seq reuse from a copied outbox": ["seq reuse from a copied outbox"],
    "negative and 2^63 counts": ["negative count", "count 2^63", "count 2^63 (CSV)",
                                 "count 2^63 (JSON)"],
    "floats and strings where counts go": ["float where a count goes (JSON)",
                                           "string where a count goes (JSON)"],
    "duplicate JSON keys": ["duplicate JSON keys"],
    "10,000-deep JSON": ["10,000-deep JSON"],
    "a 200 MB file": ["200 MB file"],
    "bad dates and time zones": ["bad date", "bad time zone", "bad date (campaign)",
                                 "bad time zone (campaign)"],
    "cyclic and two-rooted hierarchies": ["cyclic hierarchy", "two-rooted hierarchy"],
    "duplicate unit codes": ["duplicate unit code"],
    "bad UTF-8 and NUL bytes": ["bad UTF-8 on the wire", "bad UTF-8 (CSV)", "NUL in a narrative",
                                "NUL in JSON text"],
    "a dossier file that is a symlink, a device, a FIFO or outside": [
        "dossier file: symlink", "dossier file: device", "dossier file: FIFO",
        "dossier file: outside (..)"],
    "a NUL inside a CSV cell": ["NUL inside a CSV cell"],
    "overlapping periods of one kind": ["overlapping periods"],
    "an upstream NACK whose detail is not UTF-8": ["upstream NACK detail not UTF-8"],
    "a world-readable key": ["world-readable key"],
    "a store directory writable by others": ["store directory writable by others"],
    "a full disk": ["full disk"],
}


class CatalogueTest(lnobtest.NetTestCase):

    def test_catalogue(self):
        names = [e.name for e in ENTRIES]
        self.assertEqual(len(names), len(set(names)), "entry names must be unique")
        self.assertGreaterEqual(len(ENTRIES), 30)
        for item, covering in COVERS.items():
            for n in covering:
                self.assertIn(n, names, "%s: no entry %r" % (item, n))
        world = catalogue.World(self)
        t0 = time.monotonic()
        try:
            for e in ENTRIES:
                t = time.monotonic()
                catalogue.run_entry(world, e)
                sys.stderr.write("catalogue: %-40s %5.1fs %s\n"
                                 % (e.name, time.monotonic() - t, "ok" if e.ok else e.result))
        finally:
            world.close()
        text = catalogue.table(ENTRIES)
        sys.stderr.write("\n%s\n%d entries in %.0f s\n" % (text, len(ENTRIES),
                                                         time.monotonic() - t0))
        out = os.environ.get("LNOB_CATALOGUE_OUT")
        if out:
            with open(out, "w") as f:
                f.write(text)
        failed = ["%s: %s" % (e.name, e.result) for e in ENTRIES if not e.ok]
        self.assertEqual(failed, [], "%d of %d entries failed:\n%s"
                         % (len(failed), len(ENTRIES), "\n".join(failed)))


if __name__ == "__main__":
    lnobtest.main()
