"""The commands `make run` and docker-compose use to set up a database: `manage.py setup` and its steps."""

import io
import re
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from access.roles import ROLE_DATA_ENTRY, ROLE_VIEWER, ROLE_ZONE_ADMINISTRATOR
from measures.models import Measure
from operations.services import NIGHTLY_RECOMPUTE_TASK
from snapshots.models import Snapshot
from targets.models import Observation, Plan, Target
from targets.progress.dates import backfill_dates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_it_creates_an_administrator_with_a_generated_password_once(roles, capsys, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("ADMIN_USERNAME", "zoneadmin")
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="zoneadmin")
    assert user.is_superuser and user.check_password(password)
    assert user.groups.filter(name="Zone administrator").exists()

    call_command("ensure_admin")
    assert "nothing changed" in capsys.readouterr().out
    assert get_user_model().objects.count() == 1


def test_it_uses_the_password_from_the_environment(roles, monkeypatch, capsys):
    monkeypatch.setenv("ADMIN_PASSWORD", "a-long-chosen-password")
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    call_command("ensure_admin")
    assert "a-long-chosen-password" not in capsys.readouterr().out
    assert get_user_model().objects.get(username="admin").check_password("a-long-chosen-password")


# --- manage.py setup: the one command that `make run` and docker-compose share ----------

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def static_root(settings, tmp_path):
    """collectstatic writes here, not into the checkout's staticfiles/."""
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


def run_setup(*options, monkeypatch) -> str:
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    out = io.StringIO()
    call_command("setup", *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_setup_builds_everything_a_fresh_database_needs(static_root, monkeypatch):
    out = run_setup(monkeypatch=monkeypatch)

    plan = Plan.objects.get(code="hz-ai-zone-2020")
    later = Plan.objects.get(code="hz-ai-2025")
    assert Target.objects.filter(plan=plan).count() == 16
    assert Target.objects.filter(plan=later).count() == 6
    assert Measure.objects.count() == 35
    assert set(Group.objects.values_list("name", flat=True)) == {
        ROLE_ZONE_ADMINISTRATOR, ROLE_DATA_ENTRY, ROLE_VIEWER,
    }
    # The monthly history from the baseline up to today, not only today.
    history = backfill_dates(since=plan.baseline_date, until=timezone.localdate())
    later_history = backfill_dates(since=later.baseline_date, until=timezone.localdate())
    assert len(history) > 12
    assert sorted(set(Snapshot.objects.filter(target__plan=plan).values_list("as_of", flat=True))) == history
    assert sorted(set(Snapshot.objects.filter(target__plan=later).values_list("as_of", flat=True))) == later_history
    assert Snapshot.objects.count() == 16 * len(history) + 6 * len(later_history)
    assert PeriodicTask.objects.filter(task=NIGHTLY_RECOMPUTE_TASK, enabled=True).count() == 1
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(out.split("password: ")[1].split()[0])
    assert (static_root / "site_shell" / "site.css").is_file()


def test_setup_run_again_keeps_what_an_administrator_changed(static_root, monkeypatch, capsys):
    run_setup(monkeypatch=monkeypatch)
    target = Target.objects.get(code="industry-size")
    target.name_en = "AI industry revenue (renamed by an administrator)"
    target.save()
    entry = target.indicator.observations.order_by("period_end").first()
    entry.quote = "checked against the statistical yearbook"
    entry.save()
    measure = Measure.objects.order_by("number").first()
    measure.lead_agency_text = "Science and technology bureau (set by an administrator)"
    measure.save()
    nightly = PeriodicTask.objects.get(task=NIGHTLY_RECOMPUTE_TASK)
    nightly.enabled = False
    nightly.crontab = CrontabSchedule.objects.create(minute="0", hour="4", timezone="Asia/Shanghai")
    nightly.save()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed-by-the-administrator")
    admin.save()
    counts = _row_counts()

    out = run_setup(monkeypatch=monkeypatch)

    assert _row_counts() == counts
    assert Target.objects.get(code="industry-size").name_en == "AI industry revenue (renamed by an administrator)"
    entry.refresh_from_db()
    assert entry.quote == "checked against the statistical yearbook"
    assert Measure.objects.order_by("number").first().lead_agency_text == "Science and technology bureau (set by an administrator)"
    nightly.refresh_from_db()
    assert not nightly.enabled and nightly.crontab.hour == "4"
    assert get_user_model().objects.get(username="admin").check_password("changed-by-the-administrator")
    assert "password:" not in out and "nothing changed" in out


def test_setup_for_a_container_skips_only_the_static_files(static_root, monkeypatch, client):
    """docker-compose runs `setup --skip-collectstatic` (the image holds the collected files):
    the database, and so every page, is what `make run` gets."""
    run_setup("--skip-collectstatic", monkeypatch=monkeypatch)

    assert not static_root.exists()
    assert Snapshot.objects.filter(as_of=timezone.localdate()).count() == 16 + 6
    overview = client.get("/plans/hz-ai-zone-2020/", HTTP_ACCEPT_LANGUAGE="en")
    assert overview.status_code == 200
    assert overview.content.decode().count('href="/plans/hz-ai-zone-2020/targets/') >= 16
    assert client.get("/plans/hz-ai-zone-2020/targets/industry-size/").status_code == 200
    assert client.get("/plans/hz-ai-zone-2020/measures/").status_code == 200
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    api = client.get("/api/v1/targets/", {"format": "json"})
    assert api.status_code == 200 and api.json()["count"] == 16 + 6


def test_make_run_and_docker_compose_share_the_setup_command():
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert re.search(r"^setup:.*\n\t\$\(MANAGE\) setup\n", makefile, re.MULTILINE)
    assert re.search(r"^run: setup\b.*\n\t(USE_HTTPS=0 )?\$\(MANAGE\) serve ", makefile, re.MULTILINE)

    compose = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())["services"]
    assert compose["setup"]["command"] == "python manage.py setup --skip-collectstatic"
    assert compose["setup"]["restart"] == "no"
    # ...because the image collects the static files when it is built.
    assert "manage.py collectstatic" in (PROJECT_DIR / "Dockerfile").read_text()
    for name in ("web", "worker", "beat"):
        assert compose[name]["depends_on"]["setup"] == {"condition": "service_completed_successfully"}
        assert compose[name]["image"] == compose["setup"]["image"]
    assert [name for name, service in compose.items() if "build" in service] == ["setup"]

    ignored = (PROJECT_DIR / ".dockerignore").read_text().split()
    assert {"tests", "test-artifacts", ".env", "*.sqlite3"} <= set(ignored)


