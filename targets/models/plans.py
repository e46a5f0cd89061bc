"""What a plan sets out to do: plans, their objectives, the targets judged on an indicator or on
named items, and the items' updates."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from edge.fields import LineField, LinkField, LongTextField
from targets import progress, terms
from targets.models.base import BilingualTitleMixin, TranslationFlagMixin
from targets.models.indicators import Indicator
from targets.units import Unit


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
    # (`targets.services.locks.versions_bump`): page caches and ETags derive from it, so a
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
        return terms.due_date(self.target_date, self.plan.target_date)

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
        return terms.aggregation(self.indicator.kind if self.indicator is not None else None)

    @property
    def effective_scope(self) -> str:
        return terms.effective_scope(self.scope, self.indicator.scope if self.indicator is not None else None)

    @property
    def baseline_comparable(self) -> bool:
        """Whether the baseline counts what the target counts: if not, it is shown and never
        used for progress or growth."""
        return terms.baseline_comparable(self.baseline_scope, self.effective_scope)

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
