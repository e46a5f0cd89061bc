"""Who may write measure updates: the measures' predicate, built from the primitives of
`access.permissions` (the one permission module).

A data-entry user needs the model permission (the Data entry group) and membership of the
measure's lead agency when the measure has one (the 35 placeholder measures have none and stay
open to the role); a zone administrator may change every update.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from access import permissions as access_permissions
from access.permissions import user_agency_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from measures.models import MeasureUpdate


def measure_update_write_check(
    *, user: AbstractBaseUser | AnonymousUser | None, action: str, update: MeasureUpdate
) -> None:
    """Raises PermissionDenied unless `user` may `action` ("add", "change" or "delete") `update`.

    `user=None` is a system caller and is always allowed. For "change", `update` carries the new
    values; the lead agency is checked on the stored row's measure as well, so that an update
    cannot be moved out of reach."""
    rule = partial(_lead_agency_check, user=user, update=update)
    access_permissions.entry_write_check(user=user, action=action, entry=update, rule=rule)


def _lead_agency_check(refusal: str, *, user, update: MeasureUpdate) -> None:
    from measures.models import Measure, MeasureUpdate

    measure_ids = {update.measure_id}
    if update.pk is not None:
        measure_ids |= set(MeasureUpdate.objects.filter(pk=update.pk).values_list("measure_id", flat=True))
    leads = set(Measure.objects.filter(pk__in=measure_ids).values_list("lead_agency_id", flat=True)) - {None}
    if leads - user_agency_ids(user):
        raise PermissionDenied(_(
            "%(refusal)s Only members of the measure's lead agency (and zone administrators) report on it."
        ) % {"refusal": refusal})
