"""Writes for progress entries (the reported figures).

Every entry point — admin, API, import, management command — changes figures through
these functions, so the rules in `targets.validation` and `targets.permissions` are applied
once and the same way everywhere. A change asks for its target's recompute in the same
transaction (`snapshots.recompute_request`): the work is recorded before anyone is told.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from targets import permissions
from targets.models import ProgressEntry, Target
from targets.services.snapshots import recompute_request
from targets.validation import validate_synthetic_origin

ENTRY_FIELDS = (
    "target", "period_end", "value", "qualifier", "source_title", "source_url", "quote",
    "definition_note", "confidence", "confidence_note",
)


@transaction.atomic
def progress_entry_create(
    *,
    target: Target,
    period_end: date,
    value: Decimal,
    source_title: str,
    qualifier: str = ProgressEntry.Qualifier.EXACT,
    source_url: str = "",
    quote: str = "",
    definition_note: str = "",
    confidence: str = ProgressEntry.Confidence.HIGH,
    confidence_note: str = "",
    is_synthetic: bool = False,
    entered_by: AbstractBaseUser | None = None,
) -> ProgressEntry:
    """Validates and stores one figure; raises ValidationError and writes nothing if it is bad."""
    entry = ProgressEntry(
        target=target, period_end=period_end, value=value, qualifier=qualifier,
        source_title=source_title, source_url=source_url, quote=quote,
        definition_note=definition_note, confidence=confidence,
        confidence_note=confidence_note, is_synthetic=is_synthetic, entered_by=entered_by,
    )
    return progress_entry_save(entry=entry, user=entered_by)


@transaction.atomic
def progress_entry_update(*, entry: ProgressEntry, data: dict, user: AbstractBaseUser | None = None) -> ProgressEntry:
    """Changes the given fields of an entry; on a validation error nothing is written."""
    unknown = set(data) - set(ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"Not changeable through this service: {', '.join(sorted(unknown))}")
    for field, value in data.items():
        setattr(entry, field, value)
    return progress_entry_save(entry=entry, user=user)


@transaction.atomic
def progress_entry_save(*, entry: ProgressEntry, user: AbstractBaseUser | None = None) -> ProgressEntry:
    """Validates and saves an entry that a form or serializer has filled in.

    Guarantees: with a user, nothing is written unless `targets.permissions` lets them add
    (no stored row) or change it (PermissionDenied otherwise); the entry obeys every rule in
    `targets.validation` (among them: an entry stays with its target) or nothing is written;
    a save by a person (`user` given) never makes a figure synthetic — only the demo module,
    which passes no user, creates demo figures.
    """
    previous = (
        ProgressEntry.objects.filter(pk=entry.pk).values("is_synthetic").first()
        if entry.pk else None
    )
    # A row that no longer exists (reverting a deleted entry from its history) is an addition.
    permissions.entry_write_check(user=user, action="add" if previous is None else "change", entry=entry)
    if entry.pk is None and entry.entered_by_id is None and user is not None and user.is_authenticated:
        entry.entered_by = user
    validate_synthetic_origin(entry, by_person=user is not None,
                              was_synthetic=previous is not None and previous["is_synthetic"])
    entry.full_clean()
    entry.save()
    recompute_request(plan_id=entry.target.objective.plan_id, target_ids=[entry.target_id])
    return entry


@transaction.atomic
def progress_entry_delete(*, entry: ProgressEntry, user: AbstractBaseUser | None = None) -> None:
    """Deletes an entry and asks for its target's recompute; with a user, only if
    `targets.permissions` lets them (PermissionDenied otherwise, nothing deleted)."""
    permissions.entry_write_check(user=user, action="delete", entry=entry)
    target_id, plan_id = entry.target_id, entry.target.objective.plan_id
    entry.delete()
    recompute_request(plan_id=plan_id, target_ids=[target_id])
