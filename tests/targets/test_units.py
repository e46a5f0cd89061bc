from decimal import Decimal

import pytest

from targets.units import format_quantity


@pytest.mark.parametrize(
    ("value", "unit", "language", "expected"),
    [
        (2000, "yi_yuan", "zh-hans", "2,000 亿元"),
        (2000, "yi_yuan", "en", "RMB 200 billion"),
        (Decimal("1157.69"), "yi_yuan", "zh-hans", "1,157.69 亿元"),
        (Decimal("1157.69"), "yi_yuan", "en", "RMB 115.77 billion"),
        (5000, "person", "en", "5,000 people"),
        (5000, "person", "zh-hans", "5,000 人"),
        (300, "patent", "zh-hans", "300 件"),
        (Decimal("0.5"), "patent", "en", "0.5 patents"),
        (None, "patent", "en", "—"),
    ],
)
def test_quantities_read_in_the_readers_conventions(value, unit, language, expected):
    assert format_quantity(value, unit, language) == expected
