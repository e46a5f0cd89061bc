"""The quantities the zone measures, independent of any plan: the agencies that report them,
the indicators, their figures (observations) and the revisions of approved figures."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from edge.fields import LineField, LinkField, LongTextField
from targets import progress, terms
from targets.models.base import BilingualTitleMixin, TranslationFlagMixin
from targets.units import Unit


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
        FLOW = terms.FLOW, _("flow — an amount over a period (patents obtained in the year); summed over a target's window")
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
        return terms.period_days(self.reporting_period)

    def clean(self):
        from targets.validation import validate_indicator

        validate_indicator(self)


class Observation(models.Model):
    """One reported figure of an indicator for a period, with where it comes from and what
    exactly it counts. Entered once; every plan's target on the indicator reads it."""

    # What a person enters for a figure (its indicator and period name it), in one place: the
    # services, the reporting grid and upload, and the API's input all take it from here.
    EDITABLE_FIELDS = (
        "value", "qualifier", "scope", "source_title", "source_url", "quote", "definition_note", "confidence",
        "confidence_note",
    )

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
        return terms.effective_scope(self.scope, self.indicator.scope)

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
    it to its round: `reporting.models.RevisionRound`). A snapshot as of a date before
    `revised_at` uses `previous_value`: the figure known then
    (`snapshots.services.store.engine_figures_by_date`).
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
