"""The nightly job: the targets' snapshots and what the apps above it derive from them. It lives
here, above every app it runs, so that the core does not import them (issue 17). It follows the
task contract of `snapshots.tasks` (JSON arguments, retries only on transient errors)."""

from datetime import date

from celery import shared_task

from operations.services import NIGHTLY_RECOMPUTE_TASK
from snapshots import services
from snapshots.tasks import RETRY
from targets.progress.dates import zone_today


@shared_task(name=NIGHTLY_RECOMPUTE_TASK, **RETRY)
def refresh_snapshots(as_of: str | None = None) -> dict[str, int]:
    """The nightly job: every plan, with all that is derived per plan and date (the work
    areas' roll-ups too), on `as_of` (today in Hangzhou by default) and on any missing date of
    its calendar, and what is off the calendar dropped; then everything stored verified
    against a fresh computation, and what differs repaired."""
    day = date.fromisoformat(as_of) if as_of else zone_today()
    result = services.snapshots_refresh(as_of=day)
    result["repaired"] = len(services.snapshots_verify(repair=True))
    return result
