"""Which characters text may contain — the one place this rule lives.

Everything that takes text from outside goes through these functions: the request middleware
(query strings and form bodies, `edge.middleware`), the model fields that every write path
validates through `full_clean` (`edge.fields`: admin, API, import, commands), the API's
code-or-id lookups and the measure import's rows.

- Control characters (Unicode category Cc: NUL, the other C0 codes, DEL, the C1 codes) are
  refused everywhere, except tab, line feed and carriage return in multi-line text. NUL cannot
  even be stored by PostgreSQL; the others are invisible and serve no reader.
- Lone surrogates (category Cs) cannot be encoded as UTF-8: JSON can spell them (`"\\ud800"`)
  but no database can store them.
- Text-direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are
  refused: no language of this site needs them, and they make text display differently from
  what is stored (a figure or a source title that reads backwards).
- "Blank-looking" text — nothing but whitespace and invisible format characters (zero-width
  spaces and joiners, byte-order marks, direction marks) — is empty: `strip_invisible` takes
  them off both ends, so a required field given only a zero-width space is refused as empty.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LINE_BREAKS_AND_TAB = frozenset("\t\n\r")
DIRECTION_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not contain, or None if it is acceptable."""
    for character in text:
        if character in DIRECTION_OVERRIDES:
            return character
        category = unicodedata.category(character)
        if category == "Cs" or (category == "Cc" and not (multiline and character in LINE_BREAKS_AND_TAB)):
            return character
    return None


def describe(character: str) -> str:
    """A character as a reader can name it: U+0000 and its Unicode name if it has one."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else "")


def _invisible(character: str) -> bool:
    # Whitespace (Zs, Zl, Zp and the whitespace controls) and format characters (Cf: zero-width
    # space/joiners, BOM, direction marks and controls). U+180E (Mongolian vowel separator) is Cf.
    return character.isspace() or unicodedata.category(character) == "Cf"


def strip_invisible(text: str) -> str:
    """`text` without whitespace and invisible format characters at either end."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank_looking(text: str) -> bool:
    return strip_invisible(text) == ""


def _refusal(character: str) -> str:
    if character in DIRECTION_OVERRIDES:
        return _(
            "Remove the text-direction control character %(character)s: this field does not accept it."
        ) % {"character": describe(character)}
    return _(
        "Remove the control character %(character)s: this field does not accept control characters."
    ) % {"character": describe(character)}


def validate_line(value) -> None:
    """A single line: no control character at all (no line break or tab either)."""
    if isinstance(value, str):
        character = forbidden_character(value)
        if character is not None:
            if character in LINE_BREAKS_AND_TAB:
                raise ValidationError(
                    _("Enter a single line: remove the line break or tab (%(character)s).")
                    % {"character": describe(character)},
                    code="control_character",
                )
            raise ValidationError(_refusal(character), code="control_character")


def validate_multiline(value) -> None:
    """Several lines: tab, line feed and carriage return allowed, other control characters not."""
    if isinstance(value, str):
        character = forbidden_character(value, multiline=True)
        if character is not None:
            raise ValidationError(_refusal(character), code="control_character")