def _row_counts() -> dict[str, int]:
    models = (Plan, Target, Observation, Snapshot, Measure, Group, PeriodicTask, get_user_model())
    return {model.__name__: model.objects.count() for model in models}


def test_setup_schedule_gives_a_periodic_task_stored_under_the_nightly_jobs_old_name_its_new_one():
    """The nightly job's task moved from targets to operations (issue 17): a schedule made before
    keeps its timing and state, under the name a worker knows."""
    crontab = CrontabSchedule.objects.create(minute="0", hour="4", timezone="Asia/Shanghai")
    PeriodicTask.objects.create(name="Nightly snapshot recompute", task="targets.refresh_snapshots",
                                crontab=crontab, enabled=False)

    call_command("setup_schedule", verbosity=0)
    call_command("setup_schedule", verbosity=0)

    nightly = PeriodicTask.objects.get(name="Nightly snapshot recompute")
    assert (nightly.task, nightly.crontab.hour, nightly.enabled) == (NIGHTLY_RECOMPUTE_TASK, "4", False)
    assert not PeriodicTask.objects.filter(task="targets.refresh_snapshots").exists()
    assert PeriodicTask.objects.filter(task=NIGHTLY_RECOMPUTE_TASK).count() == 1


def test_loading_agencies_links_the_measures_that_name_them_and_keeps_an_administrators_link(tmp_path, capsys):
    """Agencies are the core's, measures are not: load_plan (operations) loads both in one go."""
    from tests.factories import AgencyFactory, MeasureFactory

    chosen = AgencyFactory(code="chosen-by-hand")
    named = MeasureFactory(lead_agency_text="Science Bureau")
    kept = MeasureFactory(lead_agency_text="Science Bureau", lead_agency=chosen)
    path = tmp_path / "agencies.json"
    path.write_text('{"agencies": [{"code": "science", "name_zh": "科技局", "name_en": "Science Bureau"}]}',
                    encoding="utf-8")

    call_command("load_plan", str(path))

    named.refresh_from_db()
    kept.refresh_from_db()
    assert named.lead_agency.code == "science" and kept.lead_agency == chosen
    assert "1 agencies, 0 indicators assigned, 1 measures linked" in capsys.readouterr().out
