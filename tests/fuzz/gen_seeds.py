#!/usr/bin/python3
"""gen_seeds.py: writes the generated seed corpora of tests/fuzz
(README "Fuzzing") into tests/fuzz/corpus/<target>/, each file named
gen-<what>; other files there (reproducers of findings, repro-*) are left
as they are.

    /usr/bin/python3 tests/fuzz/gen_seeds.py [CORPUS_DIR]

Envelopes and metadata are signed with the fuzz harnesses' fixed key
(tests/fuzz/fuzz.h: an Ed25519 seed of 32 bytes 0x42, node FUZZ_SIGNER
"fuzz-node"), so that they verify there and the fuzzer starts from inputs
that reach the body decoders. The text seeds are small excerpts of
deploy/samples and deploy/examples, and the forms of the unit tests.
Uses Debian's python3-protobuf (protoc for lnob_pb2, as lnobtest.py),
python3-nacl and python3-openpyxl (the .xlsx seeds).
"""

import base64
import hashlib
import io
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

import nacl.signing  # noqa: E402
import openpyxl  # noqa: E402
from openpyxl.workbook.defined_name import DefinedName  # noqa: E402

import lnobtest  # noqa: E402

SIGNER = "fuzz-node"
KEY = nacl.signing.SigningKey(bytes([0x42]) * 32)
CAMPAIGN = lnobtest.CAMPAIGN
KIND_REPORT, KIND_NOMINATION, KIND_STAGE, KIND_SNAPSHOT = 1, 2, 3, 4


def sample(rel):
    with open(os.path.join(SOURCE, rel), "rb") as f:
        return f.read()


def units_excerpt():
    """The sample hierarchy's root, its first district, that district's
    first commune and three of its villages."""
    lines = sample("deploy/samples/province/units.csv").decode().splitlines()
    keep = [lines[0]] + [ln for ln in lines[1:]
                         if ln.split(",")[0] in ("DNO", "GNG", "GNG-01", "GNG-01-01",
                                                 "GNG-01-02", "GNG-01-03")]
    return "\n".join(keep) + "\n"


def subtree_csv():
    """The district GNG's subtree as a metadata bundle carries it (the
    scope's parent_code empty)."""
    out = []
    for ln in units_excerpt().splitlines():
        f = ln.split(",")
        if f[0] == "DNO":
            continue
        if f[0] == "GNG":
            f[2] = ""
        out.append(",".join(f))
    return "\n".join(out) + "\n"


def report(unit, values, **kw):
    return lnobtest.report_body(unit, values, **kw)


def envelope(seq, kind, body, signer=SIGNER, signature_for=None):
    return lnobtest.sign_envelope(KEY, signer, seq, kind, body, signature_for=signature_for)


def nomination(**over):
    m = lnobtest.pb()
    n = m.Nomination(campaign=CAMPAIGN, id="2023-007", nominee_kind=1,
                     nominee_name="Tổ dân phố 1", unit="GNG-01-01", form=2, occasion="2023",
                     summary="Vượt 12 %", proposed_at=1701388800, contribution_vnd=150000000,
                     sanction="")
    for kind, title, content in ((1, "Tờ trình", b"proposal bytes"),
                                 (2, "Biên bản", b"minutes"),
                                 (3, "Báo cáo thành tích", b"report")):
        d = n.dossier.add(kind=kind, title=title, size=len(content), content=content)
        d.sha256 = hashlib.sha256(content).digest()
        if kind == 2:
            d.vote = "9/11 tán thành"
    for k, v in over.items():
        setattr(n, k, v)
    return n.SerializeToString()


def stage(kind, **over):
    m = lnobtest.pb()
    s = m.Stage(campaign=CAMPAIGN, nomination=SIGNER + "/2023-007", kind=kind, at=1701475200)
    for k, v in over.items():
        setattr(s, k, v)
    return s.SerializeToString()


