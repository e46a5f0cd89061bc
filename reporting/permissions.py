"""Who may enter a reporting set: reporting's predicate, built from the primitives of
`access.permissions` (the one permission module), which also holds the zone administrator's
rule for approving, returning and opening (`approval_check`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from access.permissions import DATA_ENTRY_PERMISSION, is_zone_administrator, user_agency_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from reporting.models import RoundSet


def round_set_entry_check(*, user: AbstractBaseUser | AnonymousUser | None, round_set: RoundSet) -> None:
    """Saving drafts and submitting a set: members of the set's agency who hold the data-entry
    permission on figures, and zone administrators."""
    if user is None or is_zone_administrator(user):
        return
    if not (user.is_active and user.has_perm(DATA_ENTRY_PERMISSION)
            and round_set.agency_id in user_agency_ids(user)):
        raise PermissionDenied(_("Only members of %(agency)s (and zone administrators) enter this set.")
                               % {"agency": round_set.agency})
