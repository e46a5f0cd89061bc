"""Addressing plans and targets by their stable code or by id."""

from django.db.models import Model, Q, QuerySet

# Larger numbers overflow the databases' integer columns (an error, not "not found").
_MAX_ID = 2**63 - 1


def as_id(key) -> int | None:
    """`key` as a database id, or None if it cannot be one."""
    text = str(key)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= _MAX_ID else None


def code_or_id_q(key, *, prefix: str = "") -> Q:
    """Matches the row whose code is `key` or, if `key` is a number, whose id is."""
    match = Q(**{f"{prefix}code": str(key)})
    number = as_id(key)
    if number is not None:
        match |= Q(**{f"{prefix}id": number})
    return match


def by_code_or_id(queryset: QuerySet, key) -> Model | None:
    """The row with code `key`, else the row with id `key` (a code wins over an id)."""
    found = list(queryset.filter(code_or_id_q(key))[:2])
    if len(found) > 1:
        found.sort(key=lambda row: row.code != str(key))
    return found[0] if found else None