def metadata_body():
    m = lnobtest.pb()
    camp = sample("deploy/samples/campaigns/daknong.ini").decode()
    camp = camp.replace("baseline_file =", "; baseline_file =")
    b = m.MetadataBody(scope="GNG", hierarchy_csv=subtree_csv())
    b.campaigns.add(name="daknong.ini", text=camp)
    b.nodes.add(node_id=SIGNER, scope="GNG-01")
    q = b.requests.add(campaign=CAMPAIGN, id="flood-2023", due="2023-11-30",
                       note="lũ", created_at=1700000000)
    q.units.append("GNG-01-01")
    q.indicators.append("poor_households")
    return b.SerializeToString()


def metadata_frame(body):
    m = lnobtest.pb()
    issuer, version, issued_at = "province", 3, 1701388800
    sb = (b"lnob-metadata-v1\x00" + len(issuer).to_bytes(4, "big") + issuer.encode()
          + version.to_bytes(8, "big") + issued_at.to_bytes(8, "big")
          + len(body).to_bytes(4, "big") + body)
    f = m.Frame()
    f.metadata.version = version
    f.metadata.issued_at = issued_at
    f.metadata.issuer = issuer
    f.metadata.body = body
    f.metadata.signature = KEY.sign(sb).signature
    return f.SerializeToString()


VILLAGE = {"households_total": 120, "poor_households": 9, "near_poor_households": 11,
           "fund_vnd": 5000000}


def envelope_seeds():
    good = report("GNG-01-01", VILLAGE)
    return {
        "report": envelope(3, KIND_REPORT, good),
        "nomination": envelope(4, KIND_NOMINATION, nomination()),
        "stage": envelope(5, KIND_STAGE, stage(1)),
        "stored-again": envelope(1, KIND_REPORT, b"stored"),
        "seq-reused": envelope(1, KIND_REPORT, good),
        "stored-garbage": envelope(2, KIND_REPORT, good),
        "bad-signature": envelope(3, KIND_REPORT, good,
                                  signature_for=(SIGNER, 3, KIND_REPORT, b"other")),
        "revoked": envelope(3, KIND_REPORT, good, signer="revoked-node"),
        "keyless": envelope(3, KIND_REPORT, good, signer="keyless-node"),
        "broken": envelope(3, KIND_REPORT, good, signer="broken-node"),
        "unknown": envelope(3, KIND_REPORT, good, signer="stranger"),
        "big-body": envelope(6, KIND_REPORT, report("GNG-01-01", VILLAGE, narrative="n" * 200)),
    }


def frame_seeds():
    m = lnobtest.pb()
    out = {"env-" + k: lnobtest.frame_envelope(v) for k, v in envelope_seeds().items()}
    hb = m.Frame()
    hb.heartbeat.sent_at_ms = 1701388800000
    hb.heartbeat.health.queued = 3
    hb.heartbeat.health.next_seq = 9
    d = hb.heartbeat.downstream.add(node_id="c-002", last_seen_ms=1701388700000, via="r-1")
    d.health.parked = 1
    hb.heartbeat.metadata_version = 2
    out["heartbeat"] = hb.SerializeToString()
    acks = m.Frame()
    acks.acks.acks.add(signer=SIGNER, seq=3)
    acks.acks.credit = 128
    out["acks"] = acks.SerializeToString()
    nack = m.Frame()
    nack.nack.signer, nack.nack.seq, nack.nack.reason = SIGNER, 4, 4
    nack.nack.detail = "signature does not verify"
    out["nack"] = nack.SerializeToString()
    rc = m.Frame()
    rc.receipt.signer, rc.receipt.seq, rc.receipt.state = SIGNER, 3, 2
    rc.receipt.reason, rc.receipt.detail, rc.receipt.at_ms = 9, "unit", 1
    out["receipt"] = rc.SerializeToString()
    ra = m.Frame()
    ra.receipt_ack.receipts.add(signer=SIGNER, seq=3)
    out["receipt-ack"] = ra.SerializeToString()
    out["metadata"] = metadata_frame(metadata_body())
    return out


def batch(*bodies):
    """fuzz_ingest's input: kind, 2-byte little-endian length, body."""
    out = b""
    for kind, body in bodies:
        out += bytes([kind]) + len(body).to_bytes(2, "little") + body
    return out


