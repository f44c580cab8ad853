#!/usr/bin/python3
"""generate.py: the demo's reports, 2021-2023, for two districts of the
sample province (../province/units.csv, ../province/baseline.csv) under the
Đắk Nông campaign (../campaigns/daknong.ini).

    /usr/bin/python3 deploy/samples/reports/generate.py OUT_DIR

writes one submit CSV per collector node into OUT_DIR (lnob-collector
submit's format): commune offices cjt-01, cjt-02, dgl-01, dgl-02 report for
their commune and its villages; district offices cjt and dgl for the
district itself and its other communes and villages. Villages report the
household counts; communes and districts only what they mobilised
themselves (fund_vnd), so nothing is counted twice up the tree.

What the demo should show, by construction:
  - villages whose poor + near-poor fall fast (on target), about on the
    line, or slowly (not on target); Đắk Glong (a poor district, -4 points a
    year) improves less than Cư Jút;
  - 2023 reports mostly completed before 5 December, some after (late), one
    a few minutes after midnight (on time within the clock skew), two
    villages of CJT-08 and the communes DGL-06 and DGL-07 not at all
    (missing); Đắk Glong's own report late;
  - every report "arrives" when the demo runs, years after its deadline:
    the signed completion time decides.

Deterministic (a fixed seed, random.random() only), standard library only.
"""

import csv
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROVINCE = os.path.join(HERE, "..", "province")
CAMPAIGN = "lnob-2021-2025"
SEED = 20231205

INDICATORS = ("households_total", "poor_households", "near_poor_households",
              "em_households_total", "em_poor_households", "escaped_households",
              "newly_poor_households", "pnp_members", "pnp_members_insured", "fund_vnd")

# node id -> scope; commune offices first (they take their subtree)
COMMUNE_NODES = {"cjt-01": "CJT-01", "cjt-02": "CJT-02", "dgl-01": "DGL-01", "dgl-02": "DGL-02"}
DISTRICT_NODES = {"cjt": "CJT", "dgl": "DGL"}
SILENT = {"DGL-06", "DGL-07"}           # communes that never report (nor their villages)
MISSING_2023 = {"CJT-08-02", "CJT-08-05"}   # villages without a 2023 report
LATE_COMMUNES = {"CJT-05"}

# yearly reduction of poor and near-poor households, as shares of the baseline
PACE = {"fast": (0.13, 0.12), "line": (0.105, 0.095), "slow": (0.05, 0.03)}


def load():
    units, children = {}, {}
    with open(os.path.join(PROVINCE, "units.csv"), newline="") as f:
        for row in csv.DictReader(f):
            units[row["code"]] = row
            children.setdefault(row["parent_code"], []).append(row["code"])
    with open(os.path.join(PROVINCE, "baseline.csv"), newline="") as f:
        base = {row["unit"]: {k: int(v) for k, v in row.items() if k != "unit" and v}
                for row in csv.DictReader(f)}
    return units, children, base


def village_values(rng, b, pace, year):
    """The figures of a village at the end of campaign year `year` (1..3)."""
    r, s = PACE[pace]
    hh = round(b["households_total"] * (1 + 0.012 * year))
    poor = max(0, round(b["poor_households"] * (1 - r * year)))
    near = max(0, round(b["near_poor_households"] * (1 - s * year)))
    em_hh = round(b["em_households_total"] * (1 + 0.012 * year))
    em_poor = min(poor, max(0, round(b["em_poor_households"] * (1 - r * 1.1 * year))))
    pnp0 = b["poor_households"] + b["near_poor_households"]
    members = round(b["pnp_members"] * (poor + near) / pnp0) if pnp0 else 0
    insured = min(members, round(members * min(1.0, b["pnp_members_insured"] /
                                               max(1, b["pnp_members"]) + 0.01 * year)))
    return {"households_total": hh, "poor_households": poor, "near_poor_households": near,
            "em_households_total": em_hh, "em_poor_households": em_poor,
            "escaped_households": round(b["poor_households"] * r * (0.8 + 0.4 * rng.random())),
            "newly_poor_households": round(b["poor_households"] * 0.01 * rng.random() * 3),
            "pnp_members": members, "pnp_members_insured": insured}


def completed(rng, period, unit, level):
    """When the office completed its report (ISO 8601, +07:00)."""
    if period != "2023":
        return "%s-11-%02dT%02d:00:00+07:00" % (period, 20 + int(rng.random() * 8),
                                                8 + int(rng.random() * 9))
    if unit == "DGL":
        return "2023-12-06T10:30:00+07:00"
    if unit == "CJT-01-03":
        return "2023-12-05T00:05:00+07:00"      # within the 900 s clock skew
    if unit in LATE_COMMUNES or (level == "village" and rng.random() < 0.08):
        return "2023-12-%02dT%02d:00:00+07:00" % (5 + int(rng.random() * 6),
                                                  9 + int(rng.random() * 8))
    return "2023-%s:00:00+07:00" % rng.choice(
        ["11-22T09", "11-24T15", "11-27T10", "11-29T14", "12-01T08", "12-04T16"])


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: generate.py OUT_DIR\n")
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    units, children, base = load()
    rng = random.Random(SEED)
    owner = {}
    for node, scope in COMMUNE_NODES.items():
        owner[scope] = node
    rows = {n: [] for n in list(DISTRICT_NODES) + list(COMMUNE_NODES)}
    for dnode, district in DISTRICT_NODES.items():
        for commune in [district] + children[district]:
            node = owner.get(commune, dnode)
            if commune in SILENT:
                continue
            subtree = [commune] + (children.get(commune, []) if commune != district else [])
            for unit in subtree:
                level = units[unit]["level"]
                # Đắk Glong lags: more slow villages.
                x = rng.random()
                lag = 0.25 if district == "DGL" else 0.0
                pace = "fast" if x < 0.45 - lag else "line" if x < 0.75 - lag / 2 else "slow"
                for year, period in ((1, "2021"), (2, "2022"), (3, "2023")):
                    if period == "2023" and unit in MISSING_2023:
                        continue
                    if level == "village":
                        vals = village_values(rng, base[unit], pace, year)
                        text = "%s: %s" % (units[unit]["name"], {"fast": "giảm nghèo nhanh",
                                                                 "line": "đạt kế hoạch",
                                                                 "slow": "giảm chậm"}[pace])
                    else:
                        scale = 1200 if level == "district" else 120
                        vals = {"fund_vnd": int(scale * (0.6 + rng.random())) * 1_000_000}
                        text = "%s: Quỹ Vì người nghèo" % units[unit]["name"]
                    rows[node].append([CAMPAIGN, period, unit, 1,
                                       completed(rng, period, unit, level), text]
                                      + [vals.get(k, "") for k in INDICATORS])
    for node, rs in rows.items():
        with open(os.path.join(out, node + ".csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["campaign", "period", "unit", "revision", "completed_at", "narrative"]
                       + list(INDICATORS))
            w.writerows(rs)
        print("%s: %d reports" % (node, len(rs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
