"""Who may write figures and named items' updates, and who sees unapproved figures: the core's
predicates, built from the permission primitives of `access.permissions` (the one permission
module: who is a zone administrator, a user's agencies, the model permission of a write).

The rules:
- a zone administrator may change every figure and approve it;
- a data-entry user needs the model permission (the Data entry group) and, for a figure,
  membership of the indicator's responsible agency. Named items' updates keep the role's rule:
  a qualitative target has no indicator and so no agency;
- a data-entry user may not delete an approved figure: it is published, and only a zone
  administrator withdraws it (they propose a revision instead);
- reading: an unapproved figure (draft or submitted) is seen only by the members of its
  indicator's agency who enter figures, and by zone administrators
  (`pending_figures_agency_ids`); approved figures are public. Every read of figures — the
  API's lists, detail, filters, CSV and conditional-GET validators, the admin — filters by it.
Measure updates' rule is `measures.permissions`, reporting sets' `reporting.permissions`.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from access import permissions as access_permissions

# The primitives the core's entry points use, re-exported so that they name one module.
from access.permissions import approval_check, is_zone_administrator, user_agency_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from targets.models import ItemUpdate, Observation

__all__ = ["approval_check", "entry_write_check", "is_zone_administrator", "may_see_figure",
           "pending_figures_agency_ids", "user_agency_ids"]


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
    *, user: AbstractBaseUser | AnonymousUser | None, action: str, entry: Observation | ItemUpdate
) -> None:
    """Raises PermissionDenied unless `user` may `action` ("add", "change" or "delete") `entry`,
    a figure or a named item's update.

    `user=None` is a system caller and is always allowed. For "change", `entry` carries the
    new values; the agency rule reads the indicator, which a figure never changes
    (`targets.validation`).
    """
    rule = None
    if entry._meta.label_lower == "targets.observation":
        rule = partial(_observation_check, user=user, action=action, observation=entry)
    access_permissions.entry_write_check(user=user, action=action, entry=entry, rule=rule)


def _observation_check(refusal: str, *, user, action: str, observation: Observation) -> None:
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