def ingest_seeds():
    commune = report("GNG-01", {"fund_vnd": 20000000})
    return {
        "report": batch((KIND_REPORT, report("GNG-01-01", VILLAGE))),
        "revisions": batch((KIND_REPORT, report("GNG-01-01", VILLAGE)),
                           (KIND_REPORT, report("GNG-01-01", dict(VILLAGE, poor_households=8),
                                                revision=2)),
                           (KIND_REPORT, report("GNG-01-01", dict(VILLAGE, poor_households=7),
                                                revision=2, base_revision=1))),
        "levels": batch((KIND_REPORT, report("GNG-01-02", VILLAGE)), (KIND_REPORT, commune),
                        (KIND_REPORT, report("GNG-01", {"poor_households": 3}))),
        "campaign": batch((KIND_REPORT, report("GNG-01-01", VILLAGE, campaign="other")),
                          (KIND_REPORT, report("GNG-01-01", {"poor_rate": 3})),
                          (KIND_REPORT, report("GNG-01-01", VILLAGE, period="2031"))),
        "nomination-stages": batch((KIND_NOMINATION, nomination()),
                                   (KIND_STAGE, stage(1)), (KIND_STAGE, stage(2)),
                                   (KIND_STAGE, stage(3)),
                                   (KIND_STAGE, stage(6, decision_number="1234/QĐ-UBND",
                                                      decision_date="2023-12-20",
                                                      granted_form=2))),
        "returned": batch((KIND_NOMINATION, nomination()),
                          (KIND_STAGE, stage(4, reason="thiếu biên bản")),
                          (KIND_NOMINATION, nomination(id="2023-008",
                                                       revises=SIGNER + "/2023-007"))),
        "kinds": batch((0, b""), (5, b"\x08\x01"), (KIND_REPORT, b"\xff\xff")),
        "snapshots": batch((KIND_SNAPSHOT, snapshot("GNG-01-01", VILLAGE, part=2)),
                           (KIND_SNAPSHOT, snapshot("GNG-01-01", dict(VILLAGE, poor_households=9),
                                                    part=2, revision=2)),
                           (KIND_SNAPSHOT, snapshot("GNG", {"fund_vnd": 5000000}, part=1)),
                           (KIND_SNAPSHOT, snapshot("GNG-01", VILLAGE, part=2))),
    }


def snapshot(unit, values, part, revision=1):
    """A Snapshot body (proto THE NATIONAL TIER)."""
    m = lnobtest.pb()
    s = m.Snapshot(campaign=CAMPAIGN, period=lnobtest.PERIOD, unit=unit, part=part,
                   revision=revision, base_revision=revision - 1, computed_at=1701140400,
                   units_reported=3, units_expected=4, nominations=2)
    for code in sorted(values):
        iv = s.sums.add(code=code)
        if code.endswith("_vnd"):
            iv.amount_vnd = values[code]
        else:
            iv.count = values[code]
    s.nomination_counts.add(by="form", name="giay_khen", count=2)
    return s.SerializeToString()


