"""Writes of the project's composition: the periodic tasks that run the whole product."""

from __future__ import annotations

from django.db import transaction

from measures.services import lead_agencies_link
from snapshots.services.refresh import SWEEP_NAME, SWEEP_TASK
from targets.progress.dates import ZONE_TIME_ZONE
from targets.services import agencies_load as agencies_and_indicators_load

NIGHTLY_RECOMPUTE_TASK = "operations.refresh_snapshots"
NIGHTLY_RECOMPUTE_NAME = "Nightly snapshot recompute"
# Task names that were changed, old -> new (issue 17: the nightly job moved from targets to
# operations, the sweep to snapshots). A periodic task stored under an old name would never run again, since no worker
# knows that name; the schedule gives it the new one, and keeps its timing as it was.
RENAMED_TASKS = {
    "targets.refresh_snapshots": NIGHTLY_RECOMPUTE_TASK,
    # The snapshot machinery moved to its own app (issue 17).
    "targets.sweep_recompute_requests": SWEEP_TASK,
}


@transaction.atomic
def agencies_load(*, data: dict) -> dict[str, int]:
    """Loads the agencies of `data` (fixtures/agencies.json) with what they are responsible for:
    the indicators assigned to them (`targets.services.agencies_load`) and the measures whose
    lead agency, as written, names one of them (`measures.services.lead_agencies_link`).

    Guarantees those two services' guarantees, in one transaction: one bad agency raises
    ValidationError and nothing is written. Returns counts per kind."""
    created = agencies_and_indicators_load(data=data)
    created["measures linked"] = lead_agencies_link()
    return created


@transaction.atomic
def recompute_schedule_ensure() -> list[str]:
    """Creates, in django-celery-beat, the nightly recompute (02:30 Hangzhou time) and the
    sweep of recompute requests (every five minutes) unless a periodic task already runs each.

    Guarantees: never duplicates an existing one, and changes an existing one only to give a
    task stored under an old name (RENAMED_TASKS) its new name, so a schedule that an
    administrator changed or disabled in the admin stays as they left it. Returns the names
    of the periodic tasks created.
    """
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask, PeriodicTasks

    renamed = 0
    for old, new in RENAMED_TASKS.items():
        renamed += PeriodicTask.objects.filter(task=old).update(task=new)
    if renamed:
        PeriodicTasks.update_changed()  # `update` skips save(): tell a running beat to reload
    created = []
    if not PeriodicTask.objects.filter(task=NIGHTLY_RECOMPUTE_TASK).exists():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone=ZONE_TIME_ZONE,
        )
        PeriodicTask.objects.create(
            name=NIGHTLY_RECOMPUTE_NAME, task=NIGHTLY_RECOMPUTE_TASK, crontab=crontab, kwargs="{}",
            description="Computes every plan's snapshots for today, fills gaps in the monthly history, "
                        "verifies every stored snapshot and repairs any that differ.",
        )
        created.append(NIGHTLY_RECOMPUTE_NAME)
    if not PeriodicTask.objects.filter(task=SWEEP_TASK).exists():
        every, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.create(
            name=SWEEP_NAME, task=SWEEP_TASK, interval=every, kwargs="{}",
            description="Sends again the recomputes requested more than five minutes ago and not done "
                        "(a broker that was down, a lost message, a worker that died).",
        )
        created.append(SWEEP_NAME)
    return created
