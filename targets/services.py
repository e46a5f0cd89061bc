"""Writes for plans, targets and progress entries.

Every entry point — admin, API, import, management command, task — changes data
through these functions, so the rules in `targets.validation` are applied once and the
same way everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from targets.models import ProgressEntry, Target

ENTRY_FIELDS = (
    "period_end", "value", "qualifier", "source_title", "source_url", "quote",
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

    Guarantees: the entry obeys every rule in `targets.validation` or nothing is written.
    """
    if entry.pk is None and entry.entered_by_id is None and user is not None and user.is_authenticated:
        entry.entered_by = user
    previous_target_id = (
        ProgressEntry.objects.filter(pk=entry.pk).values_list("target_id", flat=True).first()
        if entry.pk else None
    )
    entry.full_clean()
    entry.save()
    _entries_changed({entry.target_id, previous_target_id} - {None})
    return entry


@transaction.atomic
def progress_entry_delete(*, entry: ProgressEntry, user: AbstractBaseUser | None = None) -> None:
    target_id = entry.target_id
    entry.delete()
    _entries_changed({target_id})


def _entries_changed(target_ids: set[int]) -> None:
    """Hook for what must follow a change of figures (the progress engine's recompute)."""


@transaction.atomic
def plan_load(*, data: dict) -> dict[str, int]:
    """Creates the plan, objectives, targets, named items and entries described by `data`.

    Guarantees: creates only what is missing, matched by natural keys (plan code,
    objective number, target code, item code, entry period); never changes an existing
    row, so an administrator's edits survive every reload. Every object is validated;
    one bad object raises ValidationError and nothing is written. Returns counts of
    created rows per kind.
    """
    from targets.models import Objective, Plan, TargetItem

    created = {"plans": 0, "objectives": 0, "targets": 0, "items": 0, "entries": 0}
    plan_fields = dict(data["plan"])
    code = plan_fields.pop("code")
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        plan = _create_validated(Plan(code=code, **plan_fields))
        created["plans"] += 1

    for objective_data in data["objectives"]:
        objective_fields = {k: v for k, v in objective_data.items() if k != "targets"}
        number = objective_fields.pop("number")
        objective = Objective.objects.filter(plan=plan, number=number).first()
        if objective is None:
            objective = _create_validated(Objective(plan=plan, number=number, **objective_fields))
            created["objectives"] += 1
        for target_data in objective_data["targets"]:
            target_fields = {k: v for k, v in target_data.items() if k != "items"}
            target = Target.objects.filter(code=target_fields["code"]).first()
            if target is None:
                target = _create_validated(Target(objective=objective, **target_fields))
                created["targets"] += 1
            existing_items = set(target.items.values_list("code", flat=True))
            for order, item_data in enumerate(target_data.get("items", []), start=1):
                if item_data["code"] not in existing_items:
                    _create_validated(TargetItem(target=target, order=order, **item_data))
                    created["items"] += 1

    for entry_data in data.get("entries", []):
        fields = dict(entry_data)
        target = Target.objects.get(code=fields.pop("target"))
        if not target.entries.filter(period_end=fields["period_end"]).exists():
            progress_entry_create(target=target, **fields)
            created["entries"] += 1
    return created


def _create_validated(instance):
    instance.full_clean()
    instance.save()
    return instance


# Roles. Permissions are named by "app_label.codename"; the data-entry role may add,
# change and delete figures and measure updates, and read everything else.
ROLE_ZONE_ADMINISTRATOR = "Zone administrator"
ROLE_DATA_ENTRY = "Data entry"
ROLE_VIEWER = "Viewer"
ROLE_APPS = ("targets", "measures")
DATA_ENTRY_MODELS = {("targets", "progressentry"), ("measures", "measureupdate")}


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Creates or updates the three user groups with exactly their permissions.

    Idempotent: running it again leaves the same groups and permissions. Returns the
    number of permissions each group holds.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Permissions are normally created after `migrate`; make sure they exist even
    # when this runs inside the same process (tests, first start).
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    role_permissions = Permission.objects.filter(content_type__app_label__in=ROLE_APPS).select_related("content_type")
    wanted: dict[str, list] = {ROLE_ZONE_ADMINISTRATOR: [], ROLE_DATA_ENTRY: [], ROLE_VIEWER: []}
    for permission in role_permissions:
        model = (permission.content_type.app_label, permission.content_type.model)
        action = permission.codename.split("_", 1)[0]
        wanted[ROLE_ZONE_ADMINISTRATOR].append(permission)
        if action == "view" or model in DATA_ENTRY_MODELS:
            wanted[ROLE_DATA_ENTRY].append(permission)
        if action == "view":
            wanted[ROLE_VIEWER].append(permission)
    # Administrators also manage API tokens and the recompute schedule.
    wanted[ROLE_ZONE_ADMINISTRATOR] += list(
        Permission.objects.filter(content_type__app_label__in=("authtoken", "django_celery_beat"))
    )
    counts = {}
    for name, permissions in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


@transaction.atomic
def administrator_ensure(*, username: str, password: str | None) -> tuple[bool, str | None]:
    """Creates a superuser in the zone-administrator group unless any superuser exists.

    Returns (created, generated_password); the password is generated only when none
    was given, and is returned so that the caller can show it once.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils.crypto import get_random_string

    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return False, None
    generated = None
    if not password:
        generated = password = get_random_string(20)
    user = user_model.objects.create_superuser(username=username, email="", password=password)
    group = Group.objects.filter(name=ROLE_ZONE_ADMINISTRATOR).first()
    if group is not None:
        user.groups.add(group)
    return True, generated
