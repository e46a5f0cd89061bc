"""Reads for the reporting pages: which rounds and sets a person may act on, a set by its
address, a round's sets for the approval page. Fixed query counts (tests pin them)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404

from access.permissions import is_zone_administrator, user_agency_ids
from reporting.models import Round, RoundSet
from reporting.permissions import round_set_entry_check
from reporting.selectors import round_sets_with_detail


def rounds_for_user(user) -> list[dict]:
    """The rounds a person may act on, newest first, each with the sets they may open:
    every set for a zone administrator, their agencies' sets for a data-entry member.
    Empty for anyone else. Three queries at most."""
    administrator = is_zone_administrator(user)
    agency_ids = user_agency_ids(user)
    if not administrator and not (agency_ids and user.has_perm("targets.add_observation")):
        return []
    sets = RoundSet.objects.select_related("agency").order_by("agency__code")
    rounds = Round.objects.select_related("plan").order_by("-period_end", "code")
    if not administrator:
        sets = sets.filter(agency_id__in=agency_ids)
        rounds = rounds.filter(sets__agency_id__in=agency_ids).distinct()
    return [
        {"round": round_, "sets": list(round_.sets.all())}
        for round_ in rounds.prefetch_related(Prefetch("sets", queryset=sets))
    ]


def round_by_code(code: str) -> Round:
    try:
        return Round.objects.select_related("plan").get(code=code)
    except Round.DoesNotExist:
        raise Http404("No such round") from None


def round_set_by_codes(round_code: str, agency_code: str) -> RoundSet:
    try:
        return RoundSet.objects.select_related("round", "agency").get(round__code=round_code, agency__code=agency_code)
    except RoundSet.DoesNotExist:
        raise Http404("No such set") from None


def round_sets_for_approval(round_: Round) -> list[RoundSet]:
    """A round's sets with their rows, figures and audit (the approval page): four queries."""
    return list(round_sets_with_detail().filter(round=round_))


def may_enter(user, round_set: RoundSet) -> bool:
    """Whether a person may save and submit this set (`reporting.permissions` decides)."""
    try:
        round_set_entry_check(user=user, round_set=round_set)
    except PermissionDenied:
        return False
    return True


def may_report(user) -> bool:
    """Whether a person takes part in rounds at all: a zone administrator, or a data-entry
    user who belongs to an agency."""
    return is_zone_administrator(user) or bool(
        user_agency_ids(user) and user.has_perm("targets.add_observation"))


def may_see_round(user, round_: Round) -> bool:
    """A round's completeness: zone administrators, and members of one of its agencies."""
    if is_zone_administrator(user):
        return True
    agency_ids = user_agency_ids(user)
    return bool(agency_ids) and user.has_perm("targets.add_observation") and round_.sets.filter(
        agency_id__in=agency_ids).exists()

