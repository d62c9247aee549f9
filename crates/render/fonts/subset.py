#!/usr/bin/env python3
"""Produce the vendored CJK serif fonts of zhifa-render.

Source: Debian packages `fonts-noto-cjk` (Noto Serif CJK) and `fonts-noto-core` (Noto Sans
        Symbols 2), both SIL Open Font License 1.1: `apt-get install -y fonts-noto-cjk fonts-noto-core`.
Tool:   fontTools from PyPI (`pip install fonttools`).

Takes the Simplified Chinese face (index 2, "Noto Serif CJK SC") of the Regular and Bold
collections and keeps only the code points an enforcement document needs: ASCII and
Latin-1, general punctuation, letter-like and number forms, arrows, some maths, enclosed
numbers, box drawing, shapes and check marks, CJK symbols and punctuation, CJK Unified
Ideographs (U+4E00-U+9FFF) and Extension A (U+3400-U+4DBF), compatibility forms and
full-width forms. Hinting is dropped (PDF viewers do not use CFF hints at print sizes).

The Bold face is used for titles and headings only, so to keep the vendored bytes small
it keeps, of the ideographs, only the 6,763 hanzi of GB 2312; a rarer character in a
bold title falls back to the Regular face (Typst's per-glyph fallback), which has them all.

Run from this directory:  python3 subset.py [source-dir [output-file ...]]
The output is deterministic for a given source and fontTools version.
"""

import os
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts"
SC_INDEX = 2  # JP, KR, SC, TC, HK in the Noto CJK collections

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: · × ÷ § °
    (0x02C6, 0x02DD),  # spacing modifiers
    (0x0391, 0x03C9),  # Greek (used in units and formulas)
    (0x0401, 0x0451),  # Cyrillic in GB 2312
    (0x2000, 0x206F),  # general punctuation: — ‘ ’ “ ” … ‰ ※
    (0x20AC, 0x20AC),  # euro sign
    (0x2100, 0x214F),  # letter-like: ℃ № ℡
    (0x2150, 0x218F),  # number forms: Ⅰ Ⅱ Ⅲ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators: √ ≤ ≥ ≠
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ⑴ ⒈
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes: □ ■ ○ ● △
    (0x2600, 0x26FF),  # miscellaneous symbols: ☐ ☑ ★
    (0x2700, 0x27BF),  # dingbats: ✓ ✔ ✕
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〔〕《》「」〇
    (0x3200, 0x32FF),  # enclosed CJK letters: ㈠ ㊣
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]



def gb2312_hanzi() -> list[int]:
    """The 6,763 hanzi of GB 2312 (rows 16-87), decoded with Python's own codec."""
    out = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                ch = bytes([row, cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            out.append(ord(ch))
    return out


def is_ideograph(cp: int) -> bool:
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF


def regular_set() -> list[int]:
    return [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]


def bold_set() -> list[int]:
    return [cp for cp in regular_set() if not is_ideograph(cp)] + gb2312_hanzi()


def symbols_set() -> list[int]:
    """Check boxes and marks Noto Serif CJK lacks (☐ ☑ ☒ ✓ ✔ ✗ ✘ …), from Noto Sans Symbols 2."""
    ranges = [(0x2190, 0x21FF), (0x2300, 0x23FF), (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x2700, 0x27BF)]
    return [cp for lo, hi in ranges for cp in range(lo, hi + 1)]


# source file (in the source directory), face index, output, code points
OUTPUTS = [
    ("opentype/noto/NotoSerifCJK-Regular.ttc", SC_INDEX, "NotoSerifCJKsc-Regular.subset.otf", regular_set),
    ("opentype/noto/NotoSerifCJK-Bold.ttc", SC_INDEX, "NotoSerifCJKsc-Bold.subset.otf", bold_set),
    # Debian package fonts-noto-core (SIL OFL 1.1).
    ("truetype/noto/NotoSansSymbols2-Regular.ttf", None, "NotoSansSymbols2-Regular.subset.ttf", symbols_set),
]


def unicode_cmap_only_format_12(font) -> None:
    """Keep the mapping in format 12 subtables only.

    With ~29,000 scattered glyph ids the format 4 subtable outgrows its 16-bit length
    field, and readers (ttf-parser, and so Typst) then find .notdef for some characters.
    Format 12 has 32-bit lengths; every modern reader uses it.
    """
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    mapping = font.getBestCmap()
    tables = []
    for platform, encoding in ((0, 4), (3, 10)):
        table = CmapSubtable.newSubtable(12)
        table.platformID, table.platEncID, table.language = platform, encoding, 0
        table.cmap = dict(mapping)
        tables.append(table)
    font["cmap"].tables = tables


def main() -> None:
    only = sys.argv[2:]  # optionally: which outputs to remake
    for src_name, index, out_name, charset in OUTPUTS:
        if only and out_name not in only:
            continue
        unicodes = charset()
        path = os.path.join(SRC, src_name)
        font = TTCollection(path).fonts[index] if index is not None else TTFont(path)
        options = subset.Options()
        options.hinting = False
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.recalc_timestamp = False
        options.layout_features = ["ccmp", "locl", "kern", "palt", "halt", "vert", "vrt2", "fwid", "hwid"]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        unicode_cmap_only_format_12(font)
        font.recalcTimestamp = False  # keep the source's dates: the same input gives the same bytes
        font.save(out_name)
        cmap = font.getBestCmap()
        print(f"{out_name}: {os.path.getsize(out_name)} bytes, {len(cmap)} code points")


if __name__ == "__main__":
    main()
