"""Saves and the recompute never deadlock: every write locks the plan rows first, in id order
(`targets.services.locks`), and a deadlock or serialization failure that still happens is
retried once (`hangzhou_ai_zone.transactions.conflicts_retried`) and, met again, answered as a
conflict to send again, never as "the database cannot be reached".

The concurrent tests run on PostgreSQL only, with real threads and connections (SQLite's
in-memory test database is not shared between connections); the retry's rules run anywhere.
"""

import random
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.db.models import F
from rest_framework.authtoken.models import Token

from edge import transactions
from edge.transactions import WriteConflict, conflicts_retried, is_write_conflict
from snapshots.models import Snapshot
from snapshots.services import history_rebuild, plan_snapshots_refresh
from targets.models import Observation, Plan
from tests.factories import ObservationFactory, PlanFactory, TargetFactory

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="needs a database shared between connections")

# How long the concurrent writes run: long enough for hundreds of crossings, short for the suite.
CONCURRENT_SECONDS = 15


class _Deadlock(Exception):
    pgcode = "40P01"


def _deadlock_error() -> OperationalError:
    """What Django raises on a deadlock: an OperationalError caused by psycopg2's DeadlockDetected."""
    try:
        try:
            raise _Deadlock("deadlock detected")
        except _Deadlock as cause:
            raise OperationalError("deadlock detected") from cause
    except OperationalError as error:
        return error


def _deadlocks() -> int:
    """The deadlocks PostgreSQL counted in this database, once every other connection has
    ended (a backend reports its counts when it ends, if not before)."""
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


# --- the retry's rules ------------------------------------------------------------------------

def test_it_tells_a_conflict_from_a_database_that_is_down():
    assert is_write_conflict(_deadlock_error())
    assert is_write_conflict(WriteConflict("deadlock detected"))
    assert not is_write_conflict(OperationalError("connection to server at \"db\" failed: Connection refused"))
    assert not is_write_conflict(RuntimeError("a bug"))


def test_it_raises_a_write_conflict_when_the_retry_conflicts_too():
    calls = []

    @conflicts_retried
    def always_deadlocks():
        calls.append(1)
        raise _deadlock_error()

    with pytest.raises(WriteConflict):
        always_deadlocks()
    assert len(calls) == 2


def test_it_does_not_retry_other_database_errors():
    calls = []

    @conflicts_retried
    def down():
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError, match="server closed"):
        down()
    assert len(calls) == 1


def test_it_restores_the_instances_passed_in_before_trying_again():
    plan = PlanFactory.build(code="unsaved")
    seen = []

    @conflicts_retried
    def marks_then_deadlocks(*, plan):
        seen.append((plan.pk, plan.code, plan._state.adding))
        if len(seen) == 1:  # what a rolled-back try leaves on an instance: a key, changed fields
            plan.pk, plan.code, plan._state.adding = 12345, "changed by the first try", False
            raise _deadlock_error()
        return plan

    assert marks_then_deadlocks(plan=plan) is plan
    assert seen == [(None, "unsaved", True), (None, "unsaved", True)]


@pytest.mark.django_db
def test_inside_another_transaction_it_leaves_the_retry_to_the_outermost():
    calls = []

    @conflicts_retried
    def deadlocks():
        calls.append(1)
        raise _deadlock_error()

    with pytest.raises(OperationalError):
        deadlocks()  # the test's own transaction is the outermost here
    assert len(calls) == 1


