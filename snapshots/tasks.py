"""Background jobs of the progress engine. Each task parses its JSON arguments (ids and
ISO dates, never model instances) and calls services; the core's services send the recompute
requests by task name (`targets.services.requests`), so this module imports them and
never the other way round.

Every recompute replaces rows and gives the same result when run twice, so tasks are
acknowledged late (a task lost with its worker runs again) and retried, with backoff,
only on errors that may pass by themselves: a dropped database or broker connection. A
request whose task is lost anyway is sent again by the sweep (`sweep_recompute_requests`).
The nightly job, which also runs the apps above the core, is `operations.tasks`.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from edge.transactions import WriteConflict
from snapshots import services
from targets.services.requests import requests_sweep

# A WriteConflict: a deadlock met twice (the services retry once at once); later it will pass.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, WriteConflict, BrokerOperationalError, ConnectionError,
                    TimeoutError)
# Late acknowledgement and the time limits are set once, in settings (CELERY_TASK_*).
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


# One target is a fraction of a second: a run this long is stuck, not busy.
@shared_task(name="snapshots.refresh_target_snapshots", soft_time_limit=120, time_limit=150, **RETRY)
def refresh_target_snapshots(target_id: int) -> int:
    """One target on every date of its plan, and the plan's roll-ups. Requested when its figures change."""
    return services.target_snapshots_refresh(target_id=int(target_id))


@shared_task(name="snapshots.refresh_plan_snapshots", **RETRY)
def refresh_plan_snapshots(plan_id: int) -> int:
    """A whole plan on every date of its calendar. Requested when the plan, or its list of targets, changes."""
    return services.plan_snapshots_refresh(plan_id=int(plan_id))


@shared_task(name="snapshots.sweep_recompute_requests", **RETRY)
def sweep_recompute_requests() -> int:
    """Every few minutes: sends again the recompute requests not done in time."""
    return requests_sweep()
