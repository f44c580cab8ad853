#!/usr/bin/python3
"""generate.py: writes the sample province of lnob next to this script.

    /usr/bin/python3 deploy/samples/province/generate.py

units.csv     the hierarchy (lnob's format: code,name,parent_code,level,kind):
              1 province, 8 districts, 71 communes, several hundred villages.
baseline.csv  every unit's baseline counts at the start of the 2021-2025
              period (2020-12-31), for the campaign files in ../campaigns/.

The province is modelled on Đắk Nông: its eight district-level units carry
their real names, but every commune and village name, and every number, is
invented. Đắk Glong and Tuy Đức are this sample's poor districts (the
campaign files target them as such): their poverty is set high. Villages are
leaves; each commune, district and the province carry the exact sums of
their children, so lnob's consistency check passes.

Deterministic (a fixed seed, and only random.random(), whose sequence
Python keeps stable), standard library only: running it again rewrites the
same bytes.
"""

import csv
import os
import random

SEED = 20201231
HERE = os.path.dirname(os.path.abspath(__file__))

PROVINCE = ("DNO", "Tỉnh Đắk Nông (mẫu)")

# code, name, communes, poor rate, share of ethnic-minority households, urban
DISTRICTS = [
    ("GNG", "Thành phố Gia Nghĩa", 8, 0.03, 0.12, True),
    ("CJT", "Huyện Cư Jút", 8, 0.09, 0.30, False),
    ("DGL", "Huyện Đắk Glong", 7, 0.26, 0.62, False),   # poor district
    ("DMI", "Huyện Đắk Mil", 10, 0.07, 0.22, False),
    ("DRL", "Huyện Đắk R'Lấp", 11, 0.06, 0.15, False),
    ("DSO", "Huyện Đắk Song", 9, 0.10, 0.28, False),
    ("KNO", "Huyện Krông Nô", 12, 0.12, 0.35, False),
    ("TDU", "Huyện Tuy Đức", 6, 0.23, 0.55, False),     # poor district
]

KINH_FIRST = ["Quảng", "Nam", "Thuận", "Đức", "Nghĩa", "Tâm", "Trúc", "Hòa",
              "Tân", "Phú", "Long", "Kiến", "Nhân", "Hưng", "Thành", "Bình",
              "Xuân", "Minh", "An", "Trường"]
KINH_SECOND = ["Sơn", "Hòa", "Tân", "Bình", "Phú", "Thắng", "Lợi", "Hà", "Lâm",
               "Thịnh", "Xuân", "An", "Minh", "Hưng", "Trung", "Tín", "Đạt",
               "Khê", "Mạnh", "Phong", "Thạnh", "Đà", "Tiến", "Lộc"]
MNONG_FIRST = ["Đắk", "Ea", "Quảng"]
MNONG_SECOND = ["Ha", "Plao", "Som", "R'Măng", "Wer", "Sin", "N'Drung", "Mol",
                "Ngo", "Búk So", "Rung", "Drô", "Nang", "Pô", "T'Ling", "Nia",
                "R'Tih", "Lao", "Gằn", "Sắk", "Hòa", "R'Moan"]
BON_NAMES = ["Bu Prăng", "Bu Dăr", "Ja Ráh", "N'Jang Lu", "Bu N'Đơr", "Bu Sir",
             "Bu Păh", "R'Lơm", "Đắk Huýt", "Bu Ndrung", "Pi Nao", "Ol Bu Tung",
             "Sa Pa", "Châu Mạ", "Bu Koh", "Bu Lum", "Bu Bia", "Păng Sim",
             "Bu Đăk", "Mê Ra", "Jun Jư", "Bu Boong", "Ting Wel", "Ndoh"]
BUON_NAMES = ["Buôn Nui", "Buôn Buôr", "Buôn Trum", "Buôn Dơng", "Buôn Ea Pô",
              "Buôn Ol", "Buôn K'Ré", "Buôn Tân Lập", "Buôn Kôn Hring", "Buôn Ja"]

rng = random.Random(SEED)


def ri(a, b):
    """An integer a..b from random.random() alone."""
    return a + int(rng.random() * (b - a + 1))


def rf(a, b):
    return a + (b - a) * rng.random()


used_names = set()


def commune_name(em_share):
    """A commune name not used before in the province."""
    while True:
        if rng.random() < em_share:
            name = "%s %s" % (MNONG_FIRST[ri(0, len(MNONG_FIRST) - 1)],
                              MNONG_SECOND[ri(0, len(MNONG_SECOND) - 1)])
        else:
            name = "%s %s" % (KINH_FIRST[ri(0, len(KINH_FIRST) - 1)],
                              KINH_SECOND[ri(0, len(KINH_SECOND) - 1)])
        first, second = name.split(" ", 1)
        if name not in used_names and first != second:
            used_names.add(name)
            return name


