"""How computed floats are stored: rounded, finite, as four-decimal text or Decimals."""

from __future__ import annotations

import math
from decimal import Decimal


def rounded(value: float | None, digits: int = 10) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def decimal_text(value: object) -> str | None:
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


def to_decimal(value: float | None) -> Decimal | None:
    """A computed float as the four-decimal figure the database stores."""
    if value is None or not math.isfinite(value):
        return None
    return Decimal(str(round(value, 4))).quantize(Decimal("0.0001"))



def value_text(value: float) -> str:
    """A figure rounded to four decimals, without trailing zeros ("1157.69", "120")."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
