"""The Debian package (README "The Debian package"): `cpack -G DEB` in the
build directory makes lnob_<version>_<arch>.deb holding both binaries,
their systemd units, man pages and example configurations; extracted, each
binary runs --version and each man page renders. Where the test runs as
root with dpkg on a machine without lnob (CI; LNOB_NO_DPKG=1 prevents
it), the package is installed with `dpkg -i` (its postinst makes the lnob
user), run and its man page opened, and purged again."""

import os
import shutil
import subprocess

import lnobtest

BUILD = os.path.dirname(os.path.dirname(os.environ["LNOB_AGGREGATOR"]))
WANT = ["./usr/bin/lnob-aggregator", "./usr/bin/lnob-aggregator-full", "./usr/bin/lnob-collector",
        "./usr/lib/systemd/system/lnob-aggregator.service",
        "./usr/lib/systemd/system/lnob-collector.service",
        "./usr/share/man/man1/lnob-aggregator.1", "./usr/share/man/man1/lnob-collector.1",
        "./usr/share/doc/lnob/examples/aggregator.conf",
        "./usr/share/doc/lnob/examples/collector.conf", "./usr/share/doc/lnob/README.md"]


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)


class PackageTest(lnobtest.NetTestCase):

    def test_deb(self):
        net = self.net
        out = net.path("pkg")
        r = run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                 "-B", out], cwd=BUILD)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")]
        self.assertEqual(len(debs), 1, debs)
        deb = os.path.join(out, debs[0])
        self.assertTrue(debs[0].startswith("lnob_0.1.0_"), debs[0])
        listing = run(["dpkg-deb", "-c", deb]).stdout
        names = [line.split()[-1] for line in listing.splitlines()]
        for want in WANT:
            self.assertIn(want, names)
        info = run(["dpkg-deb", "-I", deb]).stdout
        self.assertIn("Depends: ", info)
        self.assertIn("postinst", info)
        root = net.path("root")
        self.assertEqual(run(["dpkg-deb", "-x", deb, root]).returncode, 0)
        for prog in ("lnob-aggregator", "lnob-collector"):
            r = run([os.path.join(root, "usr", "bin", prog), "--version"])
            self.assertEqual((r.returncode, r.stdout.strip()), (0, "%s 0.1.0" % prog))
            if prog == "lnob-aggregator":
                # `run` is handed to lnob-aggregator-full beside it (README "Two programs").
                r = run([os.path.join(root, "usr", "bin", prog), "run", "-h"])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("usage: lnob-aggregator run -c CONF", r.stdout)
            page = os.path.join(root, "usr", "share", "man", "man1", prog + ".1")
            if shutil.which("groff"):
                r = run(["groff", "-man", "-Tutf8", "-ww", page])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "", prog)
                self.assertIn(prog, r.stdout)
        # Installed for real only on a machine that has no lnob (CI's).
        if (os.geteuid() == 0 and shutil.which("dpkg") and not os.environ.get("LNOB_NO_DPKG")
                and run(["dpkg", "-s", "lnob"]).returncode != 0
                and not os.path.exists("/usr/bin/lnob-aggregator")):
            self.install(deb)

    def install(self, deb):
        """dpkg -i, the binaries and the man page from the system, purge."""
        self.addCleanup(run, ["dpkg", "--purge", "lnob"])
        r = run(["dpkg", "-i", deb])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(run(["/usr/bin/lnob-aggregator", "--version"]).stdout.strip(),
                         "lnob-aggregator 0.1.0")
        self.assertEqual(run(["getent", "passwd", "lnob"]).returncode, 0)
        if shutil.which("man"):
            r = run(["man", "-P", "cat", "lnob-aggregator"], env=dict(os.environ, MANPAGER="cat"))
            self.assertIn("lnob-aggregator", r.stdout, r.stderr)


if __name__ == "__main__":
    lnobtest.main()
