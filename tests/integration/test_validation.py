"""The aggregator validates every field it stores, whatever a collector
checked. Signed envelopes built by the harness's independent client go
straight to a running aggregator (no collector in between):

- a report completed at 2^63-1 (once stored, a later rollup of the root
  overflowed), or just outside 2000-01-01 .. 2100-12-31 UTC, and a report
  whose narrative is not UTF-8 (once acked, counted and missing from
  `history`) are refused NACK_INVALID with a detail naming the field, not
  retryable, and nothing of them is stored;
- a nomination proposed at 2^63-1 or whose nominee_name is not UTF-8 is
  refused the same way;
- after them good reports (one at each end of the range) are acked: the
  daemon is alive, `rollup` (JSON and table) of the root works and counts
  only them, `history` shows the narrative, `verify` agrees;
- an aggregator whose hierarchy CSV holds a unit name that is not UTF-8
  refuses to start (`run -n` and `run`), and `rollup` refuses to run, with
  an error naming the file, the line and the field;
- an aggregator configuration with an empty `[node] identity`, `[node]
  data_dir` or `[hierarchy] file` is refused by `run -n`, `[node] data_dir:
  empty` with the file and the line (fuzz_conf found an empty data_dir
  taken; the collector refused its own already).
"""

import hashlib
import json

import lnobtest
from lnobtest import CAMPAIGN, CAMPAIGN_INI, PERIOD, CraftedClient, nack_reason_name, pb, \
    replace_once, report_body, sign_envelope

KIND_REPORT = 1
KIND_NOMINATION = 2
VALUES = {"households_total": 400, "poor_households": 30, "near_poor_households": 12,
          "fund_vnd": 75_000_000}
INT64_MAX = 2**63 - 1
TIME_MIN, TIME_MAX = 946684800, 4133980799      # 2000-01-01T00:00:00Z, 2100-12-31T23:59:59Z


class ValidationTest(lnobtest.NetTestCase):

    def setUp(self):
        super().setUp()
        net = self.net
        self.agg = net.add_campaign_aggregator(CAMPAIGN_INI, "clock_skew_s = 900\n")
        self.keys = net.keygen(self.agg.bin, "crafta", net.path("crafta.key"))
        self.agg.enroll(self.keys.pub_path, "P")
        self.sk = self.keys.signing_key()

    def send(self, cl, seq, kind, body):
        return cl.send_envelope(sign_envelope(self.sk, "crafta", seq, kind, body))

    def expect_invalid(self, cl, seq, kind, body, field):
        """Sends body; expects a non-retryable NACK_INVALID for (crafta,
        seq) whose detail starts with field. Returns the detail."""
        k, ans = self.send(cl, seq, kind, body)
        self.assertEqual(k, "nack", "seq %d: expected NACK invalid (%s), got %r" % (seq, field, ans))
        self.assertEqual(nack_reason_name(ans.reason), "invalid", ans)
        self.assertFalse(ans.retryable, ans)
        self.assertEqual((ans.signer, ans.seq), ("crafta", seq), ans)
        self.assertTrue(ans.detail.startswith(field + ":"),
                        "detail %r does not name %s" % (ans.detail, field))
        return ans.detail

    def history(self, unit):
        r = self.net.cli(self.agg.cmd("history", "-c", self.agg.conf, "--campaign", CAMPAIGN,
                                      "--period", PERIOD, "--unit", unit, "--json"))
        return json.loads(r.out)

    def nomination(self, nid, proposed_at, nominee_name="Ấp Tân Hưng"):
        m = pb()
        n = m.Nomination(campaign=CAMPAIGN, id=nid, nominee_kind=m.NOMINEE_COLLECTIVE,
                         nominee_name=nominee_name, unit="V11-0001", form=m.AWARD_GIAY_KHEN,
                         occasion=PERIOD, summary="Vượt 12 % chỉ tiêu giảm nghèo",
                         proposed_at=proposed_at)
        data = "Tờ trình %s\n" % nid
        n.dossier.add(kind=m.DOCUMENT_PROPOSAL, title="Tờ trình", size=len(data.encode()),
                      sha256=hashlib.sha256(data.encode()).digest())
        return n.SerializeToString()

    def test_refused_fields_then_alive(self):
        net, agg = self.net, self.agg
        agg.start()
        with CraftedClient(net, self.keys) as cl:
            cl.handshake()
            st0, k0 = agg.counters()

            # completed_at: 2^63-1, and one second outside each end.
            d = self.expect_invalid(cl, 1, KIND_REPORT,
                                    report_body("V11-0001", VALUES, completed_at=INT64_MAX),
                                    "completed_at")
            self.assertIn(str(INT64_MAX), d)
            self.assertIn("2000-01-01 .. 2100-12-31", d)
            self.expect_invalid(cl, 2, KIND_REPORT,
                                report_body("V11-0001", VALUES, completed_at=TIME_MIN - 1),
                                "completed_at")
            self.expect_invalid(cl, 3, KIND_REPORT,
                                report_body("V11-0001", VALUES, completed_at=TIME_MAX + 1),
                                "completed_at")
            # A narrative that is not UTF-8 (Latin-1 bytes, then a lone 0xff).
            good = report_body("V11-0002", VALUES, narrative="MARK-MARK-MARK")
            for seq, bad in ((4, b"gi\xe1m ngh\xe8o 23!"), (5, b"\xff" * 14)):
                body = replace_once(good, b"MARK-MARK-MARK", bad)
                self.assertEqual(self.expect_invalid(cl, seq, KIND_REPORT, body, "narrative"),
                                 "narrative: not valid UTF-8")
            # Nominations: proposed_at 2^63-1; a nominee name not UTF-8.
            d = self.expect_invalid(cl, 6, KIND_NOMINATION,
                                    self.nomination("n-1", INT64_MAX), "proposed_at")
            self.assertIn(str(INT64_MAX), d)
            body = replace_once(self.nomination("n-2", 1701392400, nominee_name="NAME-MARK"),
                                b"NAME-MARK", b"\xc0\xafNAME-MA")
            self.expect_invalid(cl, 7, KIND_NOMINATION, body, "nominee_name")

            # Nothing of them stored; each counted as invalid.
            st1, k1 = agg.counters()
            self.assertEqual(st1["envelopes"], st0["envelopes"], st1)
            self.assertEqual(st1["reports"], st0["reports"], st1)
            self.assertEqual(k1["stored"], k0["stored"], st1)
            self.assertEqual(k1["rejected_invalid"] - k0["rejected_invalid"], 7, st1)
            for unit in ("V11-0001", "V11-0002"):
                self.assertEqual(self.history(unit)["history"], [], unit)
            self.assertEqual(agg.rollup()["unit"]["units_reported"], 0)

            # The daemon is alive: good reports are acked, one at each end
            # of the range of times.
            k, ans = self.send(cl, 10, KIND_REPORT,
                               report_body("V11-0001", VALUES, completed_at=TIME_MIN,
                                           narrative="Đã rà soát 400 hộ\nở ấp Tân Hưng"))
            self.assertEqual(k, "ack", ans)
            k, ans = self.send(cl, 11, KIND_REPORT,
                               report_body("V11-0002", VALUES, completed_at=TIME_MAX))
            self.assertEqual(k, "ack", ans)
            k, ans = self.send(cl, 12, KIND_NOMINATION, self.nomination("n-3", TIME_MIN))
            self.assertEqual(k, "ack", ans)
        agg.wait_status(lambda st, k: k["stored"] == k0["stored"] + 3
                        and st["reports"] == st0["reports"] + 2,
                        "the three good envelopes stored")

        view = agg.rollup()
        unit = view["unit"]
        self.assertEqual(unit["code"], "P")
        self.assertEqual(unit["units_reported"], 2)
        self.assertEqual(unit["sums"], {k: 2 * v for k, v in VALUES.items()})
        villages = next(g for g in view["completeness"]["levels"] if g["level"] == "village")
        self.assertEqual(villages["reported"], 2, villages)
        table = net.cli(agg.cmd("rollup", "-c", agg.conf, "--campaign", CAMPAIGN,
                                "--period", PERIOD))
        self.assertIn("Completeness and timeliness", table.out)
        h = self.history("V11-0001")["history"]
        self.assertEqual(len(h), 1, h)
        self.assertEqual(h[0]["narrative"], "Đã rà soát 400 hộ\nở ấp Tân Hưng")
        self.assertEqual(h[0]["completed_at"], TIME_MIN)
        r = agg.verify()
        self.assertEqual(r.returncode, 0, r.out + r.err)


