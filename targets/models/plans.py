"""Plans and their targets, the indicators they measure with their observations, and the
computed progress snapshots.

A zone works to several plans over time (the 2020 action plan, the 2025 plan...), and the
quantities they measure — industry revenue, patents, enterprises — outlive any one plan.
So an `Indicator` is measured over time, independent of any plan, and its `Observation`s are
entered once; a `Target` belongs to a plan and points at the indicator it is judged on. Two
plans may target the same indicator and read the same observations.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from edge.fields import LineField, LinkField, LongTextField
from targets import progress
from targets.language import is_chinese
from targets.units import Unit


class BilingualTitleMixin(models.Model):
    """Chinese and English names, read in the active language."""

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        suffix = "zh" if is_chinese(language) else "en"
        return getattr(self, f"{field}_{suffix}") or getattr(self, f"{field}_en") or ""


class TranslationFlagMixin(models.Model):
    """Whether the Chinese text is this project's translation of an English source rather than
    the official wording: the pages say so beside it."""

    zh_is_translation = models.BooleanField(
        _("Chinese text is this project's translation"), default=False,
        help_text=_("Tick when no official Chinese wording was found and the Chinese text was translated here."),
    )

    class Meta:
        abstract = True


class Plan(TranslationFlagMixin, BilingualTitleMixin):
    class Stage(models.TextChoices):
        DRAFT = "draft", _("draft (not adopted)")
        ADOPTED = "adopted", _("adopted")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    zone_zh = LineField(_("zone (Chinese)"), max_length=200)
    zone_en = LineField(_("zone (English)"), max_length=200)
    title_zh = LineField(_("title (Chinese)"), max_length=300)
    title_en = LineField(_("title (English)"), max_length=300)
    issuing_body_zh = LineField(_("issuing body (Chinese)"), max_length=200)
    issuing_body_en = LineField(_("issuing body (English)"), max_length=200)
    stage = models.CharField(
        _("stage"), max_length=10, choices=Stage.choices,
        help_text=_("A draft for comments, or a plan the government adopted. Whether it is in force "
                    "follows from its dates."),
    )
    published_on = models.DateField(_("publication date"))
    baseline_date = models.DateField(_("baseline date"))
    target_date = models.DateField(_("target date"))
    source_url = LinkField(_("source address"), max_length=500, blank=True)
    source_note = LongTextField(_("source note"), max_length=5000, blank=True)
    # Status bands of the Open SDG / Statistics Canada method; each plan may set its own.
    on_track_threshold = models.DecimalField(
        _("on-track threshold"), max_digits=4, decimal_places=3, default=Decimal("0.95")
    )
    acceleration_threshold = models.DecimalField(
        _("needs-acceleration threshold"), max_digits=4, decimal_places=3, default=Decimal("0.6")
    )
    # Bumped by every recompute and every change to what the plan's pages and API show (its
    # figures, terms, titles, measures), in the transaction of the change
    # (`targets.services.store.versions_bump`): page caches and ETags derive from it, so a
    # conditional request costs one small read. `data_changed_at` is the time of the last
    # bump, for Last-Modified. Not the plan's content, so not in its change history.
    data_version = models.PositiveBigIntegerField(_("data version"), default=0, editable=False)
    data_changed_at = models.DateTimeField(_("data last changed at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["data_version", "data_changed_at"])

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-published_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_date__gt=models.F("baseline_date")),
                name="plan_target_after_baseline",
                violation_error_message=_("The target date must be after the baseline date."),
            ),
            models.CheckConstraint(
                condition=models.Q(acceleration_threshold__lt=models.F("on_track_threshold"))
                & models.Q(acceleration_threshold__gte=0),
                name="plan_thresholds_ordered",
                violation_error_message=_(
                    "The needs-acceleration threshold must be at least 0 and below the "
                    "on-track threshold."
                ),
            ),
        ]

    def __str__(self):
        return self.localized("title")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_FORCE = "in_force", _("in force")
        ENDED = "ended", _("ended")

    def status_on(self, day: date) -> str:
        """Ended after its target date; before that, in force once adopted, a draft until then."""
        if day > self.target_date:
            return self.Status.ENDED
        return self.Status.IN_FORCE if self.stage == self.Stage.ADOPTED else self.Status.DRAFT

    @property
    def latest_entry_date(self) -> date:
        """Entries may report up to five years after the target date (late statistics)."""
        return self.target_date.replace(year=self.target_date.year + 5)


class Objective(TranslationFlagMixin, BilingualTitleMixin):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    title_zh = LineField(_("title (Chinese)"), max_length=300)
    title_en = LineField(_("title (English)"), max_length=300)
    source_wording = LongTextField(_("source wording"), max_length=5000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_unique_number_in_plan"),
        ]

    def __str__(self):
        return f"{self.plan.code} · {self.number}. {self.localized('title')}"


class Agency(BilingualTitleMixin):
    """A municipal department that owns indicators: it reports their figures in the reporting
    rounds, and its members (data-entry users) may enter only those figures
    (`targets.permissions.entry_write_check`). Measures name one as their lead agency."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = LineField(_("name (Chinese)"), max_length=200)
    name_en = LineField(_("name (English)"), max_length=200)
    # "awaiting the S&T bureau" on the overview: the full names are too long for a table cell.
    short_name_zh = LineField(_("short name (Chinese)"), max_length=60, blank=True)
    short_name_en = LineField(_("short name (English)"), max_length=60, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), max_length=254, blank=True,
        help_text=_("Where the reporting rounds' reminders are sent."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="agencies", blank=True, verbose_name=_("members"),
        help_text=_("Users who enter this agency's figures."),
    )

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self):
        return self.localized("name")

    def short_name(self, language: str | None = None) -> str:
        return self.localized("short_name", language) or self.localized("name", language)


