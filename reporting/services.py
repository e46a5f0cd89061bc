"""Writes for reporting rounds: opening a round, an agency's drafts, submitting, approving and
returning its set.

Every action on a set locks its row (select_for_update), checks the version the caller saw
(optimistic concurrency: two administrators acting at once — one wins, the other is told
to reload), checks permission in `access.permissions` and `reporting.permissions`, validates everything before writing
anything, writes a `StateChange` for the audit, and bumps the version. Figures are written
only through `targets.services` (the same validation, permission rule and recompute as
every other entry point).

Repeats (the API's idempotency): a submit or an approval repeated by the same person with the
version they sent the first time is recognised by the audit row it left (same action, same
person, version one above) and answered with the set unchanged. Anything else on a stale
version is refused with "someone else acted on this set first; reload".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.permissions import approval_check
from edge.transactions import conflicts_retried
from reporting.models import (
    ReminderSent,
    RevisionRound,
    Round,
    RoundEntry,
    RoundSet,
    RoundState,
    RoundStateChange,
    State,
    StateChange,
)
from reporting.permissions import round_set_entry_check
from reporting.selectors import round_closed_message, round_status
from targets.models import Indicator, Observation, Plan, Target
from targets.progress import dates as zone_dates
from targets.progress.dates import zone_today
from targets.review import Review, under_review_error
from targets.services import observation_approve, observation_save, observations_status_set
from targets.services.locks import indicator_plans_lock
from targets.services.observations import PROPOSAL_FIELDS
from targets.validation import validate_plausible

# The fields a row of the grid (or a line of an upload) may carry.
ROW_OBSERVATION_FIELDS = Observation.EDITABLE_FIELDS
ROW_FIELDS = ("indicator", *ROW_OBSERVATION_FIELDS, "revision_reason", "confirm_outlier")


# --- opening a round -------------------------------------------------------------------------

def _period_ends_on(reporting_period: str, day: date) -> bool:
    """Whether one of an indicator's reporting periods ends on `day`: a yearly figure on
    31 December, a half-yearly one on 30 June or 31 December, a quarterly one on a quarter's
    last day, a monthly one on a month's last day."""
    from calendar import monthrange

    month_end = day.day == monthrange(day.year, day.month)[1]
    ends_on: dict[str, bool] = {
        Indicator.ReportingPeriod.YEAR: day.month == 12,
        Indicator.ReportingPeriod.HALF_YEAR: day.month in (6, 12),
        Indicator.ReportingPeriod.QUARTER: day.month in (3, 6, 9, 12),
        Indicator.ReportingPeriod.MONTH: True,
    }
    return month_end and ends_on.get(reporting_period, False)


def round_default_indicators(*, plan: Plan | None, period_start: date, period_end: date) -> list[Indicator]:
    """The indicators a round collects unless told otherwise: those of the plan's targets (or of
    every adopted plan whose life overlaps the period), of which a reporting period ends on the
    round's period end — a yearly indicator in an annual round, a half-yearly one in an H1 round."""
    targets = Target.objects.filter(indicator__isnull=False)
    if plan is not None:
        targets = targets.filter(plan=plan)
    else:
        targets = targets.filter(plan__stage=Plan.Stage.ADOPTED, plan__baseline_date__lt=period_end,
                                 plan__target_date__gte=period_start)
    indicators = Indicator.objects.filter(pk__in=targets.values("indicator_id")).order_by("code")
    return [indicator for indicator in indicators if _period_ends_on(indicator.reporting_period, period_end)]


