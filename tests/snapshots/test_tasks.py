"""Background jobs: a changed figure queues its target's recompute after the commit; an
unreachable broker loses nothing; the nightly run repairs; the schedule is created once.

Tasks run eagerly here (no broker in the test settings) unless a test points Celery at
one with `celery_broker`. The run through a real worker is in test_worker.py.
"""

import datetime as dt
import logging
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from kombu.exceptions import EncodeError

from operations.services import NIGHTLY_RECOMPUTE_TASK, recompute_schedule_ensure
from operations.tasks import refresh_snapshots
from snapshots import services as snapshot_services
from snapshots.models import Rollup, Snapshot, SnapshotDate
from snapshots.tasks import refresh_target_snapshots
from targets import services
from targets.models import Observation, RecomputeRequest
from targets.progress.dates import zone_today
from targets.services import (
    observation_create,
    observation_delete,
    observation_save,
    observation_update,
)
from targets.services.requests import REQUEST_RESEND_AFTER, TARGET_TASK
from tests.factories import ObjectiveFactory, ObservationFactory, SnapshotFactory, TargetFactory

# Nothing listens on port 1: connecting is refused at once, as with a stopped Redis.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


def create_entry(target, *, period_end=dt.date(2020, 12, 31), value="120"):
    return observation_create(
        indicator=target.indicator, period_end=period_end, value=Decimal(value),
        source_title="Hangzhou statistical bulletin",
    )


def snapshot_on(target, as_of):
    return Snapshot.objects.filter(target=target, as_of=as_of).first()


def test_it_queues_the_recompute_only_after_the_commit(django_capture_on_commit_callbacks):
    target = TargetFactory(baseline_value=Decimal("0"))

    with django_capture_on_commit_callbacks() as callbacks:
        create_entry(target)
        # Inside the transaction nothing has run yet: a worker must not read uncommitted figures.
        assert not Snapshot.objects.exists()

    assert len(callbacks) == 1
    assert not Snapshot.objects.exists()
    callbacks[0]()

    snapshot = snapshot_on(target, zone_today())
    assert snapshot is not None
    assert snapshot.attained == Decimal("120")
    assert snapshot.is_outdated is False


def test_it_queues_nothing_for_a_rejected_entry(django_capture_on_commit_callbacks):
    target = TargetFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        create_entry(target, value="-5")

    assert callbacks == []
    assert not Observation.objects.exists()
    assert not Snapshot.objects.exists()


def _import_failing_after_one_save(target):
    """An import that saves a figure, then fails further on: its transaction rolls back."""
    with transaction.atomic():
        create_entry(target)
        raise RuntimeError("the import failed further on")


def test_it_queues_nothing_when_the_surrounding_transaction_rolls_back(django_capture_on_commit_callbacks):
    target = TargetFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _import_failing_after_one_save(target)

    assert callbacks == []
    assert not Observation.objects.exists()
    assert not Snapshot.objects.exists()


