"""Who may write what: the one permission module, with the primitives every app's checks are
built from.

Every entry service (`targets.services`, `measures.services`, `reporting.services`) checks a
user through these primitives before it writes, whenever it is given a user; the admin and the
API turn their PermissionDenied into 403. System callers (management commands, plan loading, the
demo data) pass no user and are not checked: they act for the installation, not for a person.

The primitives:
- a *zone administrator* (a superuser, or a holder of `access.administer_zone`, which the Zone
  administrator group has: `access.roles`) may change every figure, measure update and set,
  and approve or return sets (`is_zone_administrator`, `approval_check`);
- a user's agencies (`user_agency_ids`): a data-entry user writes only for them;
- a write needs the model permission of its action, then, for anyone but a zone administrator,
  the app's own rule (`entry_write_check`, given that rule);
- who signs in with a second factor (`second_factor`).

The model-specific predicates live beside their models and call these: figures and named items'
updates in `targets.permissions`, measure updates in `measures.permissions`, reporting sets in
`reporting.permissions`. Access sits below every app that holds data, so it names their
permissions by "app_label.codename" and imports none of them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import Model

REFUSALS = {
    "add": _("You may not add %(entries)s."),
    "change": _("You may not change these %(entries)s."),
    "delete": _("You may not delete these %(entries)s."),
}
# The zone administrator's own permission (access.models.ZoneAdministration), held by the
# Zone administrator group and, like every permission, by superusers.
ZONE_ADMINISTRATOR_PERMISSION = "access.administer_zone"
DATA_ENTRY_PERMISSION = "targets.add_observation"


def is_zone_administrator(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """The single test of the zone administrator's role: may change every figure and approve
    or return an agency's set. A superuser passes (`has_perm` is always true for one)."""
    return bool(user is not None and user.is_active and user.has_perm(ZONE_ADMINISTRATOR_PERMISSION))


class SecondFactor(enum.Enum):
    REQUIRED = "required"  # must enrol on first sign-in and pass it before every admin session
    OPTIONAL = "optional"  # may enrol; once enrolled, is asked like the required
    NOT_ASKED = "not asked"


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


def entry_write_check(
    *, user: AbstractBaseUser | AnonymousUser | None, action: str, entry: Model,
    rule: Callable[[str], None] | None = None,
) -> None:
    """Raises PermissionDenied unless `user` may `action` ("add", "change" or "delete") `entry`.

    `user=None` is a system caller and is always allowed. Anyone else needs the model permission
    of the action; a zone administrator needs nothing more, and everyone else must also pass
    `rule` (the app's own rule, such as the agency's), which is given the refusal to start its
    message with and raises PermissionDenied.
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
    if rule is not None and not is_zone_administrator(user):
        rule(refusal)


def approval_check(*, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """Approving a figure, approving or returning a set, and opening a round: zone
    administrators only."""
    if user is not None and not is_zone_administrator(user):
        raise PermissionDenied(_("Only a zone administrator may approve, return or open reporting rounds."))