def text_seeds():
    daknong = sample("deploy/samples/campaigns/daknong.ini")
    small_campaign = b"""[campaign]
id = lnob-2021-2025
name = small
start = 2021-01-01
end = 2025-12-31
baseline_date = 2020-12-31
levels = province, district, commune, village
reported_by = village
baseline_file = ../province/baseline.csv

[indicators]
households_total = count
poor_households = count
near_poor_households = count
em_households_total = count
em_poor_households = count
pnp_members = count
pnp_members_insured = count
fund_vnd = amount
poor_near_poor = sum poor_households + near_poor_households
poor_rate = rate poor_households / households_total

[reported_by]
fund_vnd = all

[period 2023]
kind = year
start = 2023-01-01
end = 2023-12-31

[period final-2025]
kind = final
start = 2021-01-01
end = 2025-12-31

[target villages]
levels = village
goal = poverty
indicator = poor_near_poor
down_percent = 50

[target rate]
indicator = poor_rate
down_points = 3

[target scale]
indicator = poor_near_poor
down_percent = 50

[target communes]
levels = commune
goal = poverty
any_of = rate, scale
"""
    collector = sample("deploy/examples/collector.conf")
    aggregator = sample("deploy/examples/aggregator.conf")
    csv_reports = (b"campaign,period,unit,revision,completed_at,narrative,households_total,"
                   b"poor_households,near_poor_households,fund_vnd\n"
                   b"lnob-2021-2025,2023,GNG-01-01,1,2023-12-01T09:00:00+07:00,\"a, \"\"b\"\"\","
                   b"120,9,11,5000000\n"
                   b"lnob-2021-2025,2023,GNG-01-02,2,1701388800,,90,,4,\n\n"
                   b"lnob-2021-2025,2023,GNG-01,1,,,,,,20000000\n")
    json_reports = (b'[{"campaign": "lnob-2021-2025", "period": "2023", "unit": "GNG-01-01",'
                    b' "revision": 2, "base_revision": 1, "completed_at": "2023-12-01 09:00+0700",'
                    b' "narrative": "T\\u1ed5", "values": {"households_total": 120,'
                    b' "poor_households": 9, "fund_vnd": 5000000, "near_poor_households": null}},'
                    b' {"campaign": "lnob-2021-2025", "period": "2023", "unit": "GNG-01",'
                    b' "completed_at": 1701388800, "values": {"fund_vnd": 20000000}}]')
    dossier = ('[{"kind": "proposal", "title": "T\\u1edd tr\\u00ecnh", "file": "p.txt"},'
               ' {"kind": "council_minutes", "title": "Bi\\u00ean b\\u1ea3n", "file": "m.txt",'
               ' "vote": "9/11 t\\u00e1n th\\u00e0nh"},'
               ' {"kind": "achievement_report", "title": "B\\u00e1o c\\u00e1o", "file": "r.txt"}]')
    data_dossier = ('[{"kind": "proposal", "title": "T", "data": "%s"},'
                    ' {"kind": "council_minutes", "title": "B", "data": "", "vote": "1/1"},'
                    ' {"kind": "achievement_report", "title": "R", "size": 123456, "sha256":'
                    ' "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"}]'
                    % base64.b64encode(b"proposal bytes").decode())
    nom = ('{"campaign": "lnob-2021-2025", "id": "2023-007", "nominee_kind": "collective",'
           ' "nominee_name": "T\\u1ed5 d\\u00e2n ph\\u1ed1 1", "unit": "GNG-01-01",'
           ' "form": "bang_khen_province", "occasion": "2023", "summary": "V\\u01b0\\u1ee3t 12 %%",'
           ' "contribution_vnd": 150000000, "sanction": "none", "revises": "fuzz-node/2023-001",'
           ' "proposed_at": "2023-12-01T09:00:00+07:00", "dossier": %s}')
    return {
        "campaign": {"daknong.ini": daknong,
                     "kiengiang.ini": sample("deploy/samples/campaigns/kiengiang.ini"),
                     "vinhphuc.ini": sample("deploy/samples/campaigns/vinhphuc.ini"),
                     "small.ini": small_campaign},
        "ini": {"sections-campaign": b"\x01" + small_campaign,
                "keys-once-collector": b"\x02" + collector,
                "plain-aggregator": b"\x00" + aggregator,
                "both-edge": b"\x03; c\n[a]\nk = v ; c\nk2=\n[b x]\n  k = \"q\"\n"},
        "conf": {"collector.conf": collector, "aggregator.conf": aggregator,
                 "collector-min.conf": b"[node]\nid = c-001\nidentity = c.key\ndata_dir = d\n"
                                       b"[uplink]\nendpoint = tcp://127.0.0.1:7700\n"
                                       b"server_public = a.pub\n[web]\nlisten = 127.0.0.1:8090\n"
                                       b"password = p\n",
                 "aggregator-min.conf": b"[node]\nid = province\nidentity = a.key\n"
                                        b"data_dir = d\n[listen]\nendpoint = tcp://127.0.0.1:7700\n"
                                        b"[hierarchy]\nfile = units.csv\n[ingest]\nmax_body = 65536\n"
                                        b"max_frame = 131072\n[http]\nlisten = 127.0.0.1:8080\n"},
        "hierarchy": {"excerpt.csv": units_excerpt().encode(),
                      "quoted.csv": b'code,name,parent_code,level,kind\r\n'
                                    b'P,"Province, ""big""",,province,\r\n'
                                    b'D1,District,P,district,administrative\r\n'
                                    b'C1,Commune,D1,commune,administrative\r\n',
                      "two-roots.csv": b"code,name,parent_code,level,kind\nA,a,,x,\nB,b,,x,\n"
                                       b"A1,a1,A,y,\nB1,b1,B,y,\nA2,a2,A1,z,\n"},
        "intake_csv": {"reports.csv": csv_reports},
        "intake_json": {"reports.json": json_reports,
                        "one.json": b'{"campaign": "c", "period": "2023", "unit": "U",'
                                    b' "values": {"x_vnd": 1}}'},
        "nominate": {"files.json": (nom % dossier).encode(),
                     "data.json": (nom % data_dossier).encode()},
    }


