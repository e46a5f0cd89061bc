"""Reminder mails of a reporting round (locmem backend, fixed dates): 7 days before the due
date, on it, weekly when overdue; only the open indicators; never twice the same day; the
daily job scheduled once, editable in the admin."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from reporting import reminders, services
from reporting.models import ReminderSent, Round
from reporting.tasks import round_reminders_send
from tests.reporting_zone import make_zone, row

pytestmark = pytest.mark.django_db
DUE = dt.date(2022, 1, 31)


@pytest.fixture
def zone(roles, zone_day):
    return make_zone()


@pytest.mark.parametrize(("day", "kind"), [
    (DUE - dt.timedelta(days=7), "before"), (DUE, "due"), (DUE + dt.timedelta(days=7), "overdue"),
    (DUE + dt.timedelta(days=14), "overdue"),
])
def test_it_mails_each_agency_its_open_indicators_on_the_days(zone, day, kind):
    Round.objects.filter(pk=zone["round"].pk).update(grace_days=20)  # overdue reminders while the round is open
    sent = reminders.round_reminders_send(today=day)
    assert sorted(sent) == [("2021-annual", "jxj", kind), ("2021-annual", "kjj", kind)]
    by_address = {message.to[0]: message for message in mail.outbox}
    science = by_address["kjj@example.org"]
    assert "achievements" in science.body and "patents" in science.body and "revenue" not in science.body
    assert science.body.index("以下统计指标") < science.body.index("These indicators")  # Chinese first, English below
    assert "/reporting/2021-annual/kjj/" in science.body
    assert "2 indicators still to report" in science.subject


@pytest.mark.parametrize("day", [DUE - dt.timedelta(days=8), DUE - dt.timedelta(days=1), DUE + dt.timedelta(days=3),
                                 dt.date(2021, 12, 1)])
def test_other_days_send_nothing(zone, day):
    assert reminders.round_reminders_send(today=day) == []
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_never_twice_on_the_same_day(zone):
    reminders.round_reminders_send(today=DUE)
    assert len(mail.outbox) == 2
    assert reminders.round_reminders_send(today=DUE) == []
    assert len(mail.outbox) == 2 and ReminderSent.objects.count() == 2


def test_only_what_is_still_open_and_not_agencies_that_are_done(zone):
    round_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                              expected_version=0, rows=[row("patents", "120")])
    reminders.round_reminders_send(today=DUE)
    science = next(message for message in mail.outbox if message.to == ["kjj@example.org"])
    assert "patents" in science.body  # a draft is still open until submitted
    round_set = services.round_set_save_draft(round_set=round_set, user=zone["science_user"],
                                              expected_version=round_set.version, rows=[row("achievements", "2")])
    services.round_set_submit(round_set=round_set, user=zone["science_user"], expected_version=round_set.version)
    mail.outbox.clear()
    Round.objects.filter(pk=zone["round"].pk).update(grace_days=14)  # overdue, but still open
    assert reminders.round_reminders_send(today=DUE + dt.timedelta(days=7)) == [("2021-annual", "jxj", "overdue")]
    assert [message.to for message in mail.outbox] == [["jxj@example.org"]]


def test_a_closed_round_is_not_reminded_of(zone):
    # Due 31 Jan without a grace period: closed on 7 Feb, so no "overdue" mail asks for what it refuses.
    assert reminders.round_reminders_send(today=DUE + dt.timedelta(days=7)) == []
    assert mail.outbox == []


def test_an_agency_without_a_contact_is_skipped(zone):
    zone["economy"].contact_email = ""
    zone["economy"].save()
    assert reminders.round_reminders_send(today=DUE) == [("2021-annual", "kjj", "due")]


def test_a_failed_mail_leaves_no_record_so_the_next_run_sends_it(zone, settings):
    settings.EMAIL_BACKEND = "tests.reporting.test_reporting_reminders.BrokenBackend"
    with pytest.raises(ConnectionError):
        reminders.round_reminders_send(today=DUE)
    assert not ReminderSent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(reminders.round_reminders_send(today=DUE)) == 2


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP server down")


def test_the_task_takes_an_iso_date(zone):
    assert round_reminders_send.delay(DUE.isoformat()).get() == 2


def test_the_daily_job_is_scheduled_once_and_left_as_an_administrator_changed_it(db):
    call_command("setup_schedule", verbosity=0)
    call_command("setup_schedule", verbosity=0)
    task = PeriodicTask.objects.get(task=reminders.REMINDER_TASK)
    assert (task.crontab.hour, task.crontab.minute) == ("9", "0")
    task.enabled = False
    task.save()
    call_command("setup_schedule", verbosity=0)
    assert PeriodicTask.objects.get(task=reminders.REMINDER_TASK).enabled is False
