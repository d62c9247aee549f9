#!/usr/bin/env python3
"""Check crates/zhifa/demo/items.json (demo power items, ITEM-1..5).

Usage: python3 check_items.py [path/to/items.json]

Exits 1 and lists every problem found; prints a per-domain summary either way.
Checks: the file parses; item and inspection-list codes are unique and follow
the prefix scheme; kind, domain and procedure agree; citations are well formed;
every grade's `cites` is one of the item's basis entries with role "penalty";
ranges have min <= max; grades are ordered; simple-procedure items only carry a
warning or a fine within the Administrative Penalty Law Art. 51 limits; items
marked first_offence_exempt carry an "exempt" circumstance citing 行政处罚法第三十三条
第一款; inspection-list entries point at inspection items of the same domain.
"""
import json
import os
import re
import sys
from collections import Counter, defaultdict

DOMAINS = {
    "SCJG": "market_regulation",
    "GA": "public_security",
    "STHJ": "ecology_environment",
    "JTYS": "transport",
    "YJGL": "emergency_management",
    "NYNC": "agriculture",
    "WHLY": "culture_tourism",
    "CSGL": "urban_management",
}
KIND_OF_SEGMENT = {"CF": "penalty", "QZ": "coercion", "JC": "inspection", "XK": "licensing"}
PROCEDURES = {
    "penalty": {"general_penalty", "simple_penalty"},
    "coercion": {"coercive_measure"},
    "inspection": {"inspection"},
    "licensing": {"licensing"},
}
ROLES = {"violated", "penalty", "authority"}
GRADES = ["minor", "general", "serious", "severe"]
EFFECTS = {"exempt", "mitigate", "lighten", "aggravate"}
PENALTY_KINDS = {
    "warning", "notice_of_criticism", "fine", "fine_multiple", "confiscate_illegal_gains",
    "confiscate_property", "suspend_business", "revoke_licence", "lower_qualification",
    "restrict_activity", "detention",
}
MULTIPLE_BASES = {"illegal_gains", "goods_value", "sales"}
SIMPLE_CITIZEN_MAX_FEN = 200_00      # APL Art. 51: ¥200 for a citizen
SIMPLE_ORG_MAX_FEN = 3_000_00        # APL Art. 51: ¥3,000 for an organisation
MIN_ITEMS_PER_DOMAIN = 8
MIN_ITEMS = 64
MIN_INSPECTION_LIST = 12

ITEM_CODE = re.compile(r"^(%s)-(CF|QZ|JC|XK)-(\d{3})$" % "|".join(DOMAINS))
LIST_CODE = re.compile(r"^(%s)-CC-(\d{3})$" % "|".join(DOMAINS))

errors = []
warnings = []


def err(where, msg):
    errors.append("%s: %s" % (where, msg))


def warn(where, msg):
    warnings.append("%s: %s" % (where, msg))


