"""The command line of both daemons, one table (common/cli.h): every
subcommand answers --help with its own usage and exit 0, both binaries say
their --version (the CMake project version), and an unknown option, a
missing option argument, or an output format a command does not have (today
`rollup --csv`) is a usage error: exit 2, one line naming it, then the
command's usage on stderr, nothing on stdout. Units are named by code or
by name with or without diacritics (a miss suggests the nearest, an
ambiguous name lists the candidates); an unknown campaign or period lists
the known ids; a command given --campaign C checks only C's campaign file;
tables show late and missing units with their parent and times with their
offset."""

import json
import os
import re

import lnobtest

COLLECTOR_CMDS = ["keygen", "submit", "nominate", "stage", "run", "status", "requeue", "dismiss",
                  "enroll", "pubkey", "revoke"]
AGGREGATOR_CMDS = ["keygen", "run", "enroll", "revoke", "rollup", "status", "verify",
                   "history", "conflicts", "nominations", "approve", "unapprove",
                   "approvals", "amendments", "accept", "reject", "export",
                   "fleet"]
AGGREGATOR_CMDS += ["token"]          # the HTTP API's tokens (api)
AGGREGATOR_CMDS += ["pubkey"]         # the metadata's signing key (meta)
COLLECTOR_CMDS += ["template"]        # the Excel reporting template (xlsx)
AGGREGATOR_CMDS += ["request"]        # ad-hoc (đột xuất) requests
AGGREGATOR_CMDS += ["backup", "restore"]   # backups of the store
AGGREGATOR_CMDS += ["baseline"]       # baselines from DHIS2 (interop)
AGGREGATOR_CMDS += ["national"]       # the national tier's feed, on demand
AGGREGATOR_CMDS += ["hierarchy"]      # the hierarchy's versions (hierversions)
COLLECTOR_CMDS += ["requests"]        # the ad-hoc requests held
COLLECTOR_CMDS += ["backup", "restore"]    # backups of the outbox
COLLECTOR_CMDS += ["households"]      # the household register


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
        # --csv is the export's summary: it needs the campaign's file.
        r = net.cli(agg.cmd(*rollup, "--csv"), ok=False)
        self.assertEqual(r.returncode, 1, r.err)
        self.assertIn("no campaign is configured", r.err)
        self.assertEqual(r.out, "", "nothing half-written")
        r = net.cli(agg.cmd(*rollup, "--cvs"), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "unknown option --cvs")
        r = net.cli(agg.cmd(*rollup, "--json", "--csv"), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "--json and --csv")
        r = net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN), ok=False)
        self.assertUsageError(r, "lnob-aggregator", "rollup", "--period P is required")
        c = net.add_collector("c12-office", "C12", enroll=False)
        r = net.cli(c.cmd("status", "-c", c.conf, "--campaign", "x"), ok=False)
        self.assertUsageError(r, "lnob-collector", "status", "unknown option --campaign")


# Vietnamese names for lnobtest's small province (the villages keep theirs).
VI_NAMES = {"P": "Tỉnh Lào Cai", "D1": "Huyện Mường Khương", "D2": "Huyện Bắc Hà",
            "C11": "Thị trấn Mường Khương", "C12": "Xã Pha Long", "C21": "Xã Đồng Tâm",
            "C22": "XÃ BẢN PHỐ"}

CAMPAIGN_INI = """\
[campaign]
id            = lnob-2021-2025
name          = Giảm nghèo (test)
start         = 2021-01-01
end           = 2025-12-31
baseline_date = 2020-12-31
levels        = province, district, commune, village

[indicators]
households_total = count
poor_households  = count
poor_rate        = rate poor_households / households_total

[deadlines]
commune = before 12-01

""" + "".join("[period %d]\nkind = year\nstart = %d-01-01\nend = %d-12-31\n\n"
                   % (y, y, y) for y in range(2021, 2026))


