"""Background jobs of the reporting rounds: thin, JSON arguments, one service each."""

from datetime import date

from celery import shared_task

from reporting import reminders
from snapshots.tasks import RETRY
from targets.progress.dates import zone_today


@shared_task(name=reminders.REMINDER_TASK, **RETRY)
def round_reminders_send(today: str | None = None) -> int:
    """The daily job: the reminders due today (in Hangzhou), each sent once."""
    day = date.fromisoformat(today) if today else zone_today()
    return len(reminders.round_reminders_send(today=day))