def test_changing_an_entry_recomputes_its_target(django_capture_on_commit_callbacks):
    target = TargetFactory(baseline_value=Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        entry = create_entry(target, value="120")
    assert snapshot_on(target, zone_today()).attained == Decimal("120")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        observation_update(observation=entry, data={"value": Decimal("150")})

    assert len(callbacks) == 1
    assert snapshot_on(target, zone_today()).attained == Decimal("150")


def test_deleting_an_entry_recomputes_its_target(django_capture_on_commit_callbacks):
    target = TargetFactory(baseline_value=Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        first = create_entry(target, period_end=dt.date(2020, 12, 31), value="120")
        create_entry(target, period_end=dt.date(2021, 12, 31), value="80")
    assert snapshot_on(target, zone_today()).attained == Decimal("200")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        observation_delete(observation=first)

    assert len(callbacks) == 1
    assert snapshot_on(target, zone_today()).attained == Decimal("80")


def test_a_figure_stays_with_its_indicator_and_a_refused_move_queues_nothing(django_capture_on_commit_callbacks, english):
    objective = ObjectiveFactory()
    before, after = TargetFactory(objective=objective), TargetFactory(objective=objective)
    with django_capture_on_commit_callbacks(execute=True):
        create_entry(before, period_end=dt.date(2020, 12, 31), value="120")
        misfiled = create_entry(before, period_end=dt.date(2021, 12, 31), value="30")
    assert snapshot_on(before, zone_today()).attained == Decimal("150")

    misfiled.indicator = after.indicator
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError) as refused:
        observation_save(observation=misfiled)

    assert "stays with its indicator" in str(refused.value.message_dict["indicator"])
    assert callbacks == []
    assert Observation.objects.get(pk=misfiled.pk).indicator_id == before.indicator_id
    assert snapshot_on(before, zone_today()).attained == Decimal("150")
    assert snapshot_on(after, zone_today()).attained is None


def test_a_changed_figure_recomputes_every_date_of_its_target_at_once(django_capture_on_commit_callbacks):
    target = TargetFactory(baseline_value=Decimal("0"))
    neighbour = TargetFactory(objective=target.objective)
    plan = target.objective.plan
    with django_capture_on_commit_callbacks(execute=True):
        create_entry(target, period_end=dt.date(2020, 6, 30), value="50")
    dates = list(SnapshotDate.objects.filter(plan=plan).order_by("as_of").values_list("as_of", flat=True))
    assert dates[0] == plan.baseline_date and dates[-1] == zone_today()  # the monthly history, built once
    before = dict(Snapshot.objects.filter(target=neighbour).values_list("as_of", "computed_at"))

    with django_capture_on_commit_callbacks(execute=True):
        create_entry(target, period_end=dt.date(2021, 6, 30), value="120")

    # Every date of the target, old and new, is current at once: none waits for the night.
    attained = dict(Snapshot.objects.filter(target=target).values_list("as_of", "attained"))
    assert set(attained) == set(dates)
    assert attained[dt.date(2021, 5, 31)] == Decimal("50")
    assert attained[dt.date(2021, 6, 30)] == attained[zone_today()] == Decimal("170")
    assert not Snapshot.objects.filter(is_outdated=True).exists()
    assert not RecomputeRequest.objects.exists()
    # The other targets are read, not recomputed, for the roll-ups of every date.
    assert dict(Snapshot.objects.filter(target=neighbour).values_list("as_of", "computed_at")) == before
    rollup = Rollup.objects.get(plan=plan, objective__isnull=True, as_of=dt.date(2021, 6, 30))
    assert rollup.target_count == 2 and rollup.progress_count == 1


def test_a_change_is_recorded_with_the_figure_and_a_rollback_records_nothing(django_capture_on_commit_callbacks):
    target = TargetFactory()
    with django_capture_on_commit_callbacks(execute=False):
        create_entry(target, period_end=dt.date(2020, 12, 31))
        create_entry(target, period_end=dt.date(2021, 12, 31))
        # Not yet sent: the request is in the database with the figures, one row per target.
        assert list(RecomputeRequest.objects.values_list("key", flat=True)) == [f"target:{target.pk}"]

    other = TargetFactory()
    with pytest.raises(RuntimeError):
        _import_failing_after_one_save(other)
    assert not RecomputeRequest.objects.filter(target=other).exists()


def test_with_the_broker_unreachable_the_entry_is_saved_marked_and_sent_again_by_the_sweep(
    celery_broker, django_capture_on_commit_callbacks, caplog, settings
):
    target = TargetFactory(baseline_value=Decimal("0"))
    other = TargetFactory(objective=target.objective)
    with django_capture_on_commit_callbacks(execute=True):
        create_entry(target, period_end=dt.date(2020, 12, 31), value="100")  # eager: the history exists
    celery_broker(UNREACHABLE_BROKER)

    started = time.monotonic()
    with (
        caplog.at_level(logging.ERROR, logger="targets.services.requests"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        entry = create_entry(target, period_end=dt.date(2021, 6, 30))
    elapsed = time.monotonic() - started

    assert len(callbacks) == 1
    assert Observation.objects.get(pk=entry.pk).value == Decimal("120")
    # Marked in the same transaction as the figure: nothing stale passes for fresh.
    assert set(Snapshot.objects.filter(target=target).values_list("is_outdated", flat=True)) == {True}
    assert snapshot_on(target, zone_today()).attained == Decimal("100")  # not recomputed yet
    assert not Snapshot.objects.filter(target=other, is_outdated=True).exists()
    assert RecomputeRequest.objects.filter(target=target).exists()
    [record] = [r for r in caplog.records if r.name == "targets.services.requests"]
    assert f"target:{target.pk}" in record.getMessage() and record.exc_info is not None
    # The administrator waits for this: the publish gives up quickly.
    assert elapsed < 5

    # The broker is back (here: tasks run in-process again); the sweep sends what is owed.
    settings.CELERY_BROKER_URL = None
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert services.requests_sweep(older_than=dt.timedelta(0)) == 1
    assert snapshot_on(target, zone_today()).attained == Decimal("220")
    assert not Snapshot.objects.filter(is_outdated=True).exists()
    assert not RecomputeRequest.objects.exists()


def test_the_sweep_leaves_recent_requests_to_their_own_message():
    target = TargetFactory()
    with transaction.atomic():
        services.recompute_request(plan_id=target.objective.plan_id, target_ids=[target.pk])
    assert services.requests_sweep() == 0  # requested a moment ago: its message is on its way
    RecomputeRequest.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=6))
    assert services.requests_sweep() == 1
    assert services.requests_sweep() == 0  # just sent again: not twice in one period


def test_publishing_gives_up_at_the_first_broker_error_and_leaves_the_rest_for_the_sweep(monkeypatch):
    from celery import current_app
    from kombu.exceptions import OperationalError as BrokerUnavailable

    current_app.loader.import_default_modules()
    task = current_app.tasks[TARGET_TASK]
    calls = []

    def frozen(**kwargs):
        calls.append(kwargs)
        raise BrokerUnavailable("Timeout reading from socket")

    monkeypatch.setattr(task, "apply_async", frozen)

    # Each attempt on a frozen broker costs its timeout: one, not one per request.
    assert services.requests_publish(["target:1", "target:2", "target:3"]) == 0
    assert calls == [{"kwargs": {"target_id": 1}}]

    def failed_run(**kwargs):
        calls.append(kwargs)
        raise ZeroDivisionError  # a task that failed in-process: not the broker, the others go on

    calls.clear()
    monkeypatch.setattr(task, "apply_async", failed_run)
    assert services.requests_publish(["target:1", "target:2"]) == 0
    assert len(calls) == 2


def test_the_sweep_command_sends_what_is_older_than_its_threshold():
    target = TargetFactory(baseline_value=Decimal("0"))
    with transaction.atomic():
        services.recompute_request(plan_id=target.objective.plan_id, target_ids=[target.pk])
    RecomputeRequest.objects.update(requested_at=timezone.now() - dt.timedelta(seconds=30))

    call_command("sweep_recompute_requests", verbosity=0)  # the default five minutes: not yet
    assert RecomputeRequest.objects.exists()

    call_command("sweep_recompute_requests", "--older-than", "10", verbosity=0)
    assert not RecomputeRequest.objects.exists()  # sent, and run here (no broker in the tests)
    assert Snapshot.objects.filter(target=target).exists()


def test_the_sweep_command_refuses_a_negative_threshold_and_sends_nothing():
    target = TargetFactory()
    with transaction.atomic():
        services.recompute_request(plan_id=target.objective.plan_id, target_ids=[target.pk])
    RecomputeRequest.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=10))

    with pytest.raises(CommandError, match="0 or more"):
        call_command("sweep_recompute_requests", "--older-than", "-1", verbosity=0)

    assert RecomputeRequest.objects.get().published_at is None


