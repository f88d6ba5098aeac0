"""Build the Chinese font subsets that PDF service reports embed (static/fonts/).

    apt-get install -y fonts-noto-cjk          # Debian 12: 1:20220127+repack1-1 (Noto Sans CJK 2.004)
    .venv/bin/python scripts/build_font_subset.py [--source-dir /usr/share/fonts/opentype/noto]

A fresh machine has no CJK fonts, so a PDF rendered there would show boxes instead of hanzi:
the project ships its own font (SPEC WO-12: the signed report is a self-contained, frozen PDF).
The whole Noto Sans CJK face is ~16 MB; this keeps the characters a service report needs:

* ASCII (U+0020-007E) and Latin-1 (U+00A0-00FF);
* General Punctuation (U+2000-206F), Currency Symbols (U+20A0-20CF), Letterlike Symbols
  (U+2100-214F), Number Forms (U+2150-218F), CJK Symbols and Punctuation (U+3000-303F),
  Halfwidth and Fullwidth Forms (U+FF00-FFEF);
* every character of the Basic Multilingual Plane that GB 2312 can encode (its 6,763 hanzi
  plus its symbols, Greek, Cyrillic, box drawing, circled numbers, kana …) — tested one by one
  with ``chr(cp).encode("gb2312")``;
* every non-ASCII character of the Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po) and
  of the demo data (apps/demo/*.py; e.g. 硚 of 硚口区 is not in GB 2312).

Characters the source font does not have are skipped by the subsetter. From the TrueType
collection NotoSansCJK-{Regular,Bold}.ttc the Simplified-Chinese face (PostScript name
NotoSansCJKsc-*) is taken; hinting, vertical-layout tables and features, glyph names and the
'locl' feature (other languages' glyph variants) are dropped; the other default OpenType layout
features (kerning, proportional punctuation …) are kept. The subset is renamed
"Noto Sans SC" / NotoSansSC-Regular|Bold so that a PDF shows which font it embedded (and tests
can tell it from a system-installed Noto Sans CJK). The licence is unchanged: SIL OFL 1.1,
static/fonts/OFL.txt.

Re-run after the catalogue gains characters outside GB 2312 (the script prints what it added);
the output is deterministic for the same source font and inputs.
"""

import argparse
import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "static" / "fonts"
EXTRA_TEXT_FILES = [
    ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    *sorted((ROOT / "apps" / "demo").glob("*.py")),
]

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation
    (0x20A0, 0x20CF),  # Currency Symbols
    (0x2100, 0x214F),  # Letterlike Symbols (℃ №)
    (0x2150, 0x218F),  # Number Forms (Ⅰ Ⅱ Ⅲ)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]
FACES = {"Regular": "NotoSansCJKsc-Regular", "Bold": "NotoSansCJKsc-Bold"}
FAMILY = "Noto Sans SC"
# Vertical writing is not used; 'locl' would pull in the Japanese / Korean / Traditional glyph
# variants (nearly doubling the file) while the SC face's default glyphs already are the SC forms.
DROPPED_FEATURES = {"locl", "vert", "vrt2", "vhal", "vkrn", "vpal", "valt", "vchw", "vjmo"}
MAX_BYTES = 4 * 1024 * 1024  # target per face, so the repository and each first PDF stay small


def gb2312_codepoints() -> set[int]:
    found = set()
    for cp in range(0x00A0, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        found.add(cp)
    return found


def wanted_codepoints() -> tuple[set[int], set[int]]:
    """All code points to keep, and those of them that only the extra text files brought in."""
    base = {cp for lo, hi in RANGES for cp in range(lo, hi + 1)} | gb2312_codepoints()
    extra = set()
    for path in EXTRA_TEXT_FILES:
        extra |= {ord(ch) for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7F}
    return base | extra, extra - base


def load_face(source: Path, postscript_name: str):
    for font in TTCollection(str(source)).fonts:
        if font["name"].getDebugName(6) == postscript_name:
            return font
    raise SystemExit(f"{source} has no face {postscript_name}")


def rename(font, style: str) -> None:
    ps_name = f"NotoSansSC-{style}"
    names = {
        1: FAMILY,
        2: style,
        3: f"{ps_name};subset;scripts/build_font_subset.py",
        4: f"{FAMILY} {style}",
        6: ps_name,
    }
    table = font["name"]
    # Typographic / WWS / compatible names (16-22) would equal these in a two-face family: dropped.
    table.names = [n for n in table.names if n.nameID not in names and not 16 <= n.nameID <= 22]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    top = cff[cff.fontNames[0]]
    cff.fontNames = [ps_name]
    top.FullName = f"{FAMILY} {style}"
    top.FamilyName = FAMILY


def build(source_dir: Path) -> int:
    codepoints, extra = wanted_codepoints()
    if extra:
        print("from the catalogue / demo data, beyond GB 2312 and the ranges:", "".join(map(chr, sorted(extra))))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    status = 0
    for style, ps_name in FACES.items():
        source = source_dir / f"NotoSansCJK-{style}.ttc"
        font = load_face(source, ps_name)
        options = subset.Options()
        options.hinting = False
        options.desubroutinize = False
        options.glyph_names = False
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.drop_tables += ["VORG", "vhea", "vmtx", "BASE"]
        options.layout_features = [f for f in options.layout_features if f not in DROPPED_FEATURES]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        rename(font, style)
        font.recalcTimestamp = False  # keep the source's dates: same inputs, same bytes
        out = OUT_DIR / f"NotoSansSC-{style}-subset.otf"
        font.save(str(out))
        data = out.read_bytes()
        cmap = font.getBestCmap()
        missing_hanzi = [cp for cp in codepoints if 0x4E00 <= cp <= 0x9FFF and cp not in cmap]
        print(
            f"{out.relative_to(ROOT)}: {len(data):,} bytes, {len(font.getGlyphOrder()):,} glyphs, "
            f"{len(cmap):,} characters, sha256 {hashlib.sha256(data).hexdigest()}; "
            f"source {source} sha256 {hashlib.sha256(source.read_bytes()).hexdigest()}"
        )
        if missing_hanzi:
            print(f"  hanzi the source lacks: {''.join(map(chr, missing_hanzi))}")
        if len(data) > MAX_BYTES:
            print(f"  larger than {MAX_BYTES:,} bytes", file=sys.stderr)
            status = 1
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    return build(parser.parse_args().source_dir)


if __name__ == "__main__":
    sys.exit(main())
