"""The nightly job: the core's snapshots and what the apps above it derive from them. It lives
here, above every app it runs, so that the core does not import them (issue 17). It follows the
task contract of `targets.tasks` (JSON arguments, retries only on transient errors)."""

from datetime import date

from celery import shared_task

from measures import services as measures_services
from operations.services import NIGHTLY_RECOMPUTE_TASK
from targets import services
from targets.progress.dates import zone_today
from targets.tasks import RETRY


@shared_task(name=NIGHTLY_RECOMPUTE_TASK, **RETRY)
def refresh_snapshots(as_of: str | None = None) -> dict[str, int]:
    """The nightly job: every plan on `as_of` (today in Hangzhou by default) and on any
    missing date of its calendar; the work areas' roll-ups for that date; then every stored
    snapshot verified against a fresh computation, and those that differ repaired."""
    day = date.fromisoformat(as_of) if as_of else zone_today()
    result = services.snapshots_refresh(as_of=day)
    result["area_rollups"] = measures_services.area_rollups_recompute(dates=[day])
    result["repaired"] = len(services.snapshots_verify(repair=True))
    return result
