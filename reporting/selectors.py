"""Reads for reporting rounds: an agency's grid, a round's completeness, each target's latest
round state. Each costs a fixed number of queries, whatever the number of rows (tests pin
the counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reporting.models import Round, RoundEntry, RoundSet, RoundState, RoundStateChange, State, StateChange
from targets.models import Indicator, Observation, Plan, Target
from targets.progress.dates import ZONE_TIME_ZONE, zone_today


@dataclass(frozen=True)
class RoundStatus:
    """Where a round stands on a day: `state` (a RoundState), `closes_on` (the last day it takes
    drafts, None when it stays open until an administrator closes it) and `closed_on` (the day
    it closed, when it is closed)."""

    state: str
    closes_on: date | None
    closed_on: date | None

    @property
    def closed(self) -> bool:
        return self.state == RoundState.CLOSED


def round_status(round_: Round, *, today: date | None = None) -> RoundStatus:
    """The one rule of a round's state. An administrator's close holds until they reopen it; a
    reopening holds until its last day (or, without one, until they close it again); otherwise
    the round takes drafts and submissions up to its due date plus its grace period and is
    closed from the day after. No query."""
    today = today or zone_today()
    if round_.state_override == RoundState.CLOSED:
        closed_on = round_.closed_at.astimezone(ZONE_TIME_ZONE).date() if round_.closed_at else today
        return RoundStatus(RoundState.CLOSED, None, closed_on)
    if round_.state_override == RoundState.REOPENED:
        until = round_.reopened_until
        if until is not None and today > until:
            return RoundStatus(RoundState.CLOSED, until, until)
        return RoundStatus(RoundState.REOPENED, until, None)
    closes_on = round_.due_on + timedelta(days=round_.grace_days or 0)
    if today > closes_on:
        return RoundStatus(RoundState.CLOSED, closes_on, closes_on)
    return RoundStatus(RoundState.OPEN, closes_on, None)


def round_closed_message(status: RoundStatus) -> str:
    """What a refused draft or submission says: when the round closed and who can reopen it."""
    if status.closed_on is None:
        raise ValueError("The round is not closed.")
    return _("This round closed on %(date)s. A zone administrator can reopen it.") % {
        "date": date_format(status.closed_on, "DATE_FORMAT")}


def rounds_all() -> QuerySet[Round]:
    """Rounds, newest period first, with their plan."""
    return Round.objects.select_related("plan").order_by("-period_end", "code")


def round_sets_with_detail() -> QuerySet[RoundSet]:
    """Sets with their agency, round, rows (indicator, observation) and audit: four queries
    for any number of sets."""
    return RoundSet.objects.select_related("round", "agency", "submitted_by", "approved_by").prefetch_related(
        Prefetch("entries", queryset=RoundEntry.objects.select_related("indicator", "observation")
                 .order_by("indicator__code")),
        Prefetch("changes", queryset=StateChange.objects.select_related("actor", "entry__indicator")
                 .order_by("at", "id")),
    ).order_by("round", "agency__code")


def rounds_with_detail() -> QuerySet[Round]:
    """Rounds with their sets, rows and audit (for the API): constant queries."""
    return rounds_all().prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("code").only("id", "code")),
        Prefetch("state_changes", queryset=RoundStateChange.objects.select_related("actor").order_by("at", "id")),
        Prefetch("sets", queryset=round_sets_with_detail()),
    )


def round_set_grid(round_set: RoundSet) -> list[dict]:
    """The rows of an agency's set, in indicator order: {entry, indicator, unit, state,
    return_comment, previous (the latest approved figure of an earlier period, or None),
    current (this round's pending figure, else its approved one, or None)}. Three queries."""
    round_ = Round.objects.only("period_end").get(pk=round_set.round_id)
    entries = list(round_set.entries.select_related("indicator").order_by("indicator__code"))
    indicator_ids = [entry.indicator_id for entry in entries]
    previous: dict[int, Observation] = {}
    current: dict[int, Observation] = {}
    # This period's rows and the earlier approved ones in one read, newest first: the first
    # earlier row met per indicator is its latest.
    for observation in Observation.objects.filter(indicator_id__in=indicator_ids, period_end__lte=round_.period_end).filter(
        Q(period_end=round_.period_end) | Q(status=Observation.Status.APPROVED)
    ).order_by("-period_end", "id"):
        if observation.period_end == round_.period_end:
            # A pending figure (the proposal) shows before the approved one it would replace.
            known = current.get(observation.indicator_id)
            if known is None or observation.status != Observation.Status.APPROVED:
                current[observation.indicator_id] = observation
        elif observation.indicator_id not in previous:
            previous[observation.indicator_id] = observation
    return [
        {
            "entry": entry, "indicator": entry.indicator, "unit": entry.indicator.unit, "state": entry.state,
            "return_comment": entry.return_comment, "previous": previous.get(entry.indicator_id),
            "current": current.get(entry.indicator_id),
        }
        for entry in entries
    ]


def round_completeness(round_: Round, *, today: date | None = None) -> list[dict]:
    """Per agency of the round: {set, agency, state, total, submitted (submitted or approved
    rows), approved, submitted_share, approved_share (0–1), overdue (past the due date and not
    yet submitted), open (rows neither submitted nor approved)}. One query."""
    today = today or zone_today()
    sets = (
        RoundSet.objects.filter(round=round_).select_related("agency")
        .annotate(
            total=Count("entries"),
            submitted=Count("entries", filter=Q(entries__state__in=[State.SUBMITTED, State.APPROVED])),
            approved=Count("entries", filter=Q(entries__state=State.APPROVED)),
        )
        .order_by("agency__code")
    )
    rows = []
    for round_set in sets:
        total = round_set.total
        rows.append({
            "set": round_set, "agency": round_set.agency, "state": round_set.state, "total": total,
            "submitted": round_set.submitted, "approved": round_set.approved,
            "submitted_share": round_set.submitted / total if total else 0.0,
            "approved_share": round_set.approved / total if total else 0.0,
            "open": total - round_set.submitted,
            "overdue": today > round_.due_on and round_set.state not in (State.SUBMITTED, State.APPROVED),
        })
    return rows


def open_entries_by_agency(round_: Round) -> dict[int, list[RoundEntry]]:
    """The rows of each agency still to be submitted (for the reminders): one query."""
    found: dict[int, list[RoundEntry]] = {}
    for entry in RoundEntry.objects.filter(set__round=round_).exclude(
        state__in=[State.SUBMITTED, State.APPROVED]
    ).select_related("indicator", "set").order_by("set__agency_id", "indicator__code"):
        found.setdefault(entry.set.agency_id, []).append(entry)
    return found


def targets_round_state(plan: Plan) -> dict[int, str]:
    """For each target of the plan on an indicator some round collects, its latest round's state
    in words: "2025 annual: awaiting 市科技局", "…: submitted, awaiting approval", "…: approved".
    Rounds of this plan and rounds of all plans count. Two queries."""
    indicator_of = dict(Target.objects.filter(plan=plan, indicator__isnull=False).values_list("id", "indicator_id"))
    latest: dict[int, RoundEntry] = {}
    entries = (
        RoundEntry.objects.filter(indicator_id__in=set(indicator_of.values()))
        .filter(Q(set__round__plan=plan) | Q(set__round__plan__isnull=True))
        .select_related("set__round", "set__agency", "indicator")
        .order_by("-set__round__period_end", "-set__round__opens_on", "-set__round_id")
    )
    for entry in entries:
        latest.setdefault(entry.indicator_id, entry)
    states = {}
    today = zone_today()
    for target_id, indicator_id in indicator_of.items():
        found = latest.get(indicator_id)
        if found is not None:
            states[target_id] = round_state_text(found, today=today)
    return states


def round_state_text(entry: RoundEntry, *, today: date | None = None) -> str:
    """One row's state in words, with its round's name. It says what is true: a row left empty
    in an approved set is "approved; not reported: <indicator> (<reason>)", and a row no one
    can enter any more (its round closed) is "closed; not reported", never "awaiting"."""
    round_name, agency = entry.set.round.localized("name"), entry.set.agency.short_name()
    if entry.state == State.NOT_REPORTED or (entry.set.state == State.APPROVED and entry.state != State.APPROVED):
        if entry.not_reported_reason:
            text = _("approved; not reported: %(indicator)s (%(reason)s)") % {
                "indicator": entry.indicator.localized("name"), "reason": entry.not_reported_reason}
        else:
            text = _("approved; not reported: %(indicator)s") % {"indicator": entry.indicator.localized("name")}
    elif entry.state == State.APPROVED:
        text = _("approved")
    elif entry.state == State.SUBMITTED:
        text = _("submitted, awaiting approval")
    elif round_status(entry.set.round, today=today).closed:
        text = _("closed; not reported by %(agency)s") % {"agency": agency}
    elif entry.state == State.RETURNED:
        text = _("returned to %(agency)s") % {"agency": agency}
    else:
        text = _("awaiting %(agency)s") % {"agency": agency}
    return f"{round_name}: {text}"


def figure_under_review(slots: list[tuple[int, date]]):
    """The review holding a figure of one of these (indicator id, period end) pairs: a submitted
    set with a row whose figure is of that indicator and period (`targets.review`, which the
    services ask before every write of a figure). None when no submitted set holds one. One query."""
    from targets.review import Review

    matches = Q()
    for indicator_id, period_end in slots:
        matches |= Q(observation__indicator_id=indicator_id, observation__period_end=period_end)
    entry = (
        RoundEntry.objects.filter(matches, set__state=State.SUBMITTED)
        .select_related("set__round", "set__agency").order_by("set__round_id", "set__agency_id").first()
    )
    if entry is None:
        return None
    return Review(round_id=entry.set.round_id, round_name=str(entry.set.round), agency_name=str(entry.set.agency))
