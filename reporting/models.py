"""Reporting rounds: collecting a period's figures from the agencies that own them, checking
and approving them (the workflow of DHIS2's data sets, completeness and approval, sized for
a zone).

A `Round` asks for a period's figures of a set of indicators. Each agency responsible for
some of them has one `RoundSet` in the round: its data-entry users save drafts and submit
the set, a zone administrator approves it or returns it with a comment per row. Each
indicator of the set is a `RoundEntry`, pointing at the observation it produced (pending
until the set is approved). Every state change is recorded as a `StateChange`.

All writes go through `reporting.services`; these models hold no behaviour beyond labels.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edge.fields import LineField, LongTextField
from targets.models import Agency, BilingualTitleMixin, Indicator, Observation, ObservationRevision, Plan


class State(models.TextChoices):
    """Where an agency's set (and each of its rows) stands in a round."""

    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")
    # A row left empty in an approved set, with the administrator's reason (`round_set_approve`'s
    # "approve without"): not a figure, and not a row still awaited.
    NOT_REPORTED = "not_reported", _("not reported")


class RoundState(models.TextChoices):
    """Whether a round takes drafts and submissions. *Closed* comes from the dates (after the due
    date plus the grace period) unless an administrator closed or reopened it
    (`reporting.selectors.round_status` decides; `reporting.services` writes the overrides)."""

    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")