class HierarchyUtf8Test(lnobtest.NetTestCase):

    def test_refuses_to_start(self):
        net = self.net
        agg = net.add_aggregator()
        # The store exists (enrolment wrote it); then the hierarchy file
        # gets a unit name in Windows-1258, not UTF-8, on line 4.
        keys = net.keygen(agg.bin, "c11", net.path("c11.key"))
        agg.enroll(keys.pub_path, "C11")
        with open(net.hier_path, "rb") as f:
            lines = f.read().split(b"\n")
        self.assertTrue(lines[3].startswith(b"C11,Commune 11,"), lines[3])
        lines[3] = lines[3].replace(b"Commune 11", b"X\xe3 11")
        with open(net.hier_path, "wb") as f:
            f.write(b"\n".join(lines))
        want = "%s:4: name: not valid UTF-8" % net.hier_path

        for argv in (("run", "-c", agg.conf, "-n"), ("run", "-c", agg.conf),
                     ("rollup", "-c", agg.conf, "--campaign", CAMPAIGN, "--period", PERIOD,
                      "--json")):
            r = net.cli(agg.cmd(*argv), ok=False, timeout=30)
            self.assertNotEqual(r.returncode, 0, "%s: %s%s" % (argv, r.out, r.err))
            self.assertIn(want, r.err, argv)
            self.assertNotIn("configuration OK", r.out + r.err, argv)
        self.assertFalse(lnobtest.tcp_accepts(agg.host, agg.port),
                         "something listens on the aggregator's endpoint")


class EmptyPathsTest(lnobtest.NetTestCase):

    def test_empty_paths_refused(self):
        net = self.net
        agg = net.add_aggregator()
        with open(agg.conf) as f:
            good = f.read().splitlines()
        r = net.cli(agg.cmd("run", "-c", agg.conf, "-n"))
        self.assertIn("configuration OK", r.out + r.err)
        for section, key in (("node", "identity"), ("node", "data_dir"),
                             ("hierarchy", "file")):
            lines, at, current = list(good), None, None
            for i, line in enumerate(lines):
                if line.startswith("["):
                    current = line.strip("[]")
                elif current == section and line.split("=")[0].strip() == key:
                    lines[i], at = "%s =" % key, i + 1
            self.assertIsNotNone(at, (section, key))
            with open(agg.conf, "w") as f:
                f.write("\n".join(lines) + "\n")
            r = net.cli(agg.cmd("run", "-c", agg.conf, "-n"), ok=False)
            self.assertEqual(r.returncode, 1, r.out + r.err)
            self.assertIn("%s:%d: [%s] %s: empty" % (agg.conf, at, section, key), r.err)
            self.assertNotIn("configuration OK", r.out + r.err)


if __name__ == "__main__":
    lnobtest.main()