def xlsx_seed():
    """A filled template as `lnob-collector template` writes one: a sheet
    per level, title, labels, the ids row, a row per unit."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "village"
    ws.append(["Biểu mẫu kỳ 2023 (village)"])
    ws.append(["Mã đơn vị", "Tên đơn vị", "Cấp", "Đơn vị cấp trên", "Tổng số hộ", "Số hộ nghèo",
               "Quỹ"])
    ws.append(["unit", "name", "level", "parent", "households_total", "poor_households",
               "fund_vnd"])
    ws.append(["GNG-01-01", "Tổ dân phố 1", "village", "GNG-01 Phường Tâm Bình", 120, 9, 5000000])
    ws.append(["GNG-01-02", "Tổ dân phố 2", "village", "GNG-01 Phường Tâm Bình", 90, None, None])
    ws.append(["GNG-01-03", "Tổ dân phố 3", "village", "GNG-01 Phường Tâm Bình", None, None, None])
    ws2 = wb.create_sheet("commune")
    ws2.append(["Biểu mẫu kỳ 2023 (commune)"])
    ws2.append(["Mã đơn vị", "Tên đơn vị", "Cấp", "Đơn vị cấp trên", "Quỹ"])
    ws2.append(["unit", "name", "level", "parent", "fund_vnd"])
    ws2.append(["GNG-01", "Phường Tâm Bình", "commune", "GNG Thành phố Gia Nghĩa", 20000000])
    for name, value in (("lnob_campaign", '"%s"' % CAMPAIGN), ("lnob_period", '"2023"')):
        wb.defined_names.append(DefinedName(name, attr_text=value))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHARED = (b'<sst ' + NS + b' count="6" uniqueCount="6"><si><t>unit</t></si><si><t>name</t></si>'
          b'<si><t>fund_vnd</t></si><si><t>GNG-01</t></si><si><r><t>Ph\xc6\xb0\xe1\xbb\x9dng</t>'
          b'</r><r><rPr><b/></rPr><t xml:space="preserve"> T\xc3\xa2m B\xc3\xacnh</t></r>'
          b'<rPh sb="0" eb="1"><t>x</t></rPh></si><si><t>commune</t></si></sst>')
SHARED_SHEET = (b'<worksheet ' + NS + b'><sheetData><row r="3"><c r="A3" t="s"><v>0</v></c>'
                b'<c r="B3" t="s"><v>1</v></c><c r="E3" t="s"><v>2</v></c></row><row r="4">'
                b'<c r="A4" t="s"><v>3</v></c><c r="B4" t="s"><v>4</v></c><c r="C4" t="s">'
                b'<v>5</v></c><c r="E4"><v>20000000</v></c></row></sheetData></worksheet>')


def xlsx_shared(xlsx):
    """The same workbook with its second sheet in shared strings, as Excel
    and libxlsxwriter write them (openpyxl writes inline strings)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "xl/worksheets/sheet2.xml":
                data = SHARED_SHEET
            out.writestr(name, data)
        out.writestr("xl/sharedStrings.xml", SHARED)
    return buf.getvalue()


