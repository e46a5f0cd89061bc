"""Background jobs of the progress engine. Each task parses its JSON arguments (ids and
ISO dates, never model instances) and calls one service in `targets.services`.

Both recomputes replace rows and give the same result when run twice, so they are
acknowledged late (a task lost with its worker runs again) and retried, with backoff,
only on errors that may pass by themselves: a dropped database or broker connection.
"""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from measures import services as measures_services
from targets import services
from targets.progress.dates import zone_today

TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError, TimeoutError)
# Late acknowledgement and the time limits are set once, in settings (CELERY_TASK_*).
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


@shared_task(name="targets.refresh_snapshots", **RETRY)
def refresh_snapshots(as_of: str | None = None) -> dict[str, int]:
    """The nightly job: every target as of `as_of` (today in Hangzhou by default), then every
    outdated snapshot; and the work areas' roll-ups for that date."""
    day = _parse_date(as_of) or zone_today()
    result = services.snapshots_refresh(as_of=day)
    result["area_rollups"] = measures_services.area_rollups_recompute(dates=[day])
    return result


# One target is a fraction of a second: a run this long is stuck, not busy.
@shared_task(name="targets.refresh_target_snapshots", soft_time_limit=120, time_limit=150, **RETRY)
def refresh_target_snapshots(target_id: int, as_of: str | None = None) -> int:
    """One target on `as_of`, by default on its plan's latest snapshot date (its older
    dates are marked outdated for the nightly repair). Queued when its figures change."""
    return services.target_snapshots_refresh(target_id=int(target_id), as_of=_parse_date(as_of))


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
