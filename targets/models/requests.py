"""Recompute requests: the outbox of work owed to what is derived from the core's data (the
snapshots app's snapshots and roll-ups), written by the core's services with each change."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.models.plans import Plan, Target


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