class NamesTest(lnobtest.NetTestCase):

    def fails(self, *argv):
        """Runs the aggregator with argv: exit 1 and the message."""
        r = self.net.cli(self.agg.cmd(*argv), ok=False)
        self.assertEqual(r.returncode, 1, "%s: %s%s" % (" ".join(argv), r.out, r.err))
        self.assertEqual(r.out, "")
        return r.err

    def rollup(self, *more):
        return json.loads(self.net.cli(self.agg.cmd(
            "rollup", "-c", self.agg.conf, "--campaign", lnobtest.CAMPAIGN, "--period",
            lnobtest.PERIOD, "--json", *more)).out)

    def test_fifo_and_device_files_refused_at_once(self):
        """A FIFO given as a report or nomination file is refused at once
        (it used to wait forever for a writer), a device too."""
        net = self.net
        net.add_aggregator()
        coll = net.add_collector("c11-office", "C11")
        fifo = net.path("reports.csv")
        os.mkfifo(fifo)
        for argv in (("submit", fifo), ("submit", "/dev/zero"), ("nominate", fifo)):
            r = net.cli(coll.cmd(argv[0], "-c", coll.conf, *argv[1:]), ok=False, timeout=20)
            self.assertEqual(r.returncode, 1, argv)
            self.assertIn("not a regular file (a FIFO, a device or a socket)", r.err, argv)
        self.assertEqual(coll.status()["queued"], 0)

    def test_names_and_ids(self):
        net = self.net
        net.hier.rows = [(c, VI_NAMES.get(c, n), p, lv, k) for c, n, p, lv, k in net.hier.rows]
        net.hier.name.update(VI_NAMES)
        net.hier.write(net.hier_path)
        self.agg = agg = net.add_campaign_aggregator(CAMPAIGN_INI)
        keys = net.keygen(agg.bin, "c11", net.path("c11.key"))
        agg.enroll(keys.pub_path, "thi tran muong khuong")      # --scope by its name
        self.assertEqual([n["scope"] for n in agg.status()["nodes"]], ["C11"])

        # --unit: a code in any case, a name with or without diacritics.
        for text, code in (("D1", "D1"), ("d1", "D1"), ("Huyện Mường Khương", "D1"),
                           ("huyen muong khuong", "D1"), ("HUYỆN BẮC HÀ", "D2"),
                           ("bac ha", "D2"), ("xa ban pho", "C22"), ("dong tam", "C21"),
                           ("Đồng Tâm", "C21")):
            self.assertEqual(self.rollup("--unit", text)["unit"]["code"], code, text)
        err = self.fails("rollup", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN,
                         "--period", lnobtest.PERIOD, "--unit", "muong khuong")
        self.assertIn("rollup: --unit: 'muong khuong' names 2 units: D1 Huyện Mường Khương "
                      "(district), C11 Thị trấn Mường Khương (commune); name one by its code",
                      err)
        err = self.fails("rollup", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN,
                         "--period", lnobtest.PERIOD, "--unit", "huyen muong khoung")
        self.assertIn("rollup: --unit: 'huyen muong khoung' is no unit's code or name; "
                      "did you mean: D1 Huyện Mường Khương", err)
        v = json.loads(net.cli(agg.cmd("nominations", "-c", agg.conf, "--campaign",
                                       lnobtest.CAMPAIGN, "--unit", "bac ha", "--json")).out)
        self.assertEqual(v["unit"]["code"], "D2")

        # An unknown period or campaign lists the known ids, in every command.
        known = "is not a period of campaign %s (2021, 2022, 2023, 2024, 2025)" % lnobtest.CAMPAIGN
        for cmd, popt in (("rollup", "--period"), ("history", "--period"),
                          ("approve", "--period"), ("nominations", "--occasion")):
            argv = [cmd, "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN, popt, "2030"]
            if cmd in ("history", "approve"):
                argv += ["--unit", "C11"]
            if cmd == "approve":
                argv += ["--by", "operator"]
            err = self.fails(*argv)
            self.assertIn("%s '2030' %s" % (popt, known), err)
        err = self.fails("rollup", "-c", agg.conf, "--campaign", "other", "--period", "2023")
        self.assertIn("rollup: --campaign 'other' is not a configured campaign (%s)"
                      % lnobtest.CAMPAIGN, err)

        # Missing units by name with their parent, in JSON and in the table;
        # times with the campaign's offset.
        v = self.rollup()
        communes = [g for g in v["completeness"]["levels"] if g["level"] == "commune"][0]
        self.assertEqual([(u["code"], u["parent"], u["parent_name"])
                          for u in communes["missing_units"]],
                         [("C11", "D1", "Huyện Mường Khương"), ("C12", "D1", "Huyện Mường Khương"),
                          ("C21", "D2", "Huyện Bắc Hà"), ("C22", "D2", "Huyện Bắc Hà")])
        table = net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", lnobtest.CAMPAIGN,
                                "--period", lnobtest.PERIOD)).out
        self.assertIn("times in UTC+07:00", table)
        self.assertIn("2023-12-01 00:00 +07:00", table)
        self.assertRegex(table, r"C21 Xã Đồng Tâm +D2 Huyện Bắc Hà")
        self.assertNotIn("more (--json lists all)", table)

    def test_only_the_campaign_asked_for(self):
        """With --campaign C a command loads and checks only C's file: another
        file's broken target fails `run -n` and the commands without
        --campaign (or asking for it, or for an id no file has), not them."""
        net = self.net
        with open(net.path("campaign.ini"), "w") as f:
            f.write(CAMPAIGN_INI)
        with open(net.path("broken.ini"), "w") as f:
            f.write(CAMPAIGN_INI.replace("lnob-2021-2025", "broken") +
                    "[target t]\nlevels = commune\nindicator = nobody\ndown_points = 3\n")
        self.agg = agg = net.add_aggregator(
            extra_conf="\n[campaign]\nfiles = campaign.ini, broken.ini\n")
        keys = net.keygen(agg.bin, "c11", net.path("c11.key"))
        agg.enroll(keys.pub_path, "C11")           # the store exists
        c = ("-c", agg.conf, "--campaign", lnobtest.CAMPAIGN)
        for argv in (("rollup", *c, "--period", "2023", "--json"),
                     ("history", *c, "--period", "2023", "--unit", "C11", "--json"),
                     ("nominations", *c, "--json"), ("amendments", *c, "--json"),
                     ("request", "list", *c, "--json"),
                     ("export", *c, "--period", "2023", "--format", "csv", "--output",
                      net.path("summary.csv"))):
            net.cli(agg.cmd(*argv))
        broken = "broken.ini:44: [target t] indicator: unknown indicator 'nobody'"
        for argv in (("run", "-c", agg.conf, "-n"), ("amendments", "-c", agg.conf),
                     ("request", "list", "-c", agg.conf), ("conflicts", "-c", agg.conf),
                     ("rollup", "-c", agg.conf, "--campaign", "broken", "--period", "2023"),
                     ("rollup", "-c", agg.conf, "--campaign", "nope", "--period", "2023")):
            self.assertIn(broken, self.fails(*argv), argv)


if __name__ == "__main__":
    lnobtest.main()
