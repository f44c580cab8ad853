"""catalogue_files: the catalogue's bad inputs in files given to the
collector's `submit` and `nominate` (offline: the outbox alone). Each
must exit 1 naming the file and the place (line, JSON position or path,
entry) and the problem, and queue nothing."""

import hashlib
import json
import os
import subprocess
import time

import lnobtest
from catalogue import Entry
from lnobtest import wait_until

HEADER = "campaign,period,unit,revision,completed_at,narrative,households_total\n"
GOOD_ROW = "lnob-2021-2025,2023,V11-0003,1,2023-11-28T10:00:00+07:00,ok,120\n"
INTAKE_FILE_MAX = 64 << 20      # collector/intake.h, README "Submitting reports"


def csv_row(unit="V11-0003", completed="2023-11-28T10:00:00+07:00", narrative="ok",
            count="120"):
    return "lnob-2021-2025,2023,%s,1,%s,%s,%s\n" % (unit, completed, narrative, count)


def report_json(**over):
    r = {"campaign": "lnob-2021-2025", "period": "2023", "unit": "V11-0003", "revision": 1,
         "completed_at": "2023-11-28T10:00:00+07:00", "values": {"households_total": 120}}
    r.update(over)
    return r


def csv_entry(name, fed, row, words, reason):
    """A CSV of a header, a good row and row (line 3)."""
    def feed(w):
        path = w.write_input(name.replace(" ", "-") + ".csv",
                             (HEADER + GOOD_ROW).encode() + row)
        return w.submit_refused(path, "%s:3: " % path, *words)
    return Entry(name, "file", fed, reason, feed)


def json_entry(name, fed, text, words, reason):
    def feed(w):
        path = w.write_input(name.replace(" ", "-") + ".json", text)
        return w.submit_refused(path, *[x.replace("{path}", path) for x in words])
    return Entry(name, "file", fed, reason, feed)


def f_big_file(w):
    """A 200 MB report file (sparse: no disk): refused by its size at
    once, in bounded memory (the peak is measured by wait4)."""
    path = os.path.join(w.inputs, "huge.csv")
    with open(path, "wb") as f:
        f.truncate(200 << 20)
    w.made.add(path)
    err = os.path.join(w.inputs, "huge.err")
    w.made.add(err)
    with open(err, "wb") as ef:
        p = subprocess.Popen(w.col.cmd("submit", "-c", w.col.conf, path), env=w.net.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=ef)
    t0 = time.monotonic()
    got = wait_until(lambda: (lambda r: r[0] and r)(os.wait4(p.pid, os.WNOHANG)),
                     lnobtest.CLI_TIMEOUT, "submit of the 200 MB file exits")
    secs = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(got[1])
    rss_mb = got[2].ru_maxrss / 1024
    with open(err) as f:
        msg = f.read()
    w.test.assertEqual(p.returncode, 1, msg)
    for word in (path, "larger than 64 MiB", "nothing queued"):
        w.test.assertIn(word, msg)
    w.test.assertLess(rss_mb * (1 << 20), INTAKE_FILE_MAX,
                      "the 200 MB file took %.0f MB: read rather than refused" % rss_mb)
    return "exit 1: %s (peak RSS %.0f MB, %.2f s)" % (
        msg.strip().replace("lnob-collector: ", "").replace(w.net.tmp + "/", ""), rss_mb, secs)


# -- nominations --------------------------------------------------------------

def nomination(docs):
    """A nomination whose dossier is docs plus the documents it still needs,
    given by digest."""
    need = {"proposal", "council_minutes", "achievement_report"} - {d["kind"] for d in docs}
    d = list(docs)
    for kind in sorted(need):
        text = ("%s of the catalogue\n" % kind).encode()
        doc = {"kind": kind, "title": kind, "sha256": hashlib.sha256(text).hexdigest(),
               "size": len(text)}
        if kind == "council_minutes":
            doc["vote"] = "9/11"
        d.append(doc)
    return {"campaign": "lnob-2021-2025", "id": "cat-1", "nominee_kind": "collective",
            "nominee_name": "Ấp Tân Hưng", "unit": "V11-0003", "form": "giay_khen",
            "occasion": "2023", "summary": "Vượt chỉ tiêu", "dossier": d}


