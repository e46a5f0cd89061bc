"""The API's JSON parser: DRF's, refusing bodies nested deeper than any real request.

Python's json module parses nesting recursively: about a thousand levels (a 10 kB body of
brackets) end in RecursionError, a 500. Our bodies are one object of plain values (depth 1);
the limit leaves room and refuses the rest with a 400 before parsing.
"""

import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32

# A JSON string (its brackets are text, not structure); the "unrolled loop" form scans a
# long string in linear time.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (0 for a plain value), without parsing it.

    Linear in the length and without recursion; for malformed JSON the number may be
    wrong, but the parser refuses such text anyway.
    """
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except ValueError as exc:  # not in the declared encoding
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(text) > self.max_depth:
            raise ParseError(_(
                "The JSON body is nested more than %(limit)s levels deep. Send one object of "
                "plain values, such as {\"value\": 120}."
            ) % {"limit": self.max_depth})
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
