"""Who may write what: the one module for the write rules of figures, measure updates and
reporting rounds.

Every entry service (`targets.services`, `measures.services`, `reporting.services`) calls
these checks before it writes, whenever it is given a user; the admin and the API turn
their PermissionDenied into 403. System callers (management commands, `load_plan`, the demo
data) pass no user and are not checked: they act for the installation, not for a person.

The rules:
- a *zone administrator* (a superuser, or a holder of `reporting.approve_roundset`, which
  the Zone administrator group has) may change every figure, measure update and set, and
  approve or return sets;
- a *data-entry* user needs the model permission (the Data entry group) and, for a figure,
  membership of the indicator's responsible agency; for a measure update, membership of the
  measure's lead agency when the measure has one (the 35 placeholder measures have none and
  stay open to the role). Named items' updates keep the role's rule: a qualitative target has
  no indicator and so no agency;
- a data-entry user may not delete an approved figure: it is published, and only a zone
  administrator withdraws it (they propose a revision instead);
- reading: an unapproved figure (draft or submitted) is seen only by the members of its
  indicator's agency who enter figures, and by zone administrators
  (`pending_figures_agency_ids`); approved figures are public. Every read of figures — the
  API's lists, detail, filters, CSV and conditional-GET validators, the admin — filters by it.
It lives in its own module, beside `targets.validation`, rather than in `targets.services`,
because the services of three apps call it and it is a rule, not a write.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from measures.models import MeasureUpdate
    from reporting.models import RoundSet
    from targets.models import Observation

REFUSALS = {
    "add": _("You may not add %(entries)s."),
    "change": _("You may not change these %(entries)s."),
    "delete": _("You may not delete these %(entries)s."),
}
ZONE_ADMINISTRATOR_PERMISSION = "reporting.approve_roundset"


def is_zone_administrator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """The single test of the zone administrator's role: may change every figure and approve
    or return an agency's set. A superuser passes (`has_perm` is always true for one)."""
    return bool(user is not None and user.is_active and user.has_perm(ZONE_ADMINISTRATOR_PERMISSION))


class SecondFactor(enum.Enum):
    REQUIRED = "required"  # must enrol on first sign-in and pass it before every admin session
    OPTIONAL = "optional"  # may enrol; once enrolled, is asked like the required
    NOT_ASKED = "not asked"


DATA_ENTRY_PERMISSION = "targets.add_observation"


def second_factor(user: AbstractBaseUser | AnonymousUser | None) -> SecondFactor:
    """Who signs in to the admin with a second factor (TOTP, or a single-use recovery code):
    zone administrators and superusers must, since they can change and publish everything;
    data entry may (their writes are bounded by their agency); viewers, who only read, are not
    asked. ADMIN_TWO_FACTOR=0 (a laptop) asks nobody."""
    if not settings.ADMIN_TWO_FACTOR or user is None or not user.is_authenticated or not user.is_active:
        return SecondFactor.NOT_ASKED
    if user.is_superuser or is_zone_administrator(user):
        return SecondFactor.REQUIRED
    if user.has_perm(DATA_ENTRY_PERMISSION):
        return SecondFactor.OPTIONAL
    return SecondFactor.NOT_ASKED