@transaction.atomic
def round_create(*, code: str, name_zh: str, name_en: str, plan: Plan | None, period_start: date, period_end: date,
                 opens_on: date, due_on: date, indicators: list[Indicator] | None = None,
                 user: User | None, grace_days: int = 0) -> Round:
    """Opens a reporting round with one set per agency responsible for its indicators and one
    row per indicator in its agency's set (all *not started*).

    Guarantees: only a zone administrator (or a system caller) opens a round; the round is
    validated (dates in order, a unique code) and every indicator must have a responsible
    agency, else ValidationError and nothing is written; `indicators=None` means
    `round_default_indicators`; a round without any indicator is refused.
    """
    approval_check(user=user)
    round_ = Round(code=code, name_zh=name_zh, name_en=name_en, plan=plan, period_start=period_start,
                   period_end=period_end, opens_on=opens_on, due_on=due_on, grace_days=grace_days,
                   created_by=user if user is not None and user.is_authenticated else None)
    round_.full_clean()
    if indicators is None:
        indicators = round_default_indicators(plan=plan, period_start=period_start, period_end=period_end)
    indicators = list(indicators)
    if not indicators:
        raise ValidationError({"indicators": _(
            "No indicator to collect: none of the plan's indicators is reported for a period ending on "
            "%(date)s. Choose the indicators yourself."
        ) % {"date": period_end.isoformat()}})
    orphans = [indicator.code for indicator in indicators if indicator.agency_id is None]
    if orphans:
        raise ValidationError({"indicators": _(
            "These indicators have no responsible agency, so no one could report them: %(codes)s. "
            "Assign an agency to each under Indicators first."
        ) % {"codes": ", ".join(sorted(orphans))}})
    round_.save()
    round_.indicators.set(indicators)
    sets: dict[int | None, RoundSet] = {}  # every indicator has an agency: orphans were refused above
    for agency_id in sorted({indicator.agency_id for indicator in indicators if indicator.agency_id is not None}):
        sets[agency_id] = RoundSet.objects.create(round=round_, agency_id=agency_id)
    RoundEntry.objects.bulk_create(
        [RoundEntry(set=sets[indicator.agency_id], indicator=indicator) for indicator in indicators]
    )
    return round_


@transaction.atomic
def round_update(*, round_: Round, user: AbstractBaseUser | None) -> Round:
    """Saves a round's changed names and dates (opening, due, grace period). What its sets were
    built from — plan, period, indicators — is not changed here: another period is another round.
    Zone administrators only; validated (dates in order) or nothing is written. A new due date
    or grace period that opens or closes the round is audited like a close or a reopening."""
    approval_check(user=user)
    round_.full_clean()
    before = round_status(Round.objects.select_for_update().get(pk=round_.pk)).state
    round_.save(update_fields=["name_zh", "name_en", "opens_on", "due_on", "grace_days"])
    _round_state_audit(round_, before=before, user=user, comment=_("The due date or the grace period changed."))
    return round_


def _round_state_audit(round_: Round, *, before: str, user, comment: str = "", today: date | None = None) -> None:
    """The audit row of a change of the round's state, when there is one."""
    after = round_status(round_, today=today)
    if after.state != before:
        RoundStateChange.objects.create(round=round_, from_state=before, to_state=after.state, actor=_person(user),
                                        at=timezone.now(), comment=comment,
                                        reopened_until=round_.reopened_until if after.state == RoundState.REOPENED else None)


def _comment_checked(comment) -> str:
    comment = str(comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("A comment is at most 2,000 characters.")})
    return comment


@transaction.atomic
def round_close(*, round_: Round, user: AbstractBaseUser | None, comment: str = "",
                today: date | None = None) -> Round:
    """Closes a round now, whatever its dates say: its sets take no more drafts or submissions
    (submitted sets can still be approved or returned).

    Guarantees: zone administrators only (PermissionDenied); a round already closed is refused
    (ValidationError code "already_closed") and nothing is written; the close holds until an
    administrator reopens the round; the change is audited (who, when, from → to, comment).
    """
    approval_check(user=user)
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    comment = _comment_checked(comment)
    before = round_status(locked, today=today)
    if before.closed:
        raise ValidationError(_("This round is already closed; nothing was changed."), code="already_closed")
    # The zone's clock (`targets.progress.dates`), which also says when the round closed by its dates.
    locked.state_override, locked.closed_at, locked.reopened_until = RoundState.CLOSED, zone_dates.utc_now(), None
    locked.save(update_fields=["state_override", "closed_at", "reopened_until"])
    _round_state_audit(locked, before=before.state, user=user, comment=comment, today=today)
    return locked


