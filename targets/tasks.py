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

from targets import services

TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError, TimeoutError)
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "max_retries": 5,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


@shared_task(name="targets.refresh_snapshots", soft_time_limit=14 * 60, time_limit=15 * 60, **RETRY)
def refresh_snapshots(as_of: str | None = None) -> dict[str, int]:
    """Every target as of `as_of` (today in Hangzhou by default), then every outdated snapshot.
    The nightly schedule runs this."""
    return services.snapshots_refresh(as_of=_parse_date(as_of))


@shared_task(name="targets.refresh_target_snapshots", soft_time_limit=120, time_limit=150, **RETRY)
def refresh_target_snapshots(target_id: int, as_of: str | None = None) -> int:
    """One target on `as_of`, or on every date its plan has snapshots for. Queued when its figures change."""
    return services.target_snapshots_refresh(target_id=int(target_id), as_of=_parse_date(as_of))


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
