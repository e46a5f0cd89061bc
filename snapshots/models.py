"""What the progress engine computes: snapshots per target and date, the plan's roll-ups, and
the plan calendar of snapshot dates. The recompute requests that drive it are the core's
outbox (`targets.models.RecomputeRequest`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from targets import progress
from targets.models import Objective, Observation, Plan, Target


class Snapshot(models.Model):
    """Where one target stood on one as-of date, with the inputs that explain it.

    Written only by the progress engine (`snapshots.services.refresh_recompute`);
    recomputing a date replaces its row (one per target and date).
    """

    # The values are the engine's vocabulary (targets.progress.codes); only the labels are here.
    class Status(models.TextChoices):
        ACHIEVED = progress.ACHIEVED, _("target achieved")
        ON_TRACK = progress.ON_TRACK, _("on track")
        NEEDS_ACCELERATION = progress.NEEDS_ACCELERATION, _("needs acceleration")
        OFF_TRACK = progress.OFF_TRACK, _("off track")
        MOVING_AWAY = progress.MOVING_AWAY, _("moving away")
        NOT_ACHIEVED = progress.NOT_ACHIEVED, _("not achieved")
        # Before the deadline too: a bound, or one figure without a baseline, that decides nothing.
        NOT_DETERMINED = progress.NOT_DETERMINED, _("not determined")
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
