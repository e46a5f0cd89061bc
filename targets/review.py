"""A figure under review is frozen: the one rule, checked by every write of `targets.services`.

While a zone administrator reviews an agency's submitted set in a reporting round, the figures
of that set's indicators and period — the submitted proposal and any approved figure beside it
that the approval would revise — may not change, by anyone, through any path (API, admin form,
history revert, grid, upload): "approved" must mean that the administrator saw exactly what is
published. Only the set's own actions move them: its approval publishes them, its return gives
them back to the agency.

Which figures a submitted set holds is the reporting app's knowledge, and `targets` must not
import `reporting` (dependencies point downhill: reporting builds on targets). So reporting
registers its lookup here when it starts (`reporting.apps`), and the services ask this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

UNDER_REVIEW = "under_review"


class Review(NamedTuple):
    """Where a figure is under review: the round (its id and name) and the agency whose set holds it."""

    round_id: int
    round_name: str
    agency_name: str


# (indicator id, period end) pairs -> the review holding any of them, or None.
ReviewLookup = Callable[[list[tuple[int, date]]], Review | None]
_lookup: ReviewLookup | None = None


def review_lookup_register(lookup: ReviewLookup) -> None:
    """Called once by the app that runs reviews (reporting) when it starts."""
    global _lookup
    _lookup = lookup


def under_review_error(review: Review) -> ValidationError:
    """The refusal every write path shows (the API answers it with 409)."""
    return ValidationError(_(
        "This figure is under review in %(round)s (%(agency)s): ask a zone administrator to return the set "
        "before changing it."
    ) % {"round": review.round_name, "agency": review.agency_name}, code=UNDER_REVIEW)


def validate_not_under_review(*, slots: Iterable[tuple[int | None, date | None]], round_id: int | None = None) -> None:
    """Raises ValidationError (code "under_review") when a figure of one of these (indicator,
    period end) pairs is held by a submitted set — unless `round_id` is that set's round, i.e.
    the write is the set's own approval. One query; none without a registered lookup."""
    wanted = sorted({(indicator_id, period_end) for indicator_id, period_end in slots
                     if indicator_id is not None and period_end is not None})
    if _lookup is None or not wanted:
        return
    review = _lookup(wanted)
    if review is not None and review.round_id != round_id:
        raise under_review_error(review)
