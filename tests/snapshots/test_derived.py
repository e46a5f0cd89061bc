"""The registry of what each app derives per plan and date, and the pipeline that runs it
(issue 17: one pipeline for everything derived)."""

import datetime as dt
from decimal import Decimal

import pytest

from snapshots.models import Snapshot, SnapshotDate
from snapshots.services import plan_snapshots_refresh, snapshots_refresh, snapshots_verify
from snapshots.services.derived import deriver_register, deriver_unregister, derivers
from tests.factories import ObservationFactory, TargetFactory

TODAY = dt.date(2024, 6, 30)


class StandIn:
    """A deriver that records what the pipeline asks of it."""

    name = "tests.stand_in"

    def __init__(self):
        self.computed, self.pruned, self.verified = [], [], []
        self.fail = False

    def compute(self, *, dates_of):
        if self.fail:
            raise RuntimeError("the stand-in failed")
        self.computed.append(dates_of)
        return sum(len(dates) for dates in dates_of.values())

    def prune(self, *, plan_id, keep):
        self.pruned.append((plan_id, list(keep)))
        return 0

    def verify(self, *, plan_id, dates, repair=False):
        self.verified.append((plan_id, list(dates), repair))
        return [{"deriver": self.name, "subject": "thing", "as_of": dates[-1], "fields": {"value": (1, 2)}}]


@pytest.fixture
def stand_in():
    deriver = StandIn()
    deriver_register(name=deriver.name, compute=deriver.compute, prune=deriver.prune, verify=deriver.verify)
    yield deriver
    deriver_unregister(deriver.name)


def test_the_core_registers_its_snapshots_first_and_measures_its_area_rollups():
    names = [deriver.name for deriver in derivers()]

    assert names[0] == "targets.snapshots"
    assert "measures.area_rollups" in names  # from MeasuresConfig.ready(): the core never names it


def test_registering_a_name_again_replaces_it_in_its_place(stand_in):
    before = [deriver.name for deriver in derivers()]

    deriver_register(name=stand_in.name, compute=stand_in.compute, prune=stand_in.prune, verify=stand_in.verify)

    assert [deriver.name for deriver in derivers()] == before
    assert before.count(stand_in.name) == 1


@pytest.mark.django_db
def test_a_plans_refresh_computes_and_prunes_every_deriver_on_its_calendar(stand_in):
    target = TargetFactory(baseline_value=Decimal("0"))
    plan_id = target.objective.plan_id

    written = plan_snapshots_refresh(plan_id=plan_id)

    calendar = sorted(SnapshotDate.objects.filter(plan_id=plan_id).values_list("as_of", flat=True))
    assert stand_in.computed == [{plan_id: calendar}]
    assert stand_in.pruned == [(plan_id, calendar)]
    assert written >= len(calendar) * 2  # the core's snapshots and the stand-in's rows


@pytest.mark.django_db
def test_the_nightly_run_computes_the_missing_dates_and_prunes_yesterdays(stand_in):
    target = TargetFactory(baseline_value=Decimal("0"))
    plan_id = target.objective.plan_id
    snapshots_refresh(as_of=TODAY - dt.timedelta(days=1))
    stand_in.computed.clear()

    snapshots_refresh(as_of=TODAY)

    # The month ends are stored already: only today is computed; yesterday is off the calendar.
    assert stand_in.computed == [{plan_id: [TODAY]}]
    keep = stand_in.pruned[-1][1]
    assert TODAY in keep and TODAY - dt.timedelta(days=1) not in keep


@pytest.mark.django_db
def test_verify_asks_every_deriver_and_passes_repair(stand_in):
    target = TargetFactory(baseline_value=Decimal("0"))
    ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("120"))
    snapshots_refresh(as_of=TODAY)
    Snapshot.objects.filter(target=target, as_of=dt.date(2021, 12, 31)).update(attained=Decimal("7"))

    differences = snapshots_verify(repair=True)

    assert {(d["deriver"], d["subject"], d["as_of"]) for d in differences} == {
        ("targets.snapshots", target.code, dt.date(2021, 12, 31)),
        ("tests.stand_in", "thing", TODAY),
    }
    plan_id = target.objective.plan_id
    assert stand_in.verified[-1][0] == plan_id and stand_in.verified[-1][2] is True
    assert stand_in.verified[-1][1] == sorted(SnapshotDate.objects.filter(plan_id=plan_id)
                                              .values_list("as_of", flat=True))
    # The core repaired its own: only the stand-in (which repairs nothing) still differs.
    assert [d["deriver"] for d in snapshots_verify()] == ["tests.stand_in"]


@pytest.mark.django_db
def test_a_deriver_that_fails_leaves_nothing_written(stand_in):
    target = TargetFactory(baseline_value=Decimal("0"))
    stand_in.fail = True

    with pytest.raises(RuntimeError, match="stand-in"):
        plan_snapshots_refresh(plan_id=target.objective.plan_id)

    assert not Snapshot.objects.exists()
    assert not SnapshotDate.objects.exists()
