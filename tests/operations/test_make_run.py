"""Integration: the processes of `make run` — `manage.py setup`, then `manage.py serve` (gunicorn
and celery beat) — as a fresh clone runs them: the embedded default (no broker), a temporary
SQLite database, a free port. Nothing here goes through the test database.
"""

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HANGZHOU = ZoneInfo("Asia/Shanghai")
STARTUP_TIMEOUT = 60
STOP_TIMEOUT = 30


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """The environment of a fresh clone after `make setup`: its own database and static files."""
    folder = tmp_path_factory.mktemp("make-run")
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "ADMIN_PASSWORD": "a-long-test-password",
        "USE_HTTPS": "0",  # as the Makefile's `run` sets it: plain http on 127.0.0.1
    }
    environment.pop("CELERY_BROKER_URL", None)
    manage("setup", environment=environment, timeout=300)
    return environment


def manage(*arguments: str, environment: dict, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=PROJECT_DIR, env=environment,
        capture_output=True, text=True, timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {arguments[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def django(code: str, *, environment: dict) -> str:
    """Runs `code` in the served project's database, as an administrator's change would."""
    return manage("shell", "--no-imports", "-c", code, environment=environment).strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_for(condition, *, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(interval)
    return None


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def served(fresh_clone, tmp_path):
    """`manage.py serve` on a free port, in a session of its own (as a terminal would run it);
    whatever is left of its process group is killed at the end."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}"],
            cwd=PROJECT_DIR, env=fresh_clone, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    process.url = f"http://127.0.0.1:{port}/"
    process.log = lambda: log_path.read_text()
    try:
        if not wait_for(lambda: process.poll() is not None or status_of(process.url) == 200, timeout=STARTUP_TIMEOUT):
            pytest.fail(f"make run did not serve within {STARTUP_TIMEOUT} s:\n{process.log()}")
        assert process.poll() is None, process.log()
        # Beat is up once it has logged its start.
        if not wait_for(lambda: "beat: Starting" in process.log(), timeout=STARTUP_TIMEOUT):
            pytest.fail(f"celery beat did not start:\n{process.log()}")
        yield process
    finally:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.slow
def test_a_schedule_changed_in_the_admin_runs_under_make_run(served, fresh_clone):
    # As an administrator would in the admin: the nightly recompute put on a schedule of every
    # few seconds (beat reads schedule changes from the database without a restart). A crontab
    # a minute ahead proved the same but waited up to 80 s for the wall clock.
    today = dt.datetime.now(HANGZHOU).date().isoformat()  # the job computes the day it runs on
    if dt.datetime.now(HANGZHOU).time() > dt.time(23, 59, 0):
        time.sleep(61)  # not across midnight in Hangzhou: the job would compute another day
        today = dt.datetime.now(HANGZHOU).date().isoformat()
    # Today's snapshots are removed and the others marked outdated, so that only the
    # scheduled job can bring them back.
    left = django(
        "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
        "from snapshots.models import Snapshot\n"
        "task = PeriodicTask.objects.get(task='operations.refresh_snapshots')\n"
        "task.interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.SECONDS)\n"
        "task.crontab = None\n"
        "task.save()\n"
        f"Snapshot.objects.filter(as_of='{today}').delete()\n"
        "Snapshot.objects.update(is_outdated=True)\n"
        f"print(Snapshot.objects.filter(as_of='{today}').count())",
        environment=fresh_clone,
    )
    assert left == "0"

    def recomputed():
        # Today's snapshot of every target is back and every outdated one repaired.
        counts = django(
            "from snapshots.models import Snapshot\n"
            f"print(Snapshot.objects.filter(as_of='{today}').count(), Snapshot.objects.filter(is_outdated=True).count())",
            environment=fresh_clone,
        )
        return counts == f"{16 + 6} 0"  # both plans

    assert wait_for(recomputed, timeout=90, interval=2), f"the scheduled run did not happen:\n{served.log()}"
    assert served.poll() is None
    assert status_of(served.url) == 200

    log = served.log()
    assert "Scheduler: Sending due task Nightly snapshot recompute" in log
    # Quiet logs: no broker warning, no line per task, one format with the zone's offset.
    assert "No hostname was supplied" not in log
    assert " succeeded in " not in log
    stamped = [line for line in log.splitlines() if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line)]
    assert stamped and all(re.match(r"\S+ \S+ \+0800 [A-Z]+ \[\d+\] \S+: ", line) for line in stamped), log

    # One Ctrl-C, as a terminal sends it to the whole process group, stops everything.
    os.killpg(served.pid, signal.SIGINT)
    assert served.wait(timeout=STOP_TIMEOUT) == 0
    assert wait_for(lambda: not group_alive(served.pid), timeout=STOP_TIMEOUT)


def test_one_sigterm_to_make_run_stops_the_web_server_and_the_scheduler(served):
    children = children_of(served.pid)
    assert sorted(" beat " in command_line(pid) or " gunicorn " in command_line(pid) for pid in children) == [True, True]

    served.send_signal(signal.SIGTERM)

    assert served.wait(timeout=STOP_TIMEOUT) == 0
    assert wait_for(lambda: not group_alive(served.pid), timeout=STOP_TIMEOUT), served.log()
    assert status_of(served.url) is None


def test_when_the_scheduler_dies_make_run_stops_the_web_server_too(served):
    beat = next(pid for pid in children_of(served.pid) if " beat " in command_line(pid))

    os.kill(beat, signal.SIGKILL)

    assert served.wait(timeout=STOP_TIMEOUT) == 1
    assert wait_for(lambda: not group_alive(served.pid), timeout=STOP_TIMEOUT), served.log()
    assert "beat (exit code -9) ended by itself, so everything was stopped." in served.log()
    assert status_of(served.url) is None


@pytest.mark.parametrize(("eager", "processes"), [(True, ["web", "beat"]), (False, ["web", "beat", "worker"])])
def test_serve_adds_a_worker_only_when_a_broker_takes_the_tasks(settings, eager, processes):
    from operations.management.commands.serve import Command

    settings.CELERY_TASK_ALWAYS_EAGER = eager
    commands = Command.commands(bind="127.0.0.1:8123", workers=3)

    assert list(commands) == processes
    assert commands["web"][-4:] == ["--bind", "127.0.0.1:8123", "--workers", "3"]
    assert commands["beat"][:2] == [sys.executable, "-m"]