def test_the_nightly_run_builds_the_calendar_and_drops_yesterdays_date():
    target = TargetFactory(baseline_value=Decimal("0"))
    other = TargetFactory(objective=target.objective)
    ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("120"))

    refresh_snapshots.delay("2024-06-29").get()
    result = refresh_snapshots.delay("2024-06-30").get()

    plan_dates = list(SnapshotDate.objects.filter(plan=target.objective.plan).values_list("as_of", flat=True))
    assert min(plan_dates) == dt.date(2019, 12, 31) and max(plan_dates) == dt.date(2024, 6, 30)
    assert dt.date(2024, 6, 29) not in plan_dates  # yesterday's latest date, off the calendar
    assert not Snapshot.objects.filter(as_of=dt.date(2024, 6, 29)).exists()
    assert set(Snapshot.objects.filter(as_of=dt.date(2024, 6, 30)).values_list("target_id", flat=True)) == {
        target.pk, other.pk,
    }
    assert snapshot_on(target, dt.date(2021, 12, 31)).attained == Decimal("120")
    assert result["repaired"] == 0  # every stored snapshot equals a fresh computation


def test_the_nightly_run_repairs_a_snapshot_that_differs_from_a_fresh_computation():
    target = TargetFactory(baseline_value=Decimal("0"))
    ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("120"))
    refresh_snapshots.delay("2024-06-30").get()
    # Written wrong behind the engine's back (a lost message, a bug fixed since):
    Snapshot.objects.filter(target=target, as_of=dt.date(2021, 12, 31)).update(attained=Decimal("7"))

    result = refresh_snapshots.delay("2024-06-30").get()

    assert result["repaired"] == 1
    assert snapshot_on(target, dt.date(2021, 12, 31)).attained == Decimal("120")


