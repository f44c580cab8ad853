"""The example configurations (deploy/examples/), every key of each daemon.

Each is the very text of its README section ("Collector configuration",
"Aggregator configuration"), so the two cannot drift apart; and each,
with its /etc/lnob and /var/lib/lnob paths pointed at this test's files
(the sample province and campaigns, fresh keys) and its ports at free
ones, passes `run -n`."""

import os

import lnobtest
from lnobtest import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "deploy", "examples")
SAMPLES = os.path.join(ROOT, "deploy", "samples")


def readme_block(heading):
    """The ```ini block after heading in README.md."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("```ini\n", text.index(heading)) + len("```ini\n")
    return text[start:text.index("```\n", start)]


class ExamplesTest(lnobtest.NetTestCase):

    def local(self, name, subs):
        """deploy/examples/name with subs applied, written here."""
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
            text = f.read()
        for old, new in subs:
            self.assertIn(old, text, "%s no longer holds %s" % (name, old))
            text = text.replace(old, new)
        path = self.net.path(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_examples_are_the_readme_and_pass_run_n(self):
        net = self.net
        for name, heading in (("collector.conf", "### Collector configuration (INI)"),
                              ("aggregator.conf", "### Aggregator configuration (INI)")):
            with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
                self.assertEqual(f.read(), readme_block(heading), name)
        agg_bin = os.environ["LNOB_AGGREGATOR"]
        col_bin = os.environ["LNOB_COLLECTOR"]
        net.keygen(agg_bin, "province", net.path("aggregator.key"))
        net.keygen(col_bin, "c-001", net.path("c-001.key"))
        host = "127.0.0.1"
        ports = {p: free_port(host) for p in (7700, 7701, 8080, 8090)}
        common = [("/etc/lnob/units.csv", os.path.join(SAMPLES, "province", "units.csv")),
                  ("/etc/lnob/daknong.ini", os.path.join(SAMPLES, "campaigns", "daknong.ini"))]
        agg_conf = self.local("aggregator.conf", common + [
            ("/etc/lnob/other.ini", os.path.join(SAMPLES, "campaigns", "vinhphuc.ini")),
            ("/etc/lnob/dhis2-mapping.ini", os.path.join(ROOT, "deploy", "adx", "dhis2-mapping.ini")),
            ("/etc/lnob/aggregator.key", net.path("aggregator.key")),
            ("/var/lib/lnob/aggregator", net.path("agg-data")),
            ("127.0.0.1:7700", "%s:%d" % (host, ports[7700])),
            ("127.0.0.1:8080", "%s:%d" % (host, ports[8080]))])
        col_conf = self.local("collector.conf", common + [
            ("/etc/lnob/aggregator.key.pub", net.path("aggregator.key.pub")),
            ("/etc/lnob/c-001.key", net.path("c-001.key")),
            ("/var/lib/lnob/collector", net.path("col-data")),
            ("tcp://127.0.0.1:7700", "tcp://%s:%d" % (host, ports[7700])),
            ("tcp://0.0.0.0:7701", "tcp://%s:%d" % (host, ports[7701])),
            ("127.0.0.1:8090", "%s:%d" % (host, ports[8090]))])
        for binary, conf in ((agg_bin, agg_conf), (col_bin, col_conf)):
            r = net.cli([binary, "run", "-c", conf, "-n"])
            self.assertEqual(r.out.strip(), "configuration OK", conf)


if __name__ == "__main__":
    lnobtest.main()
