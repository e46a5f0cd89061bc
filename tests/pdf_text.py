"""Reading a PDF back in tests: its fonts, and its text: text runs split words, ligatures (ﬁ) and full-width
punctuation come out as they were drawn, and a CJK font's glyphs may map to their look-alikes
among the Kangxi radicals (⼀ for 一, which NFKC folds back) or the CJK Radicals Supplement
(⻅ for 见, which it does not)."""

import re
import unicodedata


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def pdf_text_has(text: str, expected: str) -> bool:
    """Whether a PDF's extracted text holds `expected`, spaces and those look-alikes aside."""
    pattern = "".join(f"[{re.escape(c)}\u2e80-\u2eff]" if "\u4e00" <= c <= "\u9fff" else re.escape(c)
                      for c in squeeze(expected))
    return re.search(pattern, squeeze(text)) is not None


def embedded_fonts(reader) -> dict[str, bool]:
    """Each font the PDF uses, by name, and whether its glyphs are in the file: a font file
    (TrueType, CFF), or — as Chromium's Skia writes CFF-outlined fonts such as Noto Sans CJK —
    a Type 3 font whose glyph outlines are drawing procedures (/CharProcs), named in its
    font descriptor."""
    fonts = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            name = str(font.get("/BaseFont") or descriptor.get("/FontName"))
            outlines = font.get("/Subtype") == "/Type3" and len(font.get("/CharProcs").get_object()) > 0
            fonts[name] = outlines or any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts
