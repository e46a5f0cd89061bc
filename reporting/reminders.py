"""Reminders of a reporting round: each agency's contact is mailed the list of its
indicators still open — seven days before the due date, on the due date, and every seventh
day after it while any is open. Chinese first, English below.

A reminder is recorded (`ReminderSent`, unique per round, agency, kind and day) in the same
transaction as it is sent, so a job run twice on one day — or two workers at once — sends it
once, and a mail that fails leaves no record (the next run tries again).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reporting.models import ReminderSent, Round, RoundEntry
from reporting.selectors import open_entries_by_agency, round_status
from reporting.services import reminder_record
from targets.models import Agency

REMINDER_TASK = "reporting.round_reminders_send"
REMINDER_NAME = "Reporting round reminders (daily)"
BEFORE_DAYS = 7


def reminder_kind(round_: Round, today: date) -> str | None:
    """Which reminder, if any, a round calls for on `today`."""
    if today == round_.due_on - timedelta(days=BEFORE_DAYS):
        return ReminderSent.Kind.BEFORE
    if today == round_.due_on:
        return ReminderSent.Kind.DUE
    if today > round_.due_on and (today - round_.due_on).days % 7 == 0:
        return ReminderSent.Kind.OVERDUE
    return None


def reminder_message(*, round_: Round, agency: Agency, entries: list[RoundEntry], kind: str) -> tuple[str, str]:
    """The mail's subject and body: the Chinese text, then the English."""
    address = settings.SITE_ADDRESS.rstrip("/") + reverse("reporting:set", args=[round_.code, agency.code])
    parts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            parts.append(render_to_string("reporting/reminder_email.txt", {
                "round": round_, "agency": agency, "kind": kind, "address": address,
                "indicators": [entry.indicator for entry in entries], "count": len(entries),
            }).strip())
    with translation.override("zh-hans"):
        subject_zh = render_to_string("reporting/reminder_subject.txt", {"round": round_, "count": len(entries)}).strip()
    with translation.override("en"):
        subject_en = render_to_string("reporting/reminder_subject.txt", {"round": round_, "count": len(entries)}).strip()
    return f"{subject_zh} / {subject_en}", "\n\n————————\n\n".join(parts) + "\n"


def round_reminders_send(*, today: date) -> list[tuple[str, str, str]]:
    """Sends the reminders due on `today` and returns (round code, agency code, kind) of each
    sent. Guarantees: only agencies with open rows and a contact address are mailed; never
    the same kind twice on one day for the same round and agency (recorded in the mail's own
    transaction); a round is reminded of from its opening date on, and not once it is closed."""
    sent = []
    for round_ in Round.objects.filter(opens_on__lte=today).order_by("due_on", "code"):
        kind = reminder_kind(round_, today)
        if kind is None or round_status(round_, today=today).closed:
            # A closed round takes no figures: reminding would ask for what it refuses. Overdue
            # reminders go out during the grace period and a reopening.
            continue
        open_rows = open_entries_by_agency(round_)
        agencies = Agency.objects.filter(pk__in=open_rows).exclude(contact_email="").order_by("code")
        for agency in agencies:
            if _reminder_send(round_=round_, agency=agency, entries=open_rows[agency.pk], kind=kind, today=today):
                sent.append((round_.code, agency.code, str(kind)))
    return sent


@transaction.atomic
def _reminder_send(*, round_: Round, agency: Agency, entries: list[RoundEntry], kind: str, today: date) -> bool:
    if not reminder_record(round_=round_, agency_id=agency.pk, kind=kind, sent_on=today):
        return False  # already sent today (another run got there first)
    subject, body = reminder_message(round_=round_, agency=agency, entries=entries, kind=kind)
    # A failure raises and rolls the record back: the next run sends it.
    send_mail(subject, body, None, [agency.contact_email])
    return True


@transaction.atomic
def reminder_schedule_ensure() -> list[str]:
    """Creates the daily reminder job (09:00 Hangzhou time) in django-celery-beat unless one
    exists. Guarantees: never changes or duplicates an existing one, so the schedule an
    administrator changed in the admin stays as they left it. Returns the names created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from targets.progress.dates import ZONE_TIME_ZONE

    if PeriodicTask.objects.filter(task=REMINDER_TASK).exists():
        return []
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="0", hour="9", day_of_week="*", day_of_month="*", month_of_year="*", timezone=ZONE_TIME_ZONE,
    )
    PeriodicTask.objects.create(
        name=REMINDER_NAME, task=REMINDER_TASK, crontab=crontab, kwargs="{}",
        description="Mails each agency's contact the indicators it still has to report: 7 days before a "
                    "round's due date, on it, and weekly when overdue.",
    )
    return [REMINDER_NAME]