def test_the_api_answers_a_conflict_as_a_conflict_with_a_short_retry_after():
    from django.test import RequestFactory

    from edge.middleware import database_unavailable

    response = database_unavailable(RequestFactory().get("/api/v1/observations/", HTTP_ACCEPT_LANGUAGE="en"),
                                    WriteConflict("deadlock detected"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(transactions.RETRY_AFTER_SECONDS)
    detail = response.content.decode()
    assert "met another one made at the same moment" in detail and "cannot be reached" not in detail


# --- on PostgreSQL ----------------------------------------------------------------------------

@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_forced_deadlock_is_retried_once_and_both_writes_succeed():
    """Two transactions lock two plan rows in opposite order and meet: PostgreSQL ends one of
    them; the retry runs it again once the other has committed, and both are written."""
    first, second = PlanFactory(), PlanFactory()
    meet = threading.Barrier(2, timeout=10)
    tries: dict[str, int] = {}
    outcomes: dict[str, object] = {}

    @conflicts_retried
    @transaction.atomic
    def bump_both(*, name: str, rows: tuple[int, int]) -> None:
        tries[name] = tries.get(name, 0) + 1
        Plan.objects.filter(pk=rows[0]).update(data_version=F("data_version") + 1)
        if tries[name] == 1:
            meet.wait()  # both hold their first row: each now waits for the other's
        Plan.objects.filter(pk=rows[1]).update(data_version=F("data_version") + 1)

    def run(name, rows):
        try:
            bump_both(name=name, rows=rows)
            outcomes[name] = "done"
        except Exception as error:
            outcomes[name] = error
        finally:
            connections.close_all()

    retried, deadlocks = transactions.RETRIED.value, _deadlocks()
    threads = [threading.Thread(target=run, args=("ab", (first.pk, second.pk))),
               threading.Thread(target=run, args=("ba", (second.pk, first.pk)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == {"ab": "done", "ba": "done"}
    assert sorted(tries.values()) == [1, 2]  # one of them ran twice
    assert transactions.RETRIED.value == retried + 1
    assert _deadlocks() == deadlocks + 1
    assert list(Plan.objects.filter(pk__in=[first.pk, second.pk]).values_list("data_version", flat=True)) == [
        first.data_version + 2, second.data_version + 2]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_and_a_running_recompute_never_deadlock(client, zone_admin, api_unthrottled):
    """Three clients save approved figures through the API (each save then recomputes its
    targets, in its thread, as tasks do without a broker) while another thread recomputes both
    plans one after the other, for CONCURRENT_SECONDS: PostgreSQL detects no deadlock and
    every save is a 200."""
    first = PlanFactory()
    targets = [TargetFactory(objective__plan=first) for _ in range(6)]
    second = PlanFactory()
    for target in targets:  # a figure serves both plans: its save asks for recomputes in both
        TargetFactory(objective__plan=second, indicator=target.indicator)
    figures = [ObservationFactory(indicator=target.indicator, period_end=date(2020 + n % 3, 12, 31),
                                  value=Decimal(100))
               for n, target in enumerate(targets)]
    history_rebuild()
    assert Snapshot.objects.count() > 0
    token = Token.objects.create(user=zone_admin).key
    stop = threading.Event()
    answers: list[int] = []
    recomputes: list[object] = []

    def save(seed: int) -> None:
        from django.test import Client

        pick = random.Random(seed)
        browser = Client(raise_request_exception=False)
        try:
            while not stop.is_set():
                figure = pick.choice(figures)
                response = browser.patch(
                    f"/api/v1/observations/{figure.pk}/",
                    {"value": str(pick.randint(90, 110)), "confirm_outlier": True},
                    content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}",
                )
                answers.append(response.status_code)
        finally:
            connections.close_all()

    def recompute() -> None:
        try:
            while not stop.is_set():
                for plan in (first, second):
                    try:
                        plan_snapshots_refresh(plan_id=plan.pk)
                        recomputes.append("done")
                    except Exception as error:
                        recomputes.append(error)
        finally:
            connections.close_all()

    deadlocks = _deadlocks()
    threads = [threading.Thread(target=save, args=(n,)) for n in range(3)] + [threading.Thread(target=recompute)]
    for thread in threads:
        thread.start()
    time.sleep(CONCURRENT_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert _deadlocks() == deadlocks
    assert len(answers) >= 20 and set(answers) == {200}, sorted(set(answers))
    assert recomputes and set(recomputes) == {"done"}, [r for r in recomputes if r != "done"][:3]
    assert Observation.objects.filter(pk__in=[f.pk for f in figures], status=Observation.Status.APPROVED).count() == 6