@transaction.atomic
def round_reopen(*, round_: Round, user: AbstractBaseUser | None, until: date | None = None, comment: str = "",
                 today: date | None = None) -> Round:
    """Reopens a closed round: its sets take drafts and submissions again, until `until` (its
    last day) or, without one, until an administrator closes it.

    Guarantees: zone administrators only (PermissionDenied); only a closed round is reopened
    (ValidationError code "not_closed"); `until` may not be in the past (ValidationError);
    nothing is written on a refusal; the change is audited (who, when, from → to, comment).
    """
    approval_check(user=user)
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    comment = _comment_checked(comment)
    today = today or zone_today()
    if until is not None and until < today:
        raise ValidationError({"until": _("The last day of the reopening may not be in the past.")})
    before = round_status(locked, today=today)
    if not before.closed:
        raise ValidationError(_("This round is %(state)s: only a closed round can be reopened.") % {
            "state": RoundState(before.state).label}, code="not_closed")
    locked.state_override, locked.closed_at, locked.reopened_until = RoundState.REOPENED, None, until
    locked.save(update_fields=["state_override", "closed_at", "reopened_until"])
    _round_state_audit(locked, before=before.state, user=user, comment=comment, today=today)
    return locked


def _round_open_check(round_: Round) -> None:
    """Drafts and submissions only while the round is open: a closed round refuses them with
    who can reopen it (ValidationError code "round_closed"), before anything is written."""
    status = round_status(round_)
    if status.closed:
        raise ValidationError(round_closed_message(status), code="round_closed")


# --- the set's actions ---------------------------------------------------------------------

def _stale() -> ValidationError:
    return ValidationError(_("Someone else acted on this set first; reload to see what changed."), code="stale")


def _locked(round_set: RoundSet) -> RoundSet:
    return RoundSet.objects.select_for_update().select_related("round", "agency").get(pk=round_set.pk)


def _is_repeat(locked: RoundSet, *, to_state: str, user, expected_version: int) -> bool:
    """The same person repeating the action that moved the set from `expected_version`."""
    if locked.state != to_state or locked.version != _version_number(expected_version) + 1:
        return False
    last = StateChange.objects.filter(set=locked, entry__isnull=True).order_by("-at", "-id").first()
    actor_id = getattr(user, "pk", None)
    return last is not None and last.to_state == to_state and last.version == locked.version and last.actor_id == actor_id


def _version_number(expected_version) -> int:
    """The version a caller sent — a form sends text, the API a number — or a clear error."""
    try:
        return int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": _("Send the version of the set you saw, a whole number.")}) from None


def _version_check(locked: RoundSet, expected_version) -> None:
    if _version_number(expected_version) != locked.version:
        raise _stale()


def _move(locked: RoundSet, *, to_state: str, user, comment: str = "", at=None) -> None:
    """The set's state change, its version bump and its audit row."""
    at = at or timezone.now()
    StateChange.objects.create(set=locked, from_state=locked.state, to_state=to_state, actor=_person(user), at=at,
                               comment=comment, version=locked.version + 1)
    locked.state = to_state
    locked.version += 1


def _person(user):
    return user if user is not None and user.is_authenticated else None


EDITABLE_STATES = (State.NOT_STARTED, State.DRAFT, State.RETURNED)


