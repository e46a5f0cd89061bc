"""Work areas and the measures of a plan, with their dated updates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from edge.fields import LineField, LinkField, LongTextField
from targets import progress
from targets.models import BilingualTitleMixin, Plan, Target


class Area(BilingualTitleMixin):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"))
    title_zh = LineField(_("title (Chinese)"), max_length=300)
    title_en = LineField(_("title (English)"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work area")
        verbose_name_plural = _("work areas")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="area_unique_number_in_plan"),
        ]

    def __str__(self):
        return f"{self.number}. {self.localized('title')}"


class Measure(BilingualTitleMixin):
    """A measure of the plan. Its status is the one its last dated update set (kept here by
    `measures.services` for lists and filters); with no dated update, "not reported"."""

    class Status(models.TextChoices):
        NOT_REPORTED = progress.NOT_REPORTED, _("not reported")
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        DELAYED = "delayed", _("delayed")

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="measures", verbose_name=_("work area"))
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("The measure's number in the plan (1–35), unique within the plan.")
    )
    title_zh = LineField(_("title (Chinese)"), max_length=500)
    title_en = LineField(_("title (English)"), max_length=500)
    description = LongTextField(_("description"), max_length=5000, blank=True)
    lead_agency = models.ForeignKey(
        "targets.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="measures",
        verbose_name=_("lead agency"),
        help_text=_("The agency that leads the measure; its members (and zone administrators) report its updates."),
    )
    # The lead agency as the source wrote it: kept where it names no agency of the list (a
    # joint lead, a district), and the key by which `agencies_load` links it.
    lead_agency_text = LineField(_("lead agency as written"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_REPORTED, db_index=True,
        editable=False, help_text=_("Set by the measure's dated updates."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    targets = models.ManyToManyField(Target, related_name="measures", blank=True, verbose_name=_("targets served"))
    is_provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_(
            "A placeholder until the official wording is entered: the plan's 35 measures "
            "are not published in any source found."
        ),
    )

    history = HistoricalRecords(m2m_fields=[targets])

    class Meta:
        verbose_name = _("measure")
        # The model's name in the admin's menu ("指标"); the bare word is a count's unit ("15 项指标").
        verbose_name_plural = pgettext_lazy("model name", "measures")
        ordering = ["area__plan", "number"]
        # The admin's import and export (django-import-export) ask for these, by the codes
        # IMPORT_EXPORT_IMPORT_PERMISSION_CODE / _EXPORT_ in settings; roles_sync grants them.
        permissions = [
            ("import_measure", "Can import measures"),
            ("export_measure", "Can export measures"),
        ]

    def __str__(self):
        return f"{self.number}. {self.localized('title')}"

    def clean(self):
        from measures.validation import validate_measure

        validate_measure(self)


class MeasureUpdate(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="updates", verbose_name=_("measure"))
    date = models.DateField(_("date"))
    note = LongTextField(_("note"), max_length=5000)
    evidence_url = LinkField(_("evidence address"), max_length=500, blank=True)
    status = models.CharField(
        _("status after this update"), max_length=20, blank=True,
        choices=[(value, label) for value, label in Measure.Status.choices if value != progress.NOT_REPORTED],
        help_text=_("Leave empty if the update does not change the measure's status."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure update")
        verbose_name_plural = _("measure updates")
        ordering = ["measure", "-date", "-id"]

    def __str__(self):
        return f"{self.measure_id} @ {self.date}"

    def clean(self):
        from measures.validation import validate_measure_update

        validate_measure_update(self)


class AreaRollup(models.Model):
    """How many of an area's measures stood in each status on an as-of date.

    Derived per plan and date like the snapshots: written by `measures.services`, which
    registers them with the snapshot pipeline (`snapshots.services.derived`), so they are
    computed on the plan's calendar, pruned off it and verified with the snapshots;
    recomputing a date replaces its row.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="rollups", verbose_name=_("work area"))
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    measure_count = models.PositiveIntegerField(_("measures"), default=0)
    status_counts = models.JSONField(
        _("measures per status"), default=dict, blank=True,
        help_text=_("Measure status → number of measures; statuses with no measure are left out."),
    )

    class Meta:
        verbose_name = _("area roll-up")
        verbose_name_plural = _("area roll-ups")
        ordering = ["area", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["area", "as_of"], name="area_rollup_one_per_area_date"),
        ]

    def __str__(self):
        return f"area {self.area_id} @ {self.as_of}"