class Indicator(TranslationFlagMixin, BilingualTitleMixin):
    """A quantity measured over time, independent of any plan: AI industry revenue, core
    invention patents obtained, enterprises with high-tech status. Its observations are
    entered once; the targets of any number of plans point at it."""

    class Kind(models.TextChoices):
        FLOW = "flow", _("flow — an amount over a period (patents obtained in the year); summed over a target's window")
        STOCK = "stock", _("stock — a level at a date (enterprises holding a status, annual revenue); the latest counts")

    class ReportingPeriod(models.TextChoices):
        YEAR = "year", _("yearly")
        HALF_YEAR = "half_year", _("half-yearly")
        QUARTER = "quarter", _("quarterly")
        MONTH = "month", _("monthly")

    code = models.SlugField(
        _("code"), max_length=60, unique=True,
        help_text=_("Stable identifier used in addresses and the API; do not change once published."),
    )
    name_zh = LineField(_("name (Chinese)"), max_length=300)
    name_en = LineField(_("name (English)"), max_length=300)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    # No default: whether figures add up over a period or each states a level is a fact about
    # the quantity, and guessing it wrongly turns every status wrong.
    kind = models.CharField(
        _("how figures add up"), max_length=10, choices=Kind.choices,
        help_text=_(
            "Flow: each figure is what was added in its period (patents obtained in 2021); a target "
            "sums the figures in its window. Stock: each figure is the level at its period's end "
            "(enterprises with high-tech status at the end of 2021, revenue of the year); the latest "
            "figure counts. There is no default: choose from what the source counts."
        ),
    )
    reporting_period = models.CharField(
        _("reporting period"), max_length=10, choices=ReportingPeriod.choices, default=ReportingPeriod.YEAR,
        help_text=_("How often the figure is reported. After a target's date, a status rests only on a "
                    "figure at most one reporting period older than the target date."),
    )
    scope = models.SlugField(
        _("scope (statistical definition)"), max_length=60,
        help_text=_(
            "A short code for what the indicator counts (统计口径), e.g. ai-industry. An observation "
            "or a target with another scope is of a different definition: it is shown as context and "
            "never mixed into a status, a growth rate or a forecast."
        ),
    )
    definition_zh = LongTextField(_("definition (Chinese)"), max_length=5000, blank=True)
    definition_en = LongTextField(_("definition (English)"), max_length=5000, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators",
        verbose_name=_("responsible agency"),
        help_text=_("The agency that reports this indicator's figures; only its members (and zone "
                    "administrators) may enter them."),
    )
    agency_provisional = models.BooleanField(
        _("agency assignment provisional"), default=False,
        help_text=_("Ticked where the plan does not name the responsible agency and it was assigned here."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return self.localized("name")

    @property
    def is_flow(self) -> bool:
        return self.kind == self.Kind.FLOW

    @property
    def period_days(self) -> int:
        """One reporting period, in days (a year is 366: a leap year still counts)."""
        return {"year": 366, "half_year": 184, "quarter": 92, "month": 31}[self.reporting_period]

    def clean(self):
        from targets.validation import validate_indicator

        validate_indicator(self)


class Target(TranslationFlagMixin, BilingualTitleMixin):
    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("quantitative")
        QUALITATIVE = progress.QUALITATIVE, _("qualitative (named items)")

    class Direction(models.TextChoices):
        AT_LEAST = progress.AT_LEAST, _("at least; more is better")
        AT_MOST = progress.AT_MOST, _("at most; less is better")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan"))
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="targets", verbose_name=_("objective"),
        help_text=_("One of the plan's objectives."),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="targets",
        verbose_name=_("indicator"),
        help_text=_("The quantity this target is judged on. Empty for a qualitative target (judged by its named items)."),
    )
    code = models.SlugField(
        _("code"), max_length=60,
        help_text=_("Stable identifier, unique within the plan, used in addresses and the API; do not change "
                    "once published."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = LineField(_("name (Chinese)"), max_length=300)
    name_en = LineField(_("name (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUANTITATIVE)
    target_value = models.DecimalField(
        _("target value"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("Empty for qualitative targets."),
    )
    target_date = models.DateField(
        _("target date"), null=True, blank=True, help_text=_("Empty: the plan's target date."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    scope = models.SlugField(
        _("scope (statistical definition)"), max_length=60, blank=True,
        help_text=_("What the target's wording counts; empty: the indicator's scope. Only observations of "
                    "this scope count towards the target."),
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("Leave empty when no source gives it: unknown is not zero."),
    )
    baseline_date = models.DateField(_("baseline date"))
    baseline_scope = models.SlugField(
        _("scope of the baseline"), max_length=60, blank=True,
        help_text=_("Empty: the target's scope. A baseline of another scope is shown, but no progress or "
                    "growth is computed from it."),
    )
    baseline_source = LineField(_("baseline source"), max_length=500, blank=True)
    baseline_note_zh = LongTextField(_("baseline note (Chinese)"), max_length=2000, blank=True)
    baseline_note_en = LongTextField(_("baseline note (English)"), max_length=2000, blank=True)
    source_wording = LongTextField(_("source wording"), max_length=5000, blank=True)
    source_confidence = models.CharField(
        _("confidence in the source"), max_length=10, choices=[
            ("high", _("high")), ("medium", _("medium")), ("low", _("low")),
        ], default="high",
        help_text=_("Low where the plan's text is known only from a repost."),
    )
    method_note_zh = LongTextField(
        _("method note (Chinese)"), max_length=5000, blank=True,
        help_text=_("Why this target is a sum or a level, which indicator it shares, and where its baseline "
                    "comes from."),
    )
    method_note_en = LongTextField(_("method note (English)"), max_length=5000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        # The model's name in the admin's menu ("指标"); the bare word is a count's unit ("15 项指标").
        verbose_name_plural = pgettext_lazy("model name", "targets")
        ordering = ["plan", "objective__number", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="target_unique_code_in_plan")]

    def __str__(self):
        return self.localized("name")

    @property
    def is_qualitative(self) -> bool:
        return self.kind == self.Kind.QUALITATIVE

    @property
    def due_date(self) -> date:
        return self.target_date or self.plan.target_date

    # A nullable relation reads as None without a query when it is not set: these work on
    # unsaved targets too (an explanation built in memory).
    @property
    def unit(self) -> str:
        return self.indicator.unit if self.indicator is not None else Unit.ITEM

    def get_unit_display(self) -> str:
        return Unit(self.unit).label

    @property
    def aggregation(self) -> str:
        """How the engine reads the indicator's figures: summed (a flow) or the latest (a stock)."""
        if self.indicator is None:
            return progress.LATEST
        return progress.SUM if self.indicator.kind == Indicator.Kind.FLOW else progress.LATEST

    @property
    def effective_scope(self) -> str:
        return self.scope or (self.indicator.scope if self.indicator is not None else "")

    @property
    def baseline_comparable(self) -> bool:
        """Whether the baseline counts what the target counts: if not, it is shown and never
        used for progress or growth."""
        return not self.baseline_scope or self.baseline_scope == self.effective_scope

    def clean(self):
        from targets.validation import validate_target

        validate_target(self)


class TargetItem(TranslationFlagMixin, BilingualTitleMixin):
    """A named part of a target: a technical field, a sector, a named demonstration project.

    Its status on a date is the one its last dated update (`ItemUpdate`) gave by then; with
    none, it is "not reported" — the absence of news is not news of no progress.
    """

    class Status(models.TextChoices):
        NOT_REPORTED = progress.NOT_REPORTED, _("not reported")
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        ACHIEVED = "achieved", _("achieved")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="items", verbose_name=_("target"))
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = LineField(_("name (Chinese)"), max_length=300)
    name_en = LineField(_("name (English)"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("named item")
        verbose_name_plural = _("named items")
        ordering = ["target", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["target", "code"], name="item_unique_code_in_target"),
        ]

    def __str__(self):
        return self.localized("name")


class ItemUpdate(models.Model):
    """A dated report on a named item: its status on that date, with the evidence."""

    item = models.ForeignKey(TargetItem, on_delete=models.CASCADE, related_name="updates", verbose_name=_("named item"))
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=20,
        choices=[(value, label) for value, label in TargetItem.Status.choices if value != progress.NOT_REPORTED],
    )
    evidence = LongTextField(_("evidence"), max_length=5000)
    evidence_url = LinkField(_("evidence address"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item update")
        verbose_name_plural = _("item updates")
        ordering = ["item", "-date", "-id"]

    def __str__(self):
        return f"{self.item_id} @ {self.date}: {self.status}"

    def clean(self):
        from targets.validation import validate_item_update

        validate_item_update(self)


class Observation(models.Model):
    """One reported figure of an indicator for a period, with where it comes from and what
    exactly it counts. Entered once; every plan's target on the indicator reads it."""

    class Qualifier(models.TextChoices):
        EXACT = progress.EXACT, _("exact")
        AT_LEAST = progress.AT_LEAST, _("at least (source says “more than”)")
        AT_MOST = progress.AT_MOST, _("at most (source says “less than”)")
        PARTIAL_PERIOD = progress.PARTIAL_PERIOD, _("partial period (covers only part of the period)")

    class Confidence(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")

    # Not approved: a proposed first figure, or a proposed revision of the approved one.
    PENDING = (Status.DRAFT, Status.SUBMITTED)

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="observations", verbose_name=_("indicator")
    )
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    qualifier = models.CharField(_("qualifier"), max_length=20, choices=Qualifier.choices, default=Qualifier.EXACT)
    source_title = LineField(_("source title"), max_length=300)
    source_url = LinkField(_("source address"), max_length=500, blank=True)
    quote = LongTextField(_("quote from the source"), max_length=5000, blank=True)
    scope = models.SlugField(
        _("scope (statistical definition)"), max_length=60, blank=True,
        help_text=_("Empty: the indicator's scope. Another scope (the source counts something else, e.g. "
                    "only enterprises above designated size) marks the figure as of a different "
                    "definition: context, never part of a status or a growth rate."),
    )
    definition_note = LongTextField(
        _("definition note"), max_length=2000, blank=True,
        help_text=_("What exactly the source counts, where it differs from the indicator's definition."),
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, default=Confidence.HIGH)
    confidence_note = LineField(_("confidence note"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic (demo) figure"), default=False, db_index=True,
        help_text=_("Set only by the demo-data command. Synthetic figures are never official."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Only approved figures count: in snapshots, on the dashboard, in exports and the public
    # API. A data-entry user's figure waits for a zone administrator (`observation_approve`).
    status = models.CharField(
        _("approval status"), max_length=10, choices=Status.choices, default=Status.APPROVED, db_index=True,
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("approved by"), editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "period_end"]
        constraints = [
            # One published figure per period, and at most one proposal waiting beside it.
            models.UniqueConstraint(
                fields=["indicator", "period_end"], condition=models.Q(status="approved"),
                name="observation_one_approved_per_indicator_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_end"], condition=~models.Q(status="approved"),
                name="observation_one_pending_per_indicator_period",
            ),
        ]
        indexes = [
            # The recompute's context query (`store._other_scope_figures`) asks for the figures
            # with a scope of their own, which are few: this index holds only them, so the
            # query reads those instead of scanning every figure.
            models.Index(fields=["indicator", "period_end"], condition=~models.Q(scope=""),
                         name="observation_own_scope"),
        ]

    def __str__(self):
        return f"{self.indicator_id and self.indicator.code} @ {self.period_end}: {self.value}"

    @property
    def effective_scope(self) -> str:
        return self.scope or self.indicator.scope

    @property
    def is_other_scope(self) -> bool:
        """Of another definition than the indicator's."""
        return bool(self.scope) and self.scope != self.indicator.scope

    def clean(self):
        from targets.validation import validate_observation

        validate_observation(self)


class ObservationRevision(models.Model):
    """An approved figure changed later: the value it replaced, when, by whom and why.

    Written by `targets.services.observation_approve` (and so by a round's approval, which links
    it to its round: `reporting.models.RevisionRound`). A snapshot as of a date before `revised_at` uses `previous_value`: the figure known then
    (`targets.services.store.engine_figures_by_date`).
    """

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("observation")
    )
    previous_value = models.DecimalField(_("previous value"), max_digits=20, decimal_places=4)
    previous_qualifier = models.CharField(_("previous qualifier"), max_length=20, choices=Observation.Qualifier.choices)
    new_value = models.DecimalField(_("new value"), max_digits=20, decimal_places=4)
    new_qualifier = models.CharField(_("new qualifier"), max_length=20, choices=Observation.Qualifier.choices)
    revised_at = models.DateTimeField(_("revised at"), db_index=True)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("revised by"),
    )
    reason = LongTextField(_("reason"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["observation", "revised_at", "id"]

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        """'revised from 1,480 to 1,512 亿元 on 2026-03-02: final statistics'."""
        from django.utils.timezone import localdate
        from django.utils.translation import get_language, gettext

        from targets.units import format_quantity

        unit, language = self.observation.indicator.unit, get_language() or "zh-hans"
        text = gettext("revised from %(previous)s to %(new)s on %(date)s") % {
            "previous": format_quantity(self.previous_value, unit, language),
            "new": format_quantity(self.new_value, unit, language),
            "date": localdate(self.revised_at).isoformat(),
        }
        return gettext("%(revision)s: %(reason)s") % {"revision": text, "reason": self.reason} if self.reason else text


class Snapshot(models.Model):
    """Where one target stood on one as-of date, with the inputs that explain it.

    Written only by the progress engine (`targets.services.snapshots_recompute`);
    recomputing a date replaces its row (one per target and date).
    """

    # The values are the engine's vocabulary (targets.progress.codes); only the labels are here.
    class Status(models.TextChoices):
        ACHIEVED = progress.ACHIEVED, _("target achieved")
        ON_TRACK = progress.ON_TRACK, _("on track")
        NEEDS_ACCELERATION = progress.NEEDS_ACCELERATION, _("needs acceleration")
        OFF_TRACK = progress.OFF_TRACK, _("off track")
        MOVING_AWAY = progress.MOVING_AWAY, _("moving away")
        MISSED = progress.MISSED, _("not achieved")
        NOT_DETERMINED = progress.NOT_DETERMINED, _("not determined at the deadline")
        NO_DATA = progress.NO_DATA, _("no data")

    class Method(models.TextChoices):
        PACE = progress.PACE, _("pace against a straight-line trajectory")
        GROWTH_RATIO = progress.GROWTH_RATIO, _("growth-rate ratio (Statistics Canada / Open SDG)")
        ITEMS = progress.ITEMS, _("share of named items achieved")
        NONE = progress.NONE, _("not computed (no data)")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("target"))
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    attained = models.DecimalField(_("attained value"), max_digits=20, decimal_places=4, null=True, blank=True)
    attained_qualifier = models.CharField(
        _("attained qualifier"), max_length=20, choices=Observation.Qualifier.choices, blank=True
    )
    data_date = models.DateField(_("date of the data point"), null=True, blank=True)
    baseline_known = models.BooleanField(_("baseline known"), default=True)
    progress = models.FloatField(_("progress"), null=True, blank=True)
    expected = models.FloatField(_("expected progress"), null=True, blank=True)
    ratio = models.FloatField(_("judgement ratio"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.NONE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NO_DATA, db_index=True)
    confidence = models.CharField(
        _("confidence"), max_length=10, choices=Observation.Confidence.choices, blank=True,
        help_text=_("The lowest confidence among the figures the status rests on, lowered when they are "
                    "stale or a bound; empty without figures."),
    )
    forecast_value = models.DecimalField(_("forecast at target date"), max_digits=24, decimal_places=4, null=True, blank=True)
    forecast_reach_date = models.DateField(_("date the trend reaches the target"), null=True, blank=True)
    data_age_days = models.IntegerField(_("data age (days)"), null=True, blank=True)
    is_data_stale = models.BooleanField(_("data older than a year"), default=False)
    has_synthetic = models.BooleanField(_("rests on synthetic figures"), default=False)
    is_outdated = models.BooleanField(
        _("awaiting recompute"), default=False,
        help_text=_(
            "Set in the same transaction as a change to its figures, cleared by the recompute that "
            "follows (within minutes: a request not done is sent again every five minutes)."
        ),
    )
    inputs = models.JSONField(_("inputs and method"), default=dict, blank=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["target", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["target", "as_of"], name="snapshot_one_per_target_date"),
        ]
        indexes = [models.Index(fields=["as_of", "target"])]

    def __str__(self):
        return f"{self.target_id} @ {self.as_of}: {self.status}"


class Rollup(models.Model):
    """Objective and plan roll-ups for an as-of date, computed with the snapshots.

    `objective` empty means the whole plan.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rollups", verbose_name=_("plan"))
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="rollups", verbose_name=_("objective")
    )
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    mean_capped_progress = models.FloatField(_("mean progress (each capped at 100 %)"), null=True, blank=True)
    target_count = models.PositiveIntegerField(_("targets"), default=0)
    progress_count = models.PositiveIntegerField(
        _("targets in the mean"), default=0,
        help_text=_("Targets with a progress figure; the mean covers only these."),
    )
    status_counts = models.JSONField(_("targets per status"), default=dict, blank=True)

    class Meta:
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        ordering = ["plan", "-as_of", "objective"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "as_of"], condition=models.Q(objective__isnull=True),
                name="rollup_one_per_plan_date",
            ),
            models.UniqueConstraint(
                fields=["objective", "as_of"], condition=models.Q(objective__isnull=False),
                name="rollup_one_per_objective_date",
            ),
        ]

    def __str__(self):
        scope = self.objective_id and f"objective {self.objective_id}" or f"plan {self.plan_id}"
        return f"{scope} @ {self.as_of}"


class SnapshotDate(models.Model):
    """A date on which a plan's snapshots are computed: its calendar, the dates its pages offer.

    Written by the snapshot services with the snapshots; one indexed read gives a plan's dates
    (the date picker, the latest date) without scanning the snapshots.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="snapshot_dates", verbose_name=_("plan"))
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("snapshot date")
        verbose_name_plural = _("snapshot dates")
        ordering = ["plan", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["plan", "as_of"], name="snapshot_date_one_per_plan_date")]

    def __str__(self):
        return f"{self.plan_id} @ {self.as_of}"


class RecomputeRequest(models.Model):
    """Work owed to the snapshots (a transactional outbox): written in the same transaction as
    the change that makes them stale, removed by the recompute that follows it.

    A row names a target (its figures changed) or, with no target, a whole plan (its dates,
    thresholds or list of targets changed). The broker only carries the news; if a message
    is lost or a worker dies, the periodic sweep sends it again, so no change is ever left
    uncomputed in silence.
    """

    # "target:<id>" or "plan:<id>": one unique key for both kinds, so that a repeated
    # request is one upsert on either database.
    key = models.CharField(_("key"), max_length=40, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("target")
    )
    requested_at = models.DateTimeField(_("requested at"))
    published_at = models.DateTimeField(_("last sent to the workers at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recompute request")
        verbose_name_plural = _("recompute requests")
        ordering = ["requested_at"]

    def __str__(self):
        return f"plan {self.plan_id}, target {self.target_id or 'all'} since {self.requested_at}"