@transaction.atomic
def round_set_save_draft(*, round_set: RoundSet, rows: list[dict], user: AbstractBaseUser | None,
                         expected_version: int) -> RoundSet:
    """Saves an agency's figures for the round as drafts (pending observations for the round's
    period end), all or nothing.

    `rows`: dicts with `indicator` (code or id, one of the set's) and the figure's fields
    (`ROW_FIELDS`); a row whose value is empty is left as it was. Guarantees: only members of
    the set's agency and zone administrators save (PermissionDenied); the round must be open
    (`_round_open_check`); the version must be the current one; only a set not submitted or approved is edited; every row is validated with
    the figures' own rules (`targets.validation`, the plausibility check included: a row's
    `confirm_outlier` confirms it) before anything is written, and one ValidationError lists
    every problem keyed "<indicator code>.<field>" (`row_errors` reads it back); a saved set
    is *draft*, with its version bumped. A submitted set is under review: refused with code
    "under_review" (a zone administrator returns it first).
    """
    locked = _locked(round_set)
    round_set_entry_check(user=user, round_set=locked)
    _round_open_check(locked.round)
    _version_check(locked, expected_version)
    if locked.state == State.SUBMITTED:
        raise under_review_error(Review(round_id=locked.round_id, round_name=str(locked.round),
                                        agency_name=str(locked.agency)))
    if locked.state not in EDITABLE_STATES:
        raise ValidationError(_(
            "This set is %(state)s: it can no longer be edited. A zone administrator may return it."
        ) % {"state": State(locked.state).label}, code="not_editable")
    entries = {entry.indicator.code: entry for entry in locked.entries.select_related("indicator", "observation")}
    by_id = {str(entry.indicator_id): code for code, entry in entries.items()}
    pending = {
        observation.indicator_id: observation
        for observation in Observation.objects.filter(
            indicator_id__in=[entry.indicator_id for entry in entries.values()],
            period_end=locked.round.period_end, status__in=Observation.PENDING,
        )
    }
    errors: dict[str, list] = {}
    planned: list[tuple[RoundEntry, Observation, bool, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        given = str(row.get("indicator", "")).strip()
        code = given if given in entries else by_id.get(given)
        if code is None:
            errors[f"{given or number}.indicator"] = [_(
                "“%(indicator)s” is not one of this set's indicators."
            ) % {"indicator": given}]
            continue
        if code in seen:
            errors[f"{code}.indicator"] = [_("This indicator appears twice; enter each once.")]
            continue
        seen.add(code)
        unknown = set(row) - set(ROW_FIELDS)
        if unknown:
            errors[f"{code}.{sorted(unknown)[0]}"] = [_("Unknown field(s): %(fields)s.") % {
                "fields": ", ".join(sorted(unknown))}]
            continue
        if row.get("value") in (None, ""):
            continue
        entry = entries[code]
        observation = pending.get(entry.indicator_id) or Observation(
            indicator=entry.indicator, period_end=locked.round.period_end)
        observation.status = Observation.Status.DRAFT
        row_errors_found = {}
        for field in ROW_OBSERVATION_FIELDS:
            if field in row and row[field] is not None:
                value = row[field]
                if field == "value":
                    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
                        row_errors_found["value"] = [_("Enter a number, such as 120 or 1157.69.")]
                        continue
                    try:
                        value = Decimal(str(value).strip().replace(",", ""))
                    except (InvalidOperation, ValueError):
                        row_errors_found["value"] = [_("Enter a number, such as 120 or 1157.69.")]
                        continue
                elif not isinstance(value, str):
                    # A list or an object where text belongs (an upload, a hand-made request).
                    row_errors_found[field] = [_("Enter text.")]
                    continue
                setattr(observation, field, value)
        confirmed = _truthy(row.get("confirm_outlier"))
        if not row_errors_found:
            try:
                observation.full_clean()
                validate_plausible(observation, confirmed=confirmed)
            except ValidationError as exc:
                row_errors_found = exc.message_dict
        for field, messages in row_errors_found.items():
            key = "value" if field == "__all__" else field
            errors[f"{code}.{key}"] = list(messages)
        if not row_errors_found:
            planned.append((entry, observation, confirmed, str(row.get("revision_reason") or "").strip()))
    if errors:
        raise ValidationError(errors)
    for entry, observation, confirmed, reason in planned:
        saved = observation_save(observation=observation, user=user, confirm_outlier=confirmed,
                                 status=Observation.Status.DRAFT)
        entry.observation, entry.state = saved, State.DRAFT
        if reason:
            entry.revision_reason = reason
        entry.save(update_fields=["observation", "state", "revision_reason"])
    if locked.state != State.DRAFT:
        _move(locked, to_state=State.DRAFT, user=user)
    else:
        locked.version += 1  # a save changes the figures: an action on the version before it is stale
    locked.save(update_fields=["state", "version"])
    return locked


def submitted_digest(entries: list[RoundEntry]) -> str:
    """A fingerprint of what a set's rows hold (each row's figure and every field an approval
    publishes): taken at submission and compared at approval, so that approval publishes
    exactly what was submitted. `entries` carry their observation."""
    import hashlib
    import json

    rows = sorted(
        [entry.indicator_id, entry.observation_id,
         *(str(getattr(entry.observation, field)) for field in PROPOSAL_FIELDS)]
        for entry in entries if entry.observation_id is not None
    )
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def _truthy(value) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def row_errors(error: ValidationError) -> dict[str, dict[str, list[str]]]:
    """The errors of `round_set_save_draft` by row and field: {indicator code: {field: messages}}."""
    found: dict[str, dict[str, list[str]]] = {}
    for key, messages in getattr(error, "message_dict", {}).items():
        code, _dot, field = key.rpartition(".")
        found.setdefault(code or key, {})[field or "__all__"] = messages
    return found


@transaction.atomic
def round_set_submit(*, round_set: RoundSet, user: AbstractBaseUser | None, expected_version: int) -> RoundSet:
    """Submits an agency's drafts for approval.

    Guarantees: only members of the agency and zone administrators submit; the round must be
    open (`_round_open_check`); the version must be the current one (a repeat of one's own submit is answered unchanged); only a draft or
    returned set with at least one figure is submitted; its figures become *submitted*, its
    rows' return comments are cleared, and the change is audited. From then on its figures are
    frozen (`targets.review`) until it is approved or returned, and a digest of them is kept
    (`submitted_digest`) for the approval to check.
    """
    locked = _locked(round_set)
    round_set_entry_check(user=user, round_set=locked)
    if _is_repeat(locked, to_state=State.SUBMITTED, user=user, expected_version=expected_version):
        return locked
    _round_open_check(locked.round)
    _version_check(locked, expected_version)
    if locked.state not in (State.DRAFT, State.RETURNED):
        raise ValidationError(_("Only a draft or returned set can be submitted; this one is %(state)s.") % {
            "state": State(locked.state).label}, code="wrong_state")
    entries = list(locked.entries.filter(observation__isnull=False).select_related("observation"))
    if not entries:
        raise ValidationError(_("Enter at least one figure before submitting."), code="empty")
    locked.submitted_digest = submitted_digest(entries)
    observations_status_set(observation_ids=[entry.observation_id for entry in entries if entry.observation_id],
                            status=Observation.Status.SUBMITTED)
    RoundEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(state=State.SUBMITTED, return_comment="")
    now = timezone.now()
    _move(locked, to_state=State.SUBMITTED, user=user, at=now)
    locked.submitted_at, locked.submitted_by = now, _person(user)
    locked.save(update_fields=["state", "version", "submitted_at", "submitted_by", "submitted_digest"])
    return locked


@conflicts_retried
@transaction.atomic
def round_set_approve(*, round_set: RoundSet, user: AbstractBaseUser | None, expected_version: int,
                      without: dict[str, str] | None = None) -> RoundSet:
    """Approves a submitted set: its figures are published.

    Guarantees: zone administrators only; the version must be the current one (a repeat of
    one's own approval is answered unchanged; approving an approved set otherwise is refused);
    every submitted figure becomes approved through `targets.services.observation_approve` —
    one beside an approved figure of the same period revises it, keeping the previous value
    with the row's revision reason (else its confidence note) — and the targets reading them
    are recomputed after the commit; all or nothing. The plans tracking the set's indicators
    are locked together, in id order, before anything else (the lock order of
    `snapshots.services.store`: one figure's plans after another's could cross a recompute).
    Approval publishes exactly what was submitted: figures that differ from the submission's
    digest are refused (code "changed_since_submission"; return the set instead). A set with rows left empty is approved
    only "without" them: `without` maps each empty row's indicator code to the reason it is not
    reported (`_not_reported_checked`); the rows become *not reported* with their reason,
    audited.

    Approval (and return) stays possible after the round closed: closing stops the agencies'
    drafts and submissions, not the review of what they submitted in time — otherwise a set
    submitted on the due date could never be published nor sent back.
    """
    approval_check(user=user)
    # Before the set's own row, so that the plans come first whatever else a write locks.
    indicator_plans_lock(RoundEntry.objects.filter(set_id=round_set.pk).values_list("indicator_id", flat=True))
    locked = _locked(round_set)
    if _is_repeat(locked, to_state=State.APPROVED, user=user, expected_version=expected_version):
        return locked
    _version_check(locked, expected_version)
    if locked.state == State.APPROVED:
        raise ValidationError(_("This set is already approved; nothing was changed."), code="already_approved")
    if locked.state != State.SUBMITTED:
        raise ValidationError(_("Only a submitted set can be approved; this one is %(state)s.") % {
            "state": State(locked.state).label}, code="wrong_state")
    not_reported = _not_reported_checked(locked, without)
    entries = list(locked.entries.filter(observation__isnull=False).select_related("observation"))
    if locked.submitted_digest and submitted_digest(entries) != locked.submitted_digest:
        # The figures are frozen while submitted (targets.review); this catches any write that
        # went around the services. Publishing it would publish what nobody submitted.
        raise ValidationError(_(
            "The set's figures changed after they were submitted, so this is not what %(agency)s submitted. "
            "Return the set so that the agency checks and submits it again; nothing was approved."
        ) % {"agency": locked.agency}, code="changed_since_submission")
    for entry in entries:
        if entry.observation is None or entry.observation.status == Observation.Status.APPROVED:
            continue
        reason = entry.revision_reason or entry.observation.confidence_note
        approved = observation_approve(
            observation=entry.observation, user=user, reason=reason, round_id=locked.round_id,
            revision_recorded=lambda revision: RevisionRound.objects.create(revision=revision, round_id=locked.round_id))
        entry.observation, entry.state = approved, State.APPROVED
        entry.save(update_fields=["observation", "state"])
    now = timezone.now()
    _not_reported_record(locked, not_reported, user=user, at=now)
    _move(locked, to_state=State.APPROVED, user=user, at=now)
    locked.approved_at, locked.approved_by = now, _person(user)
    locked.save(update_fields=["state", "version", "approved_at", "approved_by"])
    return locked


def _not_reported_checked(locked: RoundSet, without) -> list[tuple[RoundEntry, str]]:
    """The set's empty rows (no figure) with the reason each is approved without, or a
    ValidationError naming the empty rows that have none (and any code that is not an empty
    row of the set). Writes nothing."""
    if without is None:
        without = {}
    if not isinstance(without, dict):
        raise ValidationError({"without": _("Send the reasons as {indicator code: reason}.")})
    empty = {entry.indicator.code: entry
             for entry in locked.entries.filter(observation__isnull=True).select_related("indicator")}
    unknown = sorted(str(code) for code in without if code not in empty)
    if unknown:
        raise ValidationError({"without": _("Not empty rows of this set: %(codes)s.") % {"codes": ", ".join(unknown)}})
    reasons = {code: str(text).strip() for code, text in without.items() if text is not None and str(text).strip()}
    missing = sorted(code for code in empty if code not in reasons)
    if missing:
        raise ValidationError({"without": _(
            "These indicators have no figure: %(codes)s. Approve without them only with a reason for each "
            "(why it is not reported), or return the set."
        ) % {"codes": ", ".join(missing)}}, code="empty_rows")
    too_long = sorted(code for code, text in reasons.items() if len(text) > 2000)
    if too_long:
        raise ValidationError({"without": _("A reason is at most 2,000 characters: %(codes)s.") % {
            "codes": ", ".join(too_long)}})
    return [(empty[code], reasons[code]) for code in sorted(empty)]


def _not_reported_record(locked: RoundSet, not_reported: list[tuple[RoundEntry, str]], *, user, at) -> None:
    """The empty rows of an approved set become *not reported*, each with its reason, audited."""
    for entry, reason in not_reported:
        StateChange.objects.create(set=locked, entry=entry, from_state=entry.state, to_state=State.NOT_REPORTED,
                                   actor=_person(user), at=at, comment=reason, version=locked.version + 1)
        entry.state, entry.not_reported_reason = State.NOT_REPORTED, reason
        entry.save(update_fields=["state", "not_reported_reason"])


@transaction.atomic
def round_set_return(*, round_set: RoundSet, user: AbstractBaseUser | None, expected_version: int,
                     comments: dict[str, str]) -> RoundSet:
    """Returns a submitted set to its agency with a comment per row to correct.

    Guarantees: zone administrators only; the version must be the current one; only a
    submitted set is returned; `comments` maps the set's indicator codes to comments and at
    least one must say something (ValidationError otherwise, nothing changed); the commented
    rows are *returned* with their comment, the others *draft*; the figures go back to draft;
    every change is audited with its comment.
    """
    approval_check(user=user)
    locked = _locked(round_set)
    _version_check(locked, expected_version)
    if locked.state != State.SUBMITTED:
        raise ValidationError(_("Only a submitted set can be returned; this one is %(state)s.") % {
            "state": State(locked.state).label}, code="wrong_state")
    if not isinstance(comments, dict):
        raise ValidationError({"comments": _("Send the comments as {indicator code: comment}.")})
    entries = {entry.indicator.code: entry for entry in locked.entries.select_related("indicator")}
    unknown = sorted(str(code) for code in comments if code not in entries)
    if unknown:
        raise ValidationError({"comments": _("Not indicators of this set: %(codes)s.") % {"codes": ", ".join(unknown)}})
    said = {code: str(text).strip() for code, text in comments.items() if text is not None and str(text).strip()}
    if not said:
        raise ValidationError({"comments": _("Say what to correct: a comment on at least one row.")})
    too_long = sorted(code for code, text in said.items() if len(text) > 2000)
    if too_long:
        raise ValidationError({"comments": _("A comment is at most 2,000 characters: %(codes)s.") % {
            "codes": ", ".join(too_long)}})
    now = timezone.now()
    observations_status_set(
        observation_ids=[entry.observation_id for entry in entries.values() if entry.observation_id],
        status=Observation.Status.DRAFT)
    for code, entry in entries.items():
        returned = code in said
        new_state = State.RETURNED if returned else (State.DRAFT if entry.observation_id else State.NOT_STARTED)
        if returned:
            StateChange.objects.create(set=locked, entry=entry, from_state=entry.state, to_state=new_state,
                                       actor=_person(user), at=now, comment=said[code], version=locked.version + 1)
        entry.state, entry.return_comment = new_state, said.get(code, "")
        entry.save(update_fields=["state", "return_comment"])
    summary = "; ".join(f"{code}: {text}" for code, text in sorted(said.items()))
    _move(locked, to_state=State.RETURNED, user=user, at=now, comment=summary[:2000])
    locked.save(update_fields=["state", "version"])
    return locked


# --- reminders -----------------------------------------------------------------------------

@transaction.atomic
def reminder_record(*, round_: Round, agency_id: int, kind: str, sent_on: date) -> bool:
    """Records that a reminder of `kind` went to the agency on `sent_on`; False when one was
    already recorded (another run got there first: do not send it again)."""
    _reminder, created = ReminderSent.objects.get_or_create(round=round_, agency_id=agency_id, kind=kind,
                                                            sent_on=sent_on)
    return created


__all__ = [
    "PermissionDenied", "ROW_FIELDS", "reminder_record", "round_close", "round_create", "round_reopen", "round_default_indicators", "round_set_approve", "round_update",
    "round_set_return", "round_set_save_draft", "round_set_submit", "row_errors",
]