class Round(BilingualTitleMixin):
    """One collection of figures: a period ("2025 annual", "2026 H1"), a plan or every plan in
    force, the indicators asked for, and when it opens and is due."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True,
        help_text=_("Used in addresses and the API, e.g. 2025-annual."),
    )
    name_zh = LineField(_("name (Chinese)"), max_length=200)
    name_en = LineField(_("name (English)"), max_length=200)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="rounds", verbose_name=_("plan"),
        help_text=_("Empty: every plan in force."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(
        _("period end"), help_text=_("The figures collected are for the period ending on this date."),
    )
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"), default=0,
        help_text=_("Drafts and submissions are taken this many days after the due date; then the round closes."),
    )
    # An administrator's decision, which overrides the dates: empty = the dates decide; "closed"
    # = closed at `closed_at` whatever the dates say; "reopened" = open again, until
    # `reopened_until` (its last day) or, when empty, until an administrator closes it. Each
    # change is a `RoundStateChange`.
    state_override = models.CharField(
        _("set by an administrator"), max_length=10, blank=True, default="",
        choices=[(RoundState.CLOSED, RoundState.CLOSED.label), (RoundState.REOPENED, RoundState.REOPENED.label)],
    )
    closed_at = models.DateTimeField(_("closed by an administrator at"), null=True, blank=True)
    reopened_until = models.DateField(
        _("reopened until"), null=True, blank=True, help_text=_("The last day of a reopening; empty: until closed."),
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="rounds", blank=True, verbose_name=_("indicators collected"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-period_end", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="round_period_ordered",
                violation_error_message=_("The period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opens_on")), name="round_due_after_opening",
                violation_error_message=_("The due date must be on or after the opening date."),
            ),
        ]

    def __str__(self):
        return self.localized("name")


class RoundSet(models.Model):
    """One agency's part of a round: its state, and a version for optimistic concurrency (every
    action names the version it saw; a stale one is refused)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sets", verbose_name=_("reporting round"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="round_sets", verbose_name=_("agency"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NOT_STARTED,
                             db_index=True)
    version = models.PositiveIntegerField(
        _("version"), default=0, help_text=_("Bumped on every change; an action on an older version is refused."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    # What was submitted (`reporting.services.submitted_digest`): approval publishes only that.
    submitted_digest = models.CharField(_("digest of the submitted figures"), max_length=64, blank=True,
                                        editable=False)

    class Meta:
        verbose_name = _("agency set")
        verbose_name_plural = _("agency sets")
        ordering = ["round", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="round_set_one_per_agency")]
        permissions = [
            ("approve_roundset", "Can approve or return an agency's set (zone administrator)"),
        ]

    def __str__(self):
        return f"{self.round.code} · {self.agency.code}"


class RoundEntry(models.Model):
    """One indicator of an agency's set, with the observation it produced (pending until the
    set is approved) and the administrator's comment when returned."""

    set = models.ForeignKey(RoundSet, on_delete=models.CASCADE, related_name="entries", verbose_name=_("agency set"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    observation = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="round_entries",
        verbose_name=_("observation"),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NOT_STARTED)
    return_comment = LongTextField(_("comment on return"), max_length=2000, blank=True)
    revision_reason = LongTextField(
        _("reason for the revision"), max_length=2000, blank=True,
        help_text=_("Why an approved figure changes: shown beside the revision."),
    )
    not_reported_reason = LongTextField(
        _("reason it is not reported"), max_length=2000, blank=True,
        help_text=_("Why the set was approved without a figure for this row (the administrator's words)."),
    )

    class Meta:
        verbose_name = _("round entry")
        verbose_name_plural = _("round entries")
        ordering = ["set", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["set", "indicator"], name="round_entry_one_per_indicator")]

    def __str__(self):
        return f"{self.set_id} · {self.indicator_id}: {self.state}"


class StateChange(models.Model):
    """The audit trail: who moved a set (or one of its rows) from which state to which, when, why."""

    set = models.ForeignKey(RoundSet, on_delete=models.CASCADE, related_name="changes", verbose_name=_("agency set"))
    entry = models.ForeignKey(
        RoundEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="changes", verbose_name=_("row"),
    )
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    comment = LongTextField(_("comment"), max_length=2000, blank=True)
    # The set's version after the change: a repeated request naming the version before it is
    # recognised as a repeat (`reporting.services`), not as someone else's action.
    version = models.PositiveIntegerField(_("version after"), default=0)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["set", "at", "id"]

    def __str__(self):
        return f"{self.set_id}: {self.from_state} → {self.to_state}"


class RevisionRound(models.Model):
    """The round whose approval revised an approved figure. Reporting owns this link (the core's
    revision knows no rounds); written by `reporting.services.round_set_approve`."""

    revision = models.OneToOneField(ObservationRevision, on_delete=models.CASCADE, related_name="revision_round",
                                    verbose_name=_("revision"))
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="revision_rounds",
                              verbose_name=_("reporting round"))

    class Meta:
        verbose_name = _("revision in a round")
        verbose_name_plural = _("revisions in rounds")
        ordering = ["round", "revision"]

    def __str__(self):
        return f"{self.round_id}: {self.revision_id}"


class RoundStateChange(models.Model):
    """The audit of a round's state: who closed or reopened it, when, from which state, why.
    Closing by the dates writes no row (no one acted; the round's due date and grace period,
    changed only through `round_update`, say when); an edit of those dates that opens or
    closes the round does."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="state_changes",
                              verbose_name=_("reporting round"))
    from_state = models.CharField(_("from"), max_length=10, choices=RoundState.choices)
    to_state = models.CharField(_("to"), max_length=10, choices=RoundState.choices)
    reopened_until = models.DateField(_("reopened until"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    comment = LongTextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("round state change")
        verbose_name_plural = _("round state changes")
        ordering = ["round", "at", "id"]

    def __str__(self):
        return f"{self.round_id}: {self.from_state} → {self.to_state}"


class ReminderSent(models.Model):
    """A reminder mailed to an agency for a round, so the daily job never sends one twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("7 days before the due date")
        DUE = "due", _("on the due date")
        OVERDUE = "overdue", _("overdue (weekly)")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("reporting round"))
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("agency"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["round", "agency", "sent_on"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency", "kind", "sent_on"], name="reminder_sent_once"),
        ]

    def __str__(self):
        return f"{self.round_id} · {self.agency_id}: {self.kind} {self.sent_on}"
