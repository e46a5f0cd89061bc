"""Who may change which entries: the one rule for progress entries and measure updates.

Every entry service (`targets.services`, `measures.services`) calls `entry_write_check`
before it writes, whenever it is given a user; the admin and the API turn its
PermissionDenied into 403. System callers (management commands, `load_plan`, the demo
data) pass no user and are not checked: they act for the installation, not for a person.

Today the rule is the data-entry role's model permission: whoever may add, change or
delete progress entries (or measure updates) may do so for every target (or measure).
The reporting-rounds issue narrows it to a user's own agency; this function is the only
place to change. It lives in its own module, beside `targets.validation`, rather than in
`targets.services`, because both apps' services call it and it is a rule, not a write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from measures.models import MeasureUpdate
    from targets.models import Observation

REFUSALS = {
    "add": _("You may not add %(entries)s."),
    "change": _("You may not change these %(entries)s."),
    "delete": _("You may not delete these %(entries)s."),
}


def entry_write_check(
    *, user: AbstractBaseUser | AnonymousUser | None, action: str, entry: Observation | MeasureUpdate
) -> None:
    """Raises PermissionDenied unless `user` may `action` ("add", "change" or "delete") `entry`.

    `user=None` is a system caller and is always allowed. For "change", `entry` carries the
    new values; a rule about ownership must also hold for the stored row (read it by pk).
    """
    if action not in REFUSALS:
        raise ValueError(f"Unknown action {action!r}: use one of {', '.join(REFUSALS)}.")
    if user is None:
        return
    opts = entry._meta
    permission = f"{opts.app_label}.{get_permission_codename(action, opts)}"
    if not (user.is_active and user.has_perm(permission)):
        raise PermissionDenied(REFUSALS[action] % {"entries": opts.verbose_name_plural})
