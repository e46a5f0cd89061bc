"""What the targets app's model admins share."""

from targets.language import active_language
from targets.units import format_quantity


def _quantity(value, unit):
    return format_quantity(value, unit, active_language())
