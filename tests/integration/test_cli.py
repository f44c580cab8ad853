"""The command line of both daemons, one table (common/cli.h): every
subcommand answers --help with its own usage and exit 0, both binaries say
their --version (the CMake project version), and an unknown option, a
missing option argument, or an output format a command does not have (today
`rollup --csv`) is a usage error: exit 2, one line naming it, then the
command's usage on stderr, nothing on stdout."""

import os
import re

import lnobtest

COLLECTOR_CMDS = ["keygen", "submit", "nominate", "stage", "run", "status", "requeue",
                  "enroll", "revoke"]
AGGREGATOR_CMDS = ["keygen", "run", "enroll", "revoke", "rollup", "status", "verify",
                   "history", "conflicts", "nominations", "approve", "unapprove",
                   "approvals", "amendments", "accept", "reject", "export"]


def project_version():
    """The version of CMakeLists.txt's project()."""
    top = os.path.join(os.path.dirname(__file__), "..", "..", "CMakeLists.txt")
    with open(top) as f:
        m = re.search(r"project\(lnob VERSION ([0-9.]+)", f.read())
    assert m, "no project(lnob VERSION ...) in " + top
    return m.group(1)


class CliTest(lnobtest.NetTestCase):

    def assertUsageError(self, r, name, cmd, words):
        """Exit 2, nothing on stdout, one line naming what is wrong, then
        the usage of cmd."""
        argv = " ".join(r.args)
        self.assertEqual(r.returncode, 2, "%s: %s%s" % (argv, r.out, r.err))
        self.assertEqual(r.out, "", argv)
        lines = r.err.splitlines()
        self.assertTrue(lines and lines[0].startswith("%s %s: " % (name, cmd)), (argv, r.err))
        self.assertIn(words, lines[0], argv)
        self.assertTrue(len(lines) > 1 and lines[1].startswith("usage: %s %s" % (name, cmd)),
                        (argv, r.err))

    def check_binary(self, binary, name, cmds):
        net = self.net
        r = net.cli([binary, "--help"])
        listed = re.findall(r"^(?:usage:| +)\s*%s (\S+)" % re.escape(name), r.out, re.M)
        self.assertEqual(sorted(set(listed) - {"SUBCOMMAND", "--version"}), sorted(cmds), r.out)
        r = net.cli([binary, "--version"])
        self.assertEqual(r.out, "%s %s\n" % (name, project_version()))
        for cmd in cmds:
            r = net.cli([binary, cmd, "--help"])
            self.assertTrue(r.out.startswith("usage: %s %s" % (name, cmd)), (cmd, r.out))
            self.assertEqual(r.err, "", cmd)
            r = net.cli([binary, cmd, "-h"])
            self.assertTrue(r.out.startswith("usage: %s %s" % (name, cmd)), (cmd, r.out))
            r = net.cli([binary, cmd, "--no-such-option"], ok=False)
            self.assertUsageError(r, name, cmd, "unknown option --no-such-option")
        r = net.cli([binary, "status", "-c"], ok=False)
        self.assertUsageError(r, name, "status", "option -c needs an argument")
        r = net.cli([binary, "status", "-c", "x.conf", "--csv"], ok=False)
        self.assertUsageError(r, name, "status", "--csv")
        r = net.cli([binary, "no-such-command"], ok=False)
        self.assertEqual(r.returncode, 2, r.err)
        self.assertIn("unknown subcommand 'no-such-command'", r.err)
        r = net.cli([binary], ok=False)
        self.assertEqual(r.returncode, 2, r.err)

    def test_collector(self):
        self.check_binary(lnobtest.collector_bin(), "lnob-collector", COLLECTOR_CMDS)

    def test_aggregator(self):
        self.check_binary(lnobtest.aggregator_bin(), "lnob-aggregator", AGGREGATOR_CMDS)

    def test_rollup_csv_and_unknown_option(self):
        net = self.net
        agg = net.add_aggregator()
        keys = net.keygen(agg.bin, "c11", net.path("c11.key"))
        agg.enroll(keys.pub_path, "C11")           # the store exists
        rollup = ("rollup", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN, "--period",
                  lnobtest.PERIOD)
        table = net.cli(agg.cmd(*rollup)).out
        self.assertTrue(table)
        r = net.cli(agg.cmd(*rollup, "--csv"), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "--csv")
        r = net.cli(agg.cmd(*rollup, "--cvs"), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "unknown option --cvs")
        r = net.cli(agg.cmd(*rollup, "--json", "--csv"), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "--json and --csv")
        r = net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "--period P is required")
        c = net.add_collector("c12-office", "C12", enroll=False)
        r = net.cli(c.cmd("status", "-c", c.conf, "--campaign", "x"), ok=False)
        self.assertUsageError(r, "lnob-collector", "status", "unknown option --campaign")


if __name__ == "__main__":
    lnobtest.main()