def is_pos_int(v):
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def is_nonneg_int(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def nonempty_str(v):
    return isinstance(v, str) and v.strip() != ""


# text limits the platform enforces (SEC-5 check_text in crates/domain)
LIMITS = {"name": 200, "conditions": 1000, "circumstance": 500, "targets": 500,
          "content": 2000, "frequency": 100, "method": 200, "law": 100}


def check_len(where, field, value):
    if isinstance(value, str) and len(value) > LIMITS[field]:
        err(where, "%s is %d characters, limit %d" % (field, len(value), LIMITS[field]))


def citation_key(c):
    return (c.get("law"), c.get("article"), c.get("paragraph"), c.get("item"))


def check_citation(where, c, want_role=True):
    if not isinstance(c, dict):
        err(where, "citation is not an object")
        return False
    keys = {"law", "article", "paragraph", "item"} | ({"role"} if want_role else set())
    if set(c) != keys:
        err(where, "citation keys %s, expected %s" % (sorted(c), sorted(keys)))
    ok = True
    law = c.get("law")
    if not nonempty_str(law):
        err(where, "law missing")
        ok = False
    elif "《" in law or "》" in law:
        err(where, "law name must not carry book-title marks: %r" % law)
    else:
        check_len(where, "law", law)
    if not is_pos_int(c.get("article")):
        err(where, "article must be a positive integer, got %r" % (c.get("article"),))
        ok = False
    for k in ("paragraph", "item"):
        v = c.get(k)
        if v is not None and not is_pos_int(v):
            err(where, "%s must be a positive integer or null, got %r" % (k, v))
            ok = False
    if want_role and c.get("role") not in ROLES:
        err(where, "role must be one of %s, got %r" % (sorted(ROLES), c.get("role")))
        ok = False
    return ok


def check_penalty(where, p, domain):
    if not isinstance(p, dict) or p.get("kind") not in PENALTY_KINDS:
        err(where, "unknown penalty %r" % (p,))
        return
    k = p["kind"]
    if k == "fine":
        if set(p) != {"kind", "min_fen", "max_fen"}:
            err(where, "fine needs exactly min_fen, max_fen")
        lo, hi = p.get("min_fen"), p.get("max_fen")
        if not (is_nonneg_int(lo) and is_pos_int(hi)):
            err(where, "fine amounts must be integers (fen)")
        elif lo > hi:
            err(where, "fine min %d > max %d" % (lo, hi))
    elif k == "fine_multiple":
        if set(p) != {"kind", "of", "min_pct", "max_pct"}:
            err(where, "fine_multiple needs exactly of, min_pct, max_pct")
        if p.get("of") not in MULTIPLE_BASES:
            err(where, "fine_multiple base must be one of %s" % sorted(MULTIPLE_BASES))
        lo, hi = p.get("min_pct"), p.get("max_pct")
        if not (is_nonneg_int(lo) and is_pos_int(hi)):
            err(where, "fine_multiple percentages must be integers")
        elif lo > hi:
            err(where, "fine_multiple min %d%% > max %d%%" % (lo, hi))
    elif k == "detention":
        if set(p) != {"kind", "min_days", "max_days"}:
            err(where, "detention needs exactly min_days, max_days")
        lo, hi = p.get("min_days"), p.get("max_days")
        if not (is_pos_int(lo) and is_pos_int(hi)):
            err(where, "detention days must be positive integers")
        elif lo > hi:
            err(where, "detention min %d > max %d" % (lo, hi))
        elif hi > 15:
            err(where, "detention above 15 days for a single act")
        if domain != "public_security":
            err(where, "detention is only for public_security items")
    elif set(p) != {"kind"}:
        err(where, "%s takes no parameters" % k)


def check_item(it, seen):
    code = it.get("code")
    where = "item %s" % code
    m = ITEM_CODE.match(code or "")
    if not m:
        err(where, "code does not match PREFIX-(CF|QZ|JC|XK)-NNN")
        return None
    if code in seen:
        err(where, "duplicate code")
    seen.add(code)
    prefix, segment = m.group(1), m.group(2)
    domain, kind = it.get("domain"), it.get("kind")
    if domain != DOMAINS[prefix]:
        err(where, "domain %r does not match prefix %s (%s)" % (domain, prefix, DOMAINS[prefix]))
    if kind != KIND_OF_SEGMENT[segment]:
        err(where, "kind %r does not match code segment %s" % (kind, segment))
    if kind not in PROCEDURES or it.get("procedure") not in PROCEDURES[kind]:
        err(where, "procedure %r not allowed for kind %r" % (it.get("procedure"), kind))
    if not nonempty_str(it.get("name")):
        err(where, "name missing")
    check_len(where, "name", it.get("name"))
    expected = {"code", "name", "kind", "domain", "procedure", "basis", "benchmark"}
    if set(it) != expected:
        err(where, "keys %s, expected %s" % (sorted(it), sorted(expected)))

    basis = it.get("basis")
    if not isinstance(basis, list) or not basis:
        err(where, "basis must be a non-empty list")
        basis = []
    keys = Counter()
    for i, c in enumerate(basis):
        check_citation("%s basis[%d]" % (where, i), c)
        keys[(citation_key(c), c.get("role"))] += 1
    for (k, role), n in keys.items():
        if n > 1:
            err(where, "basis entry %s (%s) listed %d times" % (k, role, n))
    roles = Counter(c.get("role") for c in basis if isinstance(c, dict))
    penalty_keys = {citation_key(c) for c in basis if isinstance(c, dict) and c.get("role") == "penalty"}

    bm = it.get("benchmark")
    if kind != "penalty":
        if roles.get("authority", 0) == 0:
            err(where, "%s item needs at least one basis entry with role authority" % kind)
        if roles.get("penalty", 0) or roles.get("violated", 0):
            err(where, "%s item should cite only authority provisions" % kind)
        if bm is not None:
            err(where, "benchmark must be null for kind %s" % kind)
        return it

    if not penalty_keys:
        err(where, "penalty item needs at least one basis entry with role penalty")
    if roles.get("authority", 0):
        err(where, "penalty item should not carry authority citations")
    if not isinstance(bm, dict):
        err(where, "penalty item needs a benchmark")
        return it
    if set(bm) != {"grades", "circumstances", "first_offence_exempt"}:
        err(where, "benchmark keys %s" % sorted(bm))
    grades = bm.get("grades") or []
    if not (2 <= len(grades) <= 4):
        err(where, "benchmark needs 2-4 grades, has %d" % len(grades))
    order = []
    for gi, g in enumerate(grades):
        gw = "%s grade[%d]" % (where, gi)
        if set(g) != {"grade", "conditions", "penalties", "cites"}:
            err(gw, "keys %s" % sorted(g))
        if g.get("grade") not in GRADES:
            err(gw, "grade %r not one of %s" % (g.get("grade"), GRADES))
            continue
        order.append(GRADES.index(g["grade"]))
        if not nonempty_str(g.get("conditions")):
            err(gw, "conditions missing")
        check_len(gw, "conditions", g.get("conditions"))
        pens = g.get("penalties")
        if not isinstance(pens, list) or not pens:
            err(gw, "penalties must be a non-empty list")
            pens = []
        for pi, p in enumerate(pens):
            check_penalty("%s penalty[%d]" % (gw, pi), p, it.get("domain"))
        kinds = [p.get("kind") for p in pens if isinstance(p, dict)]
        for k, n in Counter(kinds).items():
            if n > 1:
                err(gw, "penalty kind %s listed %d times" % (k, n))
        cites = g.get("cites")
        if check_citation(gw + " cites", cites, want_role=False):
            if citation_key(cites) not in penalty_keys:
                err(gw, "cites %s is not a basis entry with role penalty" % (citation_key(cites),))
        if it.get("procedure") == "simple_penalty":
            for p in pens:
                if p.get("kind") == "warning":
                    continue
                if p.get("kind") == "fine" and p.get("max_fen", 0) <= SIMPLE_ORG_MAX_FEN:
                    if p.get("max_fen", 0) > SIMPLE_CITIZEN_MAX_FEN:
                        warn(gw, "simple procedure fine above ¥200 is only lawful against an organisation")
                    continue
                err(gw, "simple_penalty item carries %s beyond APL Art. 51 limits" % p.get("kind"))
    if order != sorted(set(order)):
        err(where, "grades must be distinct and ordered minor < general < serious < severe")

    circ = bm.get("circumstances")
    if not isinstance(circ, list) or not circ:
        err(where, "circumstances must be a non-empty list")
        circ = []
    for ci, c in enumerate(circ):
        cw = "%s circumstance[%d]" % (where, ci)
        if not isinstance(c, dict) or set(c) != {"effect", "text"}:
            err(cw, "needs exactly effect and text")
            continue
        if c.get("effect") not in EFFECTS:
            err(cw, "effect %r not one of %s" % (c.get("effect"), sorted(EFFECTS)))
        if not nonempty_str(c.get("text")):
            err(cw, "text missing")
        check_len(cw, "circumstance", c.get("text"))
    foe = bm.get("first_offence_exempt")
    if not isinstance(foe, bool):
        err(where, "first_offence_exempt must be a boolean")
    elif foe and not any(c.get("effect") == "exempt" and "第三十三条第一款" in c.get("text", "")
                         for c in circ if isinstance(c, dict)):
        err(where, "first_offence_exempt item lacks an exempt circumstance citing 行政处罚法第三十三条第一款")
    return it


def check_list_entry(e, items_by_code, seen):
    code = e.get("code")
    where = "inspection_list %s" % code
    expected = {"code", "domain", "item_code", "name", "basis", "targets", "content",
                "ratio_pct", "frequency", "method"}
    if set(e) != expected:
        err(where, "keys %s, expected %s" % (sorted(e), sorted(expected)))
    m = LIST_CODE.match(code or "")
    if not m:
        err(where, "code does not match PREFIX-CC-NNN")
    elif e.get("domain") != DOMAINS[m.group(1)]:
        err(where, "domain %r does not match prefix" % e.get("domain"))
    if code in seen:
        err(where, "duplicate code")
    seen.add(code)
    target = items_by_code.get(e.get("item_code"))
    if target is None:
        err(where, "item_code %r is not an item" % e.get("item_code"))
    else:
        if target.get("kind") != "inspection":
            err(where, "item_code %s is a %s item, not an inspection item" % (e["item_code"], target.get("kind")))
        if target.get("domain") != e.get("domain"):
            err(where, "item_code %s belongs to another domain" % e["item_code"])
    basis = e.get("basis")
    if not isinstance(basis, list) or not basis:
        err(where, "basis must be a non-empty list")
    else:
        for i, c in enumerate(basis):
            if check_citation("%s basis[%d]" % (where, i), c) and c.get("role") != "authority":
                err(where, "basis[%d] role must be authority" % i)
    for k in ("name", "targets", "content", "frequency", "method"):
        if not nonempty_str(e.get(k)):
            err(where, "%s missing" % k)
        check_len(where, k, e.get(k))
    r = e.get("ratio_pct")
    if not (is_pos_int(r) and r <= 100):
        err(where, "ratio_pct must be an integer 1..100")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "items.json")
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as e:
        print("items.json does not parse: %s" % e)
        return 1
    if "\r" in raw:
        err("file", "line ends must be LF")
    if not isinstance(doc, dict) or set(doc) != {"items", "inspection_list"}:
        err("file", "top level must be an object with items and inspection_list")
        doc = doc if isinstance(doc, dict) else {}
    items = doc.get("items") or []
    listed = doc.get("inspection_list") or []

    seen = set()
    checked = [check_item(it, seen) for it in items]
    items_by_code = {it["code"]: it for it in checked if it}
    for e in listed:
        check_list_entry(e, items_by_code, seen)

    per_domain = defaultdict(Counter)
    for it in items_by_code.values():
        d = it.get("domain")
        per_domain[d][it.get("kind")] += 1
        per_domain[d]["total"] += 1
        if it.get("procedure") == "simple_penalty":
            per_domain[d]["simple"] += 1
        if (it.get("benchmark") or {}).get("first_offence_exempt"):
            per_domain[d]["first_offence"] += 1
    for e in listed:
        per_domain[e.get("domain")]["listed"] += 1
    for d in DOMAINS.values():
        c = per_domain[d]
        if c["total"] < MIN_ITEMS_PER_DOMAIN:
            err(d, "has %d items, needs at least %d" % (c["total"], MIN_ITEMS_PER_DOMAIN))
        if c["penalty"] < 1 or c["inspection"] < 1:
            err(d, "needs at least one penalty and one inspection item")
    if len(items) < MIN_ITEMS:
        err("file", "%d items, needs at least %d" % (len(items), MIN_ITEMS))
    if len(listed) < MIN_INSPECTION_LIST:
        err("file", "%d inspection_list entries, needs at least %d" % (len(listed), MIN_INSPECTION_LIST))

    cols = ["total", "penalty", "coercion", "inspection", "licensing", "simple", "first_offence", "listed"]
    print("%-22s %s" % ("domain", " ".join("%9s" % c for c in cols)))
    for d in DOMAINS.values():
        print("%-22s %s" % (d, " ".join("%9d" % per_domain[d][c] for c in cols)))
    print("%-22s %s" % ("all", " ".join("%9d" % sum(per_domain[d][c] for d in DOMAINS.values()) for c in cols)))
    laws = Counter(c["law"] for it in items for c in it.get("basis", []) if isinstance(c, dict) and "law" in c)
    print("\nlaws cited (basis entries):")
    for law, n in laws.most_common():
        print("  %3d  %s" % (n, law))
    for w in warnings:
        print("warning: " + w)
    if errors:
        print("\n%d problem(s):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("\nok: %d items, %d inspection-list entries" % (len(items), len(listed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
