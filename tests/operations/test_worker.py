"""Integration: a real `celery worker` process on the real Redis computes the snapshot of
an entry saved here. Test and worker share the test database (on SQLite a file, see
`django_db_modify_db_settings` in conftest.py), so this test commits for real.
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from hangzhou_ai_zone.celery import app
from snapshots.models import Snapshot
from snapshots.services import plan_calendar
from targets.models import RecomputeRequest
from targets.progress.dates import zone_today
from targets.services import observation_create, observation_update
from tests.conftest import skip_or_fail
from tests.factories import TargetFactory

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
PROJECT_DIR = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60
TASK_TIMEOUT = 60


def redis_reachable(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        return False


def test_database_url() -> str:
    """The URL of the test database this process uses, for the worker's environment."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        name = str(settings["NAME"])
        assert "memory" not in name, "the worker cannot see an in-memory SQLite database"
        return f"sqlite:///{name}"
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    return f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def wait_for(condition, *, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(interval)
    return None


@pytest.fixture
def celery_worker(transactional_db, celery_broker):
    """A worker process on the test broker and the test database; always terminated."""
    if not redis_reachable(BROKER_URL):
        skip_or_fail(f"Redis is not reachable at {BROKER_URL}")
    celery_broker(BROKER_URL)
    # Tasks left over from an interrupted run name rows of another database.
    app.control.purge()

    hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "hangzhou_ai_zone.settings",
    }
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115 (open for the worker's lifetime, closed in the finally below)
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "hangzhou_ai_zone", "worker", "--pool", "solo",
            "--loglevel", "INFO", "--hostname", hostname, "--without-gossip", "--without-mingle",
        ],
        cwd=PROJECT_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    worker.log_path = Path(log.name)
    try:
        ready = wait_for(
            lambda: worker.poll() is not None or app.control.ping(destination=[hostname], timeout=1),
            timeout=STARTUP_TIMEOUT,
        )
        if worker.poll() is not None or not ready:
            pytest.fail(f"The worker did not start within {STARTUP_TIMEOUT} s:\n{worker.log_path.read_text()}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        worker.log_path.unlink(missing_ok=True)


def worker_log(worker) -> str:
    return worker.log_path.read_text()


@pytest.mark.worker
def test_saving_an_entry_produces_the_snapshot_through_a_real_worker(celery_worker):
    target = TargetFactory(baseline_value=Decimal("0"))
    today = zone_today()

    entry = observation_create(
        indicator=target.indicator, period_end=dt.date(2020, 12, 31), value=Decimal("120"),
        source_title="Hangzhou statistical bulletin",
    )

    snapshot = wait_for(lambda: Snapshot.objects.filter(target=target, as_of=today).first(), timeout=TASK_TIMEOUT)
    assert snapshot is not None, worker_log(celery_worker)
    assert snapshot.attained == Decimal("120")
    assert snapshot.is_outdated is False
    # It went through the broker: the worker's own log records the task.
    assert "snapshots.refresh_target_snapshots" in worker_log(celery_worker)

    observation_update(observation=entry, data={"value": Decimal("150")})

    changed = wait_for(
        lambda: Snapshot.objects.filter(target=target, as_of=today, attained=Decimal("150")).first(),
        timeout=TASK_TIMEOUT,
    )
    assert changed is not None, worker_log(celery_worker)
    # Every date of the plan's monthly history, not only today, and the request cleared.
    assert set(Snapshot.objects.filter(target=target).values_list("as_of", flat=True)) == set(
        plan_calendar(target.objective.plan)
    )
    assert wait_for(lambda: not RecomputeRequest.objects.exists(), timeout=TASK_TIMEOUT)
