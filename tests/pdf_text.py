"""Reading a PDF's text back in tests: text runs split words, ligatures (ﬁ) and full-width
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