def dossier_entry(name, fed, make, words, reason):
    """make(folder) makes the bad document file in the nomination's folder
    and returns its `file` value; the nomination JSON sits in that folder."""
    def feed(w):
        folder = os.path.join(w.inputs, "nom-" + name.replace(" ", "-"))
        os.makedirs(folder)
        ref = make(w, folder)
        nom = nomination([{"kind": "proposal", "title": "Tờ trình", "file": ref}])
        path = w.write_input("nom.json", json.dumps(nom), sub=os.path.basename(folder))
        for d, _, names in os.walk(folder):
            w.made.update(os.path.join(d, n) for n in names)
        return w.submit_refused(path, "dossier[0].file", *words, cmd="nominate")
    return Entry(name, "file", fed, reason, feed)


def mk_symlink(w, folder):
    target = w.write_input("outside.txt", "a document outside the folder\n")
    os.symlink(target, os.path.join(folder, "link.pdf"))
    return "link.pdf"


def mk_inner_symlink(w, folder):
    with open(os.path.join(folder, "real.pdf"), "w") as f:
        f.write("a real document\n")
    os.symlink("real.pdf", os.path.join(folder, "alias.pdf"))
    return "alias.pdf"


def mk_fifo(w, folder):
    os.mkfifo(os.path.join(folder, "fifo.pdf"))
    return "fifo.pdf"


def mk_device(w, folder):
    try:
        os.mknod(os.path.join(folder, "null.pdf"), 0o600 | 0o020000, os.makedev(1, 3))
    except PermissionError as e:
        import unittest
        raise unittest.SkipTest("mknod not allowed here: %s" % e)
    return "null.pdf"


def mk_dotdot(w, folder):
    w.write_input("secret.txt", "not in the nomination's folder\n")
    return "../secret.txt"


def mk_absolute(w, folder):
    return "/etc/passwd"


DEEP = "[" * 10000 + "]" * 10000
E = Entry
ENTRIES = [
    csv_entry("truncated CSV", "an unterminated quoted narrative on line 3",
              csv_row(narrative='"unterminated').encode(),
              ("malformed CSV", "unterminated quoted field"), "exit 1, file:line, malformed CSV"),
    csv_entry("negative count (CSV)", "households_total -5", csv_row(count="-5").encode(),
              ("households_total", "not a non-negative integer"), "exit 1, file:line, field"),
    csv_entry("count 2^63 (CSV)", "households_total 9223372036854775808",
              csv_row(count=str(2**63)).encode(), ("households_total", "out of range 0..10^15"),
              "exit 1, file:line, out of range"),
    csv_entry("float where a count goes (CSV)", "households_total 12.5",
              csv_row(count="12.5").encode(), ("households_total", "not a non-negative integer"),
              "exit 1, file:line, field"),
    csv_entry("string where a count goes (CSV)", "households_total 'twelve'",
              csv_row(count="twelve").encode(), ("households_total", "not a non-negative integer"),
              "exit 1, file:line, field"),
    csv_entry("NUL inside a CSV cell", "unit 'V11-0003\\0X'",
              csv_row(unit="V11-0003\0X").encode(), ("unit", "NUL byte in the cell (column 3)"),
              "exit 1, file:line, column"),
    csv_entry("NUL inside a CSV count", "households_total '12\\0 7'",
              csv_row(count="12\0 7").encode(), ("households_total", "NUL byte in the cell"),
              "exit 1, file:line, column"),
    csv_entry("bad UTF-8 (CSV)", "a narrative of bytes ff fe",
              csv_row(narrative="N").encode().replace(b",N,", b",\xff\xfe,"),
              ("narrative", "not valid UTF-8"), "exit 1, file:line, narrative"),
    csv_entry("bad date", "completed_at 2023-02-30T10:00:00+07:00",
              csv_row(completed="2023-02-30T10:00:00+07:00").encode(),
              ("completed_at", "not ISO 8601"), "exit 1, file:line, completed_at"),
    csv_entry("bad time zone", "completed_at with offset +25:00",
              csv_row(completed="2023-11-28T10:00:00+25:00").encode(),
              ("completed_at", "not ISO 8601 with a UTC offset"),
              "exit 1, file:line, completed_at"),
    csv_entry("no time zone", "completed_at 2023-11-28T10:00:00 (no offset)",
              csv_row(completed="2023-11-28T10:00:00").encode(),
              ("completed_at", "with a UTC offset"), "exit 1, file:line, completed_at"),
    csv_entry("date out of range", "completed_at 1999-12-31T23:59:59Z",
              csv_row(completed="1999-12-31T23:59:59Z").encode(),
              ("completed_at", "2000-01-01 .. 2100-12-31"), "exit 1, file:line, range"),
    json_entry("string where a count goes (JSON)", '"households_total": "12"',
               json.dumps(report_json(values={"households_total": "12"})),
               ("{path}: entry 1: households_total: not a non-negative integer",),
               "exit 1, entry, field"),
    json_entry("float where a count goes (JSON)", '"households_total": 12.0',
               json.dumps(report_json(values={"households_total": 12.0})),
               ("{path}: entry 1: households_total: not a non-negative integer",),
               "exit 1, entry, field"),
    json_entry("negative count (JSON)", '"households_total": -1',
               json.dumps(report_json(values={"households_total": -1})),
               ("{path}: entry 1: households_total: not a non-negative integer",),
               "exit 1, entry, field"),
    json_entry("count 2^63 (JSON)", '"households_total": 9223372036854775808',
               json.dumps(report_json(values={"households_total": 2**63})),
               ("{path}:1:", "too big integer"), "exit 1, file:line:column"),
    json_entry("wrong field type (JSON)", '"unit": 11',
               json.dumps(report_json(unit=11)), ("{path}: entry 1: unit: not a string",),
               "exit 1, entry, field"),
    json_entry("duplicate JSON keys", 'two "unit" keys in one report',
               '{"campaign": "lnob-2021-2025", "period": "2023", "unit": "V11-0003", '
               '"unit": "V11-0001", "values": {"households_total": 1}}',
               ("{path}:1:", "duplicate object key"), "exit 1, file:line:column"),
    json_entry("10,000-deep JSON", "10,000 nested arrays", DEEP,
               ("{path}:1:2049:", "maximum parsing depth"), "exit 1, file:line:column"),
    json_entry("NUL in JSON text", 'narrative "a\\u0000b"',
               json.dumps(report_json(narrative="a\0b")), ("{path}:1:", "\\u0000 is not allowed"),
               "exit 1, file:line:column"),
    json_entry("bad UTF-8 (JSON)", "a narrative holding the byte ff",
               json.dumps(report_json(narrative="MARK")).encode().replace(b"MARK", b"a\xffb"),
               ("{path}:1:", "unable to decode byte 0xff"), "exit 1, file:line:column"),
    E("200 MB file", "file", "a 200 MB report file (sparse)",
      "exit 1, 'larger than 64 MiB', bounded memory", f_big_file),
    dossier_entry("dossier file: symlink out", "dossier file link.pdf -> ../outside.txt",
                  mk_symlink, ("leads out of the nomination's folder",),
                  "exit 1, JSON path, leads out"),
    dossier_entry("dossier file: symlink", "dossier file alias.pdf -> real.pdf (inside)",
                  mk_inner_symlink, ("a symbolic link (not followed)",),
                  "exit 1, JSON path, symbolic link"),
    dossier_entry("dossier file: FIFO", "dossier file fifo.pdf, a FIFO (no writer)", mk_fifo,
                  ("not a regular file",), "exit 1 at once, JSON path, not a regular file"),
    dossier_entry("dossier file: device", "dossier file null.pdf, a character device (1,3)",
                  mk_device, ("not a regular file",), "exit 1, JSON path, not a regular file"),
    dossier_entry("dossier file: outside (..)", "dossier file ../secret.txt", mk_dotdot,
                  ("leads out of the nomination's folder ('..')",),
                  "exit 1, JSON path, leads out"),
    dossier_entry("dossier file: absolute path", "dossier file /etc/passwd", mk_absolute,
                  ("is an absolute path",), "exit 1, JSON path, absolute"),
]