def test_the_nightly_run_uses_todays_date_in_hangzhou(monkeypatch, settings):
    settings.TIME_ZONE = "UTC"
    # 17:00 UTC on 30 June is already 1 July in Hangzhou.
    monkeypatch.setattr("targets.progress.dates.utc_now", lambda: dt.datetime(2024, 6, 30, 17, 0, tzinfo=dt.UTC))
    target = TargetFactory()

    refresh_snapshots.delay().get()

    assert max(target.snapshots.values_list("as_of", flat=True)) == dt.date(2024, 7, 1)


def test_the_target_task_takes_an_id():
    target = TargetFactory(baseline_value=Decimal("0"))
    ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("120"))

    refresh_target_snapshots.delay(target.pk).get()

    assert snapshot_on(target, dt.date(2021, 1, 31)).attained == Decimal("120")
    assert snapshot_on(target, dt.date(2020, 11, 30)).attained is None  # before its first figure


def test_the_target_task_skips_a_target_deleted_since_it_was_queued():
    target = TargetFactory()
    target_id = target.pk
    target.delete()

    assert refresh_target_snapshots.delay(target_id).get() == 0
    assert not Snapshot.objects.exists()


def test_a_transient_database_error_is_retried_up_to_the_limit(monkeypatch, settings):
    # Without propagation an eager task retries in place, as a worker would after the backoff.
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    calls = []

    def database_gone(**kwargs):
        calls.append(kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(snapshot_services, "target_snapshots_refresh", database_gone)

    result = refresh_target_snapshots.apply(args=[1])

    assert result.state == "FAILURE"
    assert isinstance(result.result, OperationalError)
    assert len(calls) == refresh_target_snapshots.max_retries + 1 == 6


def test_other_errors_are_not_retried(monkeypatch, settings):
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    calls = []

    def bug(**kwargs):
        calls.append(kwargs)
        raise ZeroDivisionError

    monkeypatch.setattr(snapshot_services, "target_snapshots_refresh", bug)

    result = refresh_target_snapshots.apply(args=[1])

    assert result.state == "FAILURE"
    assert isinstance(result.result, ZeroDivisionError)
    assert len(calls) == 1


def test_tasks_are_acknowledged_late_and_time_limited():
    for task in (refresh_snapshots, refresh_target_snapshots):
        assert task.acks_late is True
        assert 0 < task.soft_time_limit < task.time_limit


def test_a_running_or_waiting_task_is_never_redelivered_by_the_visibility_timeout(settings):
    """Set together (settings.py): Redis hands an unacknowledged message to another worker after
    the visibility timeout, so it must outlast the longest hard time limit plus the longest
    countdown a retry waits, unacknowledged, in the worker."""
    from celery import current_app

    from snapshots.tasks import RETRY

    current_app.loader.import_default_modules()
    ours = [task for name, task in current_app.tasks.items() if name.startswith(("targets.", "snapshots.", "measures.", "reporting.", "operations."))]
    longest_run = max(task.time_limit or settings.CELERY_TASK_TIME_LIMIT for task in ours)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert longest_run == settings.CELERY_TASK_TIME_LIMIT
    assert visibility > longest_run + RETRY["retry_backoff_max"]
    # A killed worker's task is the sweep's to resend, within minutes, well before that.
    assert REQUEST_RESEND_AFTER.total_seconds() * 2 < visibility


def test_sending_a_task_never_waits_long_on_the_broker(settings):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert 0 < options["socket_connect_timeout"] <= 1 and 0 < options["socket_timeout"] <= 1
    # One attempt: each retry would wait its own timeout again.
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] == 0


