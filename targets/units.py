"""Units of measure and how quantities in them read in Chinese and in English.

One unit is stored per target. Money is stored in 亿元 (100 million RMB), the unit of
the Chinese sources; the plan's English text speaks of "200 billion RMB", which is the
same quantity (2,000 亿元 = RMB 200 billion). Conversion happens only here.
"""

from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

YI_YUAN_PER_BILLION_RMB = Decimal(10)  # 1 亿 = 10^8, 1 billion = 10^9


class Unit(models.TextChoices):
    PATENT = "patent", _("patents")
    ACHIEVEMENT = "achievement", _("achievements")
    PROJECT = "project", _("projects")
    ENTERPRISE = "enterprise", _("enterprises")
    PLATFORM = "platform", _("platforms")
    PARK = "park", _("parks and towns")
    PERSON = "person", _("people")
    YI_YUAN = "yi_yuan", _("100 million RMB (亿元)")
    EFLOPS = "eflops", _("EFLOPS (intelligent computing power)")
    MODEL = "model", _("models")
    ITEM = "item", _("items")


MONEY_UNITS = {Unit.YI_YUAN}

# Short suffixes for Chinese display (the number is followed by the unit).
_ZH_SUFFIX = {
    Unit.PATENT: "件",
    Unit.ACHIEVEMENT: "项",
    Unit.PROJECT: "个",
    Unit.ENTERPRISE: "家",
    Unit.PLATFORM: "个",
    Unit.PARK: "个",
    Unit.PERSON: "人",
    Unit.YI_YUAN: "亿元",
    Unit.EFLOPS: "EFLOPS",
    Unit.MODEL: "个",
    Unit.ITEM: "项",
}


def is_money(unit: str) -> bool:
    return unit in MONEY_UNITS


def _group(value: Decimal, places: int) -> str:
    """Thousands separators, at most `places` decimals, trailing zeros dropped."""
    quantised = round(Decimal(value), places)
    text = f"{quantised:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_quantity(value, unit: str, language: str) -> str:
    """A value in `unit` as a reader of `language` expects it.

    >>> format_quantity(2000, "yi_yuan", "zh-hans")
    '2,000 亿元'
    >>> format_quantity(2000, "yi_yuan", "en")
    'RMB 200 billion'
    """
    if value is None:
        return "—"
    value = Decimal(value)
    if language.startswith("zh"):
        return f"{_group(value, 2)} {_ZH_SUFFIX.get(unit, '')}".strip()
    if is_money(unit):
        return f"RMB {_group(value / YI_YUAN_PER_BILLION_RMB, 2)} billion"
    with translation.override("en"):
        label = str(Unit(unit).label) if unit in Unit.values else unit
    return f"{_group(value, 2)} {label}"
