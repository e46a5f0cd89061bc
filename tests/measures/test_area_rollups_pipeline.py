"""The work areas' roll-ups go through the snapshot pipeline (issue 17): computed on the
plan's calendar, pruned off it, verified and repaired like every snapshot."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from measures.models import AreaRollup
from snapshots.models import SnapshotDate
from snapshots.services import plan_snapshots_refresh, snapshots_refresh, snapshots_verify
from tests.factories import AreaFactory, MeasureFactory, MeasureUpdateFactory, PlanFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 27)
NEXT_DAY = dt.date(2024, 6, 28)  # neither a month end: each is only "today"


def nightly(day):
    """What the nightly job does: the pipeline's refresh, then verify with repair."""
    result = snapshots_refresh(as_of=day)
    result["repaired"] = len(snapshots_verify(repair=True))
    return result


@pytest.fixture
def plan():
    plan = PlanFactory()
    first, second = AreaFactory(plan=plan), AreaFactory(plan=plan)
    MeasureUpdateFactory(measure=MeasureFactory(area=first), date=dt.date(2021, 3, 1), status="in_progress")
    MeasureUpdateFactory(measure=MeasureFactory(area=first), date=dt.date(2022, 3, 1), status="completed")
    MeasureFactory(area=second)
    return plan


def calendar_of(plan):
    return sorted(SnapshotDate.objects.filter(plan=plan).values_list("as_of", flat=True))


def test_consecutive_nightly_runs_keep_the_area_rollups_to_the_calendar(plan):
    nightly(DAY)
    after_first = AreaRollup.objects.count()

    result = nightly(NEXT_DAY)

    calendar = calendar_of(plan)
    assert DAY not in calendar and NEXT_DAY in calendar
    # Two areas on every date of the calendar, and nothing else: the table did not grow.
    assert AreaRollup.objects.count() == after_first == 2 * len(calendar)
    assert sorted(set(AreaRollup.objects.values_list("as_of", flat=True))) == calendar
    assert not AreaRollup.objects.filter(as_of=DAY).exists()
    assert result["repaired"] == 0
    on_next_day = AreaRollup.objects.get(area__number=plan.areas.first().number, area__plan=plan, as_of=NEXT_DAY)
    assert on_next_day.status_counts == {"completed": 1, "in_progress": 1}

    nightly(NEXT_DAY + dt.timedelta(days=1))
    assert AreaRollup.objects.count() == after_first  # a third night: still the calendar's size


def test_an_area_rollup_left_off_the_calendar_is_pruned(plan):
    nightly(DAY)
    stray = AreaRollup.objects.filter(as_of=DAY).first()
    AreaRollup.objects.create(area=stray.area, as_of=dt.date(2023, 5, 17), computed_at=stray.computed_at)

    plan_snapshots_refresh(plan_id=plan.pk)

    assert not AreaRollup.objects.filter(as_of=dt.date(2023, 5, 17)).exists()


def test_a_plans_refresh_computes_its_area_rollups_on_its_calendar(plan):
    plan_snapshots_refresh(plan_id=plan.pk)

    assert AreaRollup.objects.count() == 2 * len(calendar_of(plan)) > 0


def test_verify_detects_a_tampered_and_a_missing_area_rollup_and_repairs_them(plan):
    nightly(DAY)
    first = plan.areas.order_by("number").first()
    AreaRollup.objects.filter(area=first, as_of=dt.date(2022, 12, 31)).update(status_counts={"completed": 2})
    AreaRollup.objects.filter(area=first, as_of=dt.date(2021, 12, 31)).delete()

    differences = snapshots_verify()

    assert [(d["deriver"], d["subject"], d["as_of"], d["fields"]) for d in differences] == [
        ("measures.area_rollups", f"area {first.number}", dt.date(2021, 12, 31), {"area_rollup": (None, "missing")}),
        ("measures.area_rollups", f"area {first.number}", dt.date(2022, 12, 31),
         {"status_counts": ({"completed": 2}, {"completed": 1, "in_progress": 1})}),
    ]
    assert AreaRollup.objects.get(area=first, as_of=dt.date(2022, 12, 31)).status_counts == {"completed": 2}  # read-only

    assert len(snapshots_verify(repair=True)) == 2
    assert snapshots_verify() == []
    assert AreaRollup.objects.get(area=first, as_of=dt.date(2021, 12, 31)).status_counts == {"in_progress": 1, "not_reported": 1}


def test_the_verify_command_lists_a_tampered_area_rollup_and_fails(plan, capsys):
    nightly(DAY)
    first = plan.areas.order_by("number").first()
    AreaRollup.objects.filter(area=first, as_of=DAY).update(measure_count=9)

    with pytest.raises(CommandError, match="--repair"):
        call_command("verify_snapshots")

    out = capsys.readouterr().out
    assert f"measures.area_rollups: area {first.number} @ {DAY}: measure_count: stored 9, computed 2" in out
    assert "1 stored rows (snapshots, roll-ups) differ from a fresh computation (found)." in out
    call_command("verify_snapshots", "--repair")
    assert AreaRollup.objects.get(area=first, as_of=DAY).measure_count == 2