def test_setup_schedule_creates_the_nightly_recompute_once():
    call_command("setup_schedule", verbosity=0)
    call_command("setup_schedule", verbosity=0)

    task = PeriodicTask.objects.get(task=NIGHTLY_RECOMPUTE_TASK)
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("30", "2")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert task.kwargs == "{}"


def test_setup_schedule_keeps_what_an_administrator_changed():
    recompute_schedule_ensure()
    task = PeriodicTask.objects.get(task=NIGHTLY_RECOMPUTE_TASK)
    task.crontab = CrontabSchedule.objects.create(minute="0", hour="4", timezone="Asia/Shanghai")
    task.enabled = False
    task.save()

    assert recompute_schedule_ensure() == []

    task.refresh_from_db()
    assert (task.crontab.hour, task.enabled) == ("4", False)
    assert PeriodicTask.objects.filter(task=NIGHTLY_RECOMPUTE_TASK).count() == 1


def test_refresh_snapshots_command_runs_the_nightly_job_here():
    target = TargetFactory(baseline_value=Decimal("0"))
    ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("120"))
    stale = SnapshotFactory(target=target, as_of=dt.date(2021, 12, 31), is_outdated=True)

    call_command("refresh_snapshots", "--as-of", "2024-06-30", verbosity=0)

    stale.refresh_from_db()
    assert (stale.attained, stale.is_outdated) == (Decimal("120"), False)
    assert snapshot_on(target, dt.date(2024, 6, 30)).attained == Decimal("120")


def test_refresh_snapshots_command_refuses_a_bad_date_and_writes_nothing():
    TargetFactory()

    with pytest.raises(CommandError, match="not a date"):
        call_command("refresh_snapshots", "--as-of", "30/06/2024", verbosity=0)

    assert not Snapshot.objects.exists()


def test_tasks_accept_only_json_arguments():
    target = TargetFactory()

    # Even run in-process, arguments go through the JSON serializer, as they would to a worker.
    with pytest.raises(EncodeError):
        refresh_target_snapshots.delay(target)

    assert not Snapshot.objects.exists()