def user_agency_ids(user: AbstractBaseUser | AnonymousUser | None) -> set[int]:
    """The agencies a user belongs to (cached on the user object: one query per request)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_agency_ids", None)
    if cached is None:
        cached = set(user.agencies.values_list("id", flat=True))
        user._agency_ids = cached
    return cached


def pending_figures_agency_ids(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[int] | None:
    """The agencies whose unapproved figures (drafts, submitted) `user` may see: None for every
    agency (a zone administrator); else the agencies they belong to, if they enter figures (the
    data-entry role); an empty set for everyone else, who see approved figures only. An
    indicator without an agency has its unapproved figures seen by zone administrators only."""
    if is_zone_administrator(user):
        return None
    if user is None or not (user.is_authenticated and user.is_active and user.has_perm("targets.change_observation")):
        return frozenset()
    return frozenset(user_agency_ids(user))


def may_see_figure(user: AbstractBaseUser | AnonymousUser | None, observation: Observation) -> bool:
    """`pending_figures_agency_ids` for one figure (or one version of it, from its history)."""
    from targets.models import Indicator, Observation

    agency_ids = pending_figures_agency_ids(user)
    if agency_ids is None or observation.status == Observation.Status.APPROVED:
        return True
    agency_id = Indicator.objects.filter(pk=observation.indicator_id).values_list("agency_id", flat=True).first()
    return agency_id is not None and agency_id in agency_ids


def entry_write_check(
    *, user: AbstractBaseUser | AnonymousUser | None, action: str, entry: Observation | MeasureUpdate
) -> None:
    """Raises PermissionDenied unless `user` may `action` ("add", "change" or "delete") `entry`.

    `user=None` is a system caller and is always allowed. For "change", `entry` carries the
    new values; the agency rule reads the indicator, which a figure never changes
    (`targets.validation`), and the measure, checked on the stored row as well.
    """
    if action not in REFUSALS:
        raise ValueError(f"Unknown action {action!r}: use one of {', '.join(REFUSALS)}.")
    if user is None:
        return
    opts = entry._meta
    refusal = REFUSALS[action] % {"entries": opts.verbose_name_plural}
    permission = f"{opts.app_label}.{get_permission_codename(action, opts)}"
    if not (user.is_active and user.has_perm(permission)):
        raise PermissionDenied(refusal)
    if is_zone_administrator(user):
        return
    label = opts.label_lower
    if label == "targets.observation":
        _observation_check(user=user, action=action, observation=entry, refusal=refusal)
    elif label == "measures.measureupdate":
        _measure_update_check(user=user, update=entry, refusal=refusal)


def _observation_check(*, user, action: str, observation: Observation, refusal: str) -> None:
    from targets.models import Indicator, Observation

    agency_id = Indicator.objects.filter(pk=observation.indicator_id).values_list("agency_id", flat=True).first()
    if agency_id is None or agency_id not in user_agency_ids(user):
        raise PermissionDenied(_(
            "%(refusal)s Only members of the indicator's responsible agency (and zone administrators) "
            "enter its figures."
        ) % {"refusal": refusal})
    if action == "delete":
        stored = Observation.objects.filter(pk=observation.pk).values_list("status", flat=True).first()
        if stored == Observation.Status.APPROVED:
            raise PermissionDenied(_(
                "An approved figure is published: only a zone administrator may delete it. Enter the "
                "corrected figure instead; it becomes a revision once approved."
            ))


def _measure_update_check(*, user, update: MeasureUpdate, refusal: str) -> None:
    from measures.models import Measure, MeasureUpdate

    measure_ids = {update.measure_id}
    if update.pk is not None:  # the stored row's measure too: an update cannot be moved out of reach
        measure_ids |= set(MeasureUpdate.objects.filter(pk=update.pk).values_list("measure_id", flat=True))
    leads = set(Measure.objects.filter(pk__in=measure_ids).values_list("lead_agency_id", flat=True)) - {None}
    if leads - user_agency_ids(user):
        raise PermissionDenied(_(
            "%(refusal)s Only members of the measure's lead agency (and zone administrators) report on it."
        ) % {"refusal": refusal})


def round_set_entry_check(*, user: AbstractBaseUser | AnonymousUser | None, round_set: RoundSet) -> None:
    """Saving drafts and submitting a set: members of the set's agency who hold the data-entry
    permission on figures, and zone administrators."""
    if user is None or is_zone_administrator(user):
        return
    if not (user.is_active and user.has_perm("targets.add_observation")
            and round_set.agency_id in user_agency_ids(user)):
        raise PermissionDenied(_("Only members of %(agency)s (and zone administrators) enter this set.")
                               % {"agency": round_set.agency})


def approval_check(*, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """Approving a figure, approving or returning a set, and opening a round: zone
    administrators only."""
    if user is not None and not is_zone_administrator(user):
        raise PermissionDenied(_("Only a zone administrator may approve, return or open reporting rounds."))
