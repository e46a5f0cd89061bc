"""The plan and its targets, progress figures, and computed progress snapshots.

A zone may have several plans (Hangzhou issued later plans with new targets for the
same zone): everything hangs off `Plan`, so a new one is added in the admin without
code changes.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
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


class Plan(BilingualTitleMixin):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    zone = LineField(_("zone"), max_length=200)
    title_zh = LineField(_("title (Chinese)"), max_length=300)
    title_en = LineField(_("title (English)"), max_length=300)
    issuing_body = LineField(_("issuing body"), max_length=200)
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

    @property
    def latest_entry_date(self) -> date:
        """Entries may report up to five years after the target date (late statistics)."""
        return self.target_date.replace(year=self.target_date.year + 5)


class Objective(BilingualTitleMixin):
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
        return f"{self.number}. {self.localized('title')}"


class Target(BilingualTitleMixin):
    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("quantitative")
        QUALITATIVE = progress.QUALITATIVE, _("qualitative (named items)")

    class Direction(models.TextChoices):
        AT_LEAST = progress.AT_LEAST, _("at least (more is better)")
        AT_MOST = progress.AT_MOST, _("at most (less is better)")

    class Aggregation(models.TextChoices):
        SUM = progress.SUM, _("sum — each entry is the amount added in its period")
        LATEST = progress.LATEST, _("latest — each entry is the level at the period's end")

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="targets", verbose_name=_("objective")
    )
    code = models.SlugField(
        _("code"), max_length=60, unique=True,
        help_text=_("Stable identifier used in addresses and the API; do not change once published."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = LineField(_("name (Chinese)"), max_length=300)
    name_en = LineField(_("name (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUANTITATIVE)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.ITEM)
    target_value = models.DecimalField(
        _("target value"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("Empty for qualitative targets."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    aggregation = models.CharField(
        _("how entries add up"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True,
        help_text=_("Leave empty when no source gives it: unknown is not zero."),
    )
    baseline_date = models.DateField(_("baseline date"))
    baseline_source = LineField(_("baseline source"), max_length=500, blank=True)
    source_wording = LongTextField(_("source wording"), max_length=5000, blank=True)
    method_note = LongTextField(
        _("method note"), max_length=5000, blank=True,
        help_text=_("Why this target is a sum or a level, and where its baseline comes from."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["objective__plan", "objective__number", "order", "code"]

    def __str__(self):
        return self.localized("name")

    @property
    def plan(self) -> Plan:
        return self.objective.plan

    @property
    def is_qualitative(self) -> bool:
        return self.kind == self.Kind.QUALITATIVE

    def clean(self):
        from targets.validation import validate_target

        validate_target(self)


class TargetItem(BilingualTitleMixin):
    """A named part of a target: a technical field, a sector, a named demonstration project."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        ACHIEVED = "achieved", _("achieved")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="items", verbose_name=_("target"))
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = LineField(_("name (Chinese)"), max_length=300)
    name_en = LineField(_("name (English)"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    evidence = LongTextField(_("evidence"), max_length=5000, blank=True)
    evidence_url = LinkField(_("evidence address"), max_length=500, blank=True)

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


class ProgressEntry(models.Model):
    """One reported figure for a target and period, with where it comes from."""

    class Qualifier(models.TextChoices):
        EXACT = progress.EXACT, _("exact")
        AT_LEAST = progress.AT_LEAST, _("at least (source says “more than”)")
        AT_MOST = progress.AT_MOST, _("at most (source says “less than”)")
        PARTIAL_PERIOD = progress.PARTIAL_PERIOD, _("partial period (covers only part of the period)")

    class Confidence(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="entries", verbose_name=_("target"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    qualifier = models.CharField(_("qualifier"), max_length=20, choices=Qualifier.choices, default=Qualifier.EXACT)
    source_title = LineField(_("source title"), max_length=300)
    source_url = LinkField(_("source address"), max_length=500, blank=True)
    quote = LongTextField(_("quote from the source"), max_length=5000, blank=True)
    definition_note = LongTextField(
        _("definition note"), max_length=2000, blank=True,
        help_text=_("What exactly the source counts, where it differs from the target's wording."),
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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["target", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period_end"], name="entry_one_per_target_period"),
        ]

    def __str__(self):
        return f"{self.target_id and self.target.code} @ {self.period_end}: {self.value}"

    def clean(self):
        from targets.validation import validate_progress_entry

        validate_progress_entry(self)


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
        MISSED = progress.MISSED, _("missed")
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
        _("attained qualifier"), max_length=20, choices=ProgressEntry.Qualifier.choices, blank=True
    )
    data_date = models.DateField(_("date of the data point"), null=True, blank=True)
    baseline_known = models.BooleanField(_("baseline known"), default=True)
    progress = models.FloatField(_("progress"), null=True, blank=True)
    expected = models.FloatField(_("expected progress"), null=True, blank=True)
    ratio = models.FloatField(_("judgement ratio"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.NONE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NO_DATA, db_index=True)
    forecast_value = models.DecimalField(_("forecast at target date"), max_digits=24, decimal_places=4, null=True, blank=True)
    forecast_reach_date = models.DateField(_("date the trend reaches the target"), null=True, blank=True)
    data_age_days = models.IntegerField(_("data age (days)"), null=True, blank=True)
    is_data_stale = models.BooleanField(_("data older than a year"), default=False)
    has_synthetic = models.BooleanField(_("rests on synthetic figures"), default=False)
    is_outdated = models.BooleanField(
        _("awaiting recompute"), default=False,
        help_text=_(
            "Set when a figure changed and this date still waits for its recompute: the latest "
            "date is recomputed at once, older dates (or all, if the broker was down) by the nightly run."
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

