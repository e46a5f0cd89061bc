"""How computed floats are stored: rounded, finite, as four-decimal text or Decimals."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def rounded(value: float | None, digits: int = 10) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def rounded_all(values: np.ndarray, digits: int = 10) -> list[float | None]:
    """`rounded` of each value of a float array, each distinct value rounded once (a history
    repeats many: every target with the same dates has the same expected progress on a date)."""
    return _each_distinct(values, lambda value: round(value, digits) if math.isfinite(value) else None)


def decimal_text(value: object) -> str | None:
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


def to_decimal(value: float | None) -> Decimal | None:
    """A computed float as the four-decimal figure the database stores."""
    if value is None or not math.isfinite(value):
        return None
    return Decimal(str(round(value, 4))).quantize(Decimal("0.0001"))



def to_decimals(values: np.ndarray) -> list[Decimal | None]:
    """`to_decimal` of each value of a float array (NaN: None), each distinct value converted
    once (a level's attained figure stays the same from one figure to the next)."""
    four = Decimal("0.0001")
    return _each_distinct(
        values, lambda value: Decimal(str(round(value, 4))).quantize(four) if math.isfinite(value) else None)


def _each_distinct(values: np.ndarray, convert: Callable[[float], T]) -> list[T]:
    """`convert` of each value, called once per distinct value. Distinct by bit pattern, so
    that -0.0 and 0.0 stay apart (they round to different floats)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    distinct, position = np.unique(bits, return_inverse=True)
    converted = np.empty(len(distinct), dtype=object)
    converted[:] = [convert(value) for value in distinct.view(np.float64).tolist()]
    result: list[T] = converted[position].tolist()
    return result


def value_text(value: float) -> str:
    """A figure rounded to four decimals, without trailing zeros ("1157.69", "120")."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