def xlsx_xml_seeds(xlsx):
    z = zipfile.ZipFile(io.BytesIO(xlsx))
    sheets = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    out = {"book": b"\x00" + z.read("xl/workbook.xml") + b"\x00"
                   + z.read("xl/_rels/workbook.xml.rels"),
           "shared": b"\x01" + SHARED, "sheet-shared": b"\x02" + SHARED_SHEET}
    for i, name in enumerate(sheets):
        out["sheet%d" % (i + 1)] = b"\x02" + z.read(name)
    out["sheet-inline"] = (b"\x02<worksheet xmlns=\"http://schemas.openxmlformats.org/"
                           b"spreadsheetml/2006/main\"><sheetData><row r=\"3\"><c r=\"A3\" "
                           b"t=\"inlineStr\"><is><t>unit</t></is></c><c r=\"B3\" t=\"s\"><v>1"
                           b"</v></c></row><row r=\"4\"><c r=\"A4\"><f>1+1</f></c><c r=\"XFD4\">"
                           b"<v>-2.5</v></c></row></sheetData></worksheet>")
    return out


def dhis2_in_seeds():
    """DHIS2 exports of the sample mapping's units and period
    (deploy/adx/dhis2-mapping.ini): dataValueSets JSON and ADX."""
    values = [("DakNongPrv1", "LnobHhTotal", "", "60000"),
              ("GiaNghiaDs1", "LnobHhPoor1", "HllvX50cXC0", "1200"),
              ("CuJutDstr01", "LnobHhNearP", "", "900")]
    dvs = ",".join('{"dataElement": "%s", "period": "2020", "orgUnit": "%s",%s '
                   '"attributeOptionCombo": "HllvX50cXC0", "value": "%s"}'
                   % (de, ou, ' "categoryOptionCombo": "%s",' % coc if coc else "", v)
                   for ou, de, coc, v in values)
    adx = "".join('<group orgUnit="%s" period="2020-01-01/P1Y" dataSet="LnobDataSet1" '
                  'attributeOptionCombo="HllvX50cXC0">'
                  '<dataValue dataElement="%s"%s value="%s"/></group>\n'
                  % (ou, de, ' categoryOptionCombo="%s"' % coc if coc else "", v)
                  for ou, de, coc, v in values)
    return {"values.json": ('{"dataSet": "LnobDataSet1", "dataValues": [%s]}\n' % dvs).encode(),
            "deleted.json": b'{"dataValues": [{"dataElement": "LnobHhTotal", "period": "2020", '
                            b'"orgUnit": "DakNongPrv1", "value": "5", "deleted": true}]}',
            "values.adx": ('<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:'
                           'adx:2015" exported="2026-12-04T00:00:00Z">\n%s</adx>\n'
                           % adx).encode()}


def write(corpus, target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "gen-" + name), "wb") as f:
        f.write(data)


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    n = 0
    seeds = {"envelope": envelope_seeds(), "frame": frame_seeds(), "ingest": ingest_seeds(),
             "metadata": {"bundle": metadata_body(), "empty-scope": b"\x1a\x00"}}
    seeds.update(text_seeds())
    xlsx = xlsx_seed()
    seeds["intake_xlsx"] = {"filled.xlsx": xlsx, "shared.xlsx": xlsx_shared(xlsx)}
    seeds["xlsx_xml"] = xlsx_xml_seeds(xlsx)
    seeds["dhis2_in"] = dhis2_in_seeds()
    for target, files in sorted(seeds.items()):
        for name, data in sorted(files.items()):
            write(corpus, target, name, data)
            n += 1
    print("%d seeds in %d corpora under %s" % (n, len(seeds), corpus))


if __name__ == "__main__":
    main()