def villages(n, urban, em_share):
    """n (name, kind, is_em) village names for one commune."""
    if urban:
        return [("Tổ dân phố %d" % (i + 1), "residential group", False)
                for i in range(n)]
    out, used, thon = [], set(), 0
    for _ in range(n):
        if rng.random() < em_share:
            while True:
                if rng.random() < 0.7:
                    name = "Bon " + BON_NAMES[ri(0, len(BON_NAMES) - 1)]
                else:
                    name = BUON_NAMES[ri(0, len(BUON_NAMES) - 1)]
                if name not in used:
                    break
            used.add(name)
            out.append((name, "village", True))
        else:
            thon += 1
            out.append(("Thôn %d" % thon, "village", False))
    return out


def village_counts(poor_rate, em_share, urban, is_em):
    """Baseline counts of one village."""
    hh = ri(150, 420) if urban else ri(60, 260)
    share = rf(0.85, 1.0) if is_em else min(0.9, em_share * rf(0.2, 0.9))
    em = int(round(hh * share))
    r_em = min(0.8, poor_rate * rf(1.3, 2.2))
    r_kinh = poor_rate * rf(0.3, 0.8)
    em_poor = int(round(em * r_em))
    poor = em_poor + int(round((hh - em) * r_kinh))
    near = min(hh - poor, int(round(hh * (0.6 * poor_rate + rf(0.01, 0.05)))))
    members = int(round((poor + near) * rf(3.8, 4.8)))
    insured = int(round(members * rf(0.90, 0.995)))
    return {
        "households_total": hh,
        "poor_households": poor,
        "near_poor_households": near,
        "em_households_total": em,
        "em_poor_households": em_poor,
        "pnp_members": members,
        "pnp_members_insured": insured,
    }


COLUMNS = ["households_total", "poor_households", "near_poor_households",
           "em_households_total", "em_poor_households", "pnp_members",
           "pnp_members_insured"]


def main():
    units = [(PROVINCE[0], PROVINCE[1], "", "province", "administrative")]
    counts = {}          # code -> counts
    children = {}        # code -> child codes

    def add(code, parent, c):
        counts[code] = c
        children.setdefault(parent, []).append(code)

    for dcode, dname, ncommunes, rate, em_share, city in DISTRICTS:
        units.append((dcode, dname, PROVINCE[0], "district", "administrative"))
        children[PROVINCE[0]] = children.get(PROVINCE[0], []) + [dcode]
        for k in range(ncommunes):
            ccode = "%s-%02d" % (dcode, k + 1)
            if city:
                prefix, urban = ("Phường", True) if k < 6 else ("Xã", False)
            else:
                prefix, urban = ("Thị trấn", True) if k == 0 else ("Xã", False)
            cname = "%s %s" % (prefix, commune_name(em_share))
            units.append((ccode, cname, dcode, "commune", "administrative"))
            children.setdefault(dcode, []).append(ccode)
            crate = rate * rf(0.5, 1.5) * (0.4 if urban else 1.0)
            for v, (vname, vkind, is_em) in enumerate(
                    villages(ri(9, 13), urban, em_share)):
                vcode = "%s-%02d" % (ccode, v + 1)
                units.append((vcode, vname, ccode, "village", vkind))
                add(vcode, ccode, village_counts(crate, em_share, urban, is_em))

    # Parents carry the exact sums of their children.
    def total(code):
        if code not in counts:
            sums = dict.fromkeys(COLUMNS, 0)
            for child in children[code]:
                for col, val in total(child).items():
                    sums[col] += val
            counts[code] = sums
        return counts[code]

    total(PROVINCE[0])

    levels = [u[3] for u in units]
    assert levels.count("district") >= 8
    assert levels.count("commune") >= 60
    assert levels.count("village") >= 600

    with open(os.path.join(HERE, "units.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "parent_code", "level", "kind"])
        w.writerows(units)
    with open(os.path.join(HERE, "baseline.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit"] + COLUMNS)
        for u in units:
            w.writerow([u[0]] + [counts[u[0]][col] for col in COLUMNS])
    print("units.csv: %d units (%d districts, %d communes, %d villages); baseline.csv"
          % (len(units), levels.count("district"), levels.count("commune"),
             levels.count("village")))


if __name__ == "__main__":
    main()
