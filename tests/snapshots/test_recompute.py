"""Recomputing snapshots and roll-ups: storage, idempotence, query counts, the command."""

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from measures.models import AreaRollup
from measures.services import area_rollups_recompute
from snapshots.models import Rollup, Snapshot
from snapshots.services import snapshots_backfill, snapshots_recompute
from targets.models import Indicator, Observation, Target
from targets.progress.dates import backfill_dates
from tests.factories import (
    AreaFactory,
    IndicatorFactory,
    MeasureFactory,
    MeasureUpdateFactory,
    ObjectiveFactory,
    ObservationFactory,
    PlanFactory,
    SnapshotFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2021, 12, 31)


def stored_snapshots():
    return [
        {k: v for k, v in model_to_dict(s).items() if k not in ("id", "computed_at")}
        for s in Snapshot.objects.order_by("target_id", "as_of")
    ]


def stored_rollups():
    return sorted(
        (r.plan_id, r.objective_id or 0, r.as_of, r.mean_capped_progress, r.target_count, r.progress_count,
         tuple(sorted(r.status_counts.items())))
        for r in Rollup.objects.all()
    )


def test_it_writes_one_snapshot_per_target_and_the_roll_ups(hangzhou_plan):
    written = snapshots_recompute(as_of=AS_OF)

    # Both plans (the 2025 plan's 6 targets have no figure yet on this date).
    assert Snapshot.objects.filter(as_of=AS_OF, target__plan=hangzhou_plan).count() == 16
    assert Snapshot.objects.filter(as_of=AS_OF).count() == 16 + 6
    assert Rollup.objects.filter(as_of=AS_OF, plan=hangzhou_plan, objective__isnull=True).count() == 1
    assert Rollup.objects.filter(as_of=AS_OF, plan=hangzhou_plan, objective__isnull=False).count() == 4
    # The 7 work areas' roll-ups come through the pipeline too (measures register them).
    assert written == (16 + 5 + 7) + (6 + 2)
    assert AreaRollup.objects.filter(as_of=AS_OF).count() == 7
    plan = Rollup.objects.get(as_of=AS_OF, plan=hangzhou_plan, objective__isnull=True)
    assert plan.target_count == 16
    assert sum(plan.status_counts.values()) == 16
    # Industry size: on track at its "≥ 1,500", achieved at 2,000 or more: not determined (issue 18).
    assert plan.status_counts["not_determined"] == 1 and "on_track" not in plan.status_counts


def test_recomputing_twice_gives_identical_rows(hangzhou_plan):
    snapshots_recompute(as_of=AS_OF)
    first, first_rollups = stored_snapshots(), stored_rollups()

    snapshots_recompute(as_of=AS_OF)

    assert stored_snapshots() == first
    assert stored_rollups() == first_rollups
    assert Snapshot.objects.count() == 16 + 6


def test_recompute_replaces_the_row_and_clears_outdated():
    target = TargetFactory()
    stale = SnapshotFactory(target=target, as_of=AS_OF, status=Snapshot.Status.OFF_TRACK, is_outdated=True)
    ObservationFactory(target=target, period_end=dt.date(2021, 12, 31), value=Decimal("300"))

    snapshots_recompute(as_of=AS_OF, target_ids=[target.pk])

    fresh = Snapshot.objects.get(target=target, as_of=AS_OF)
    assert fresh.pk == stale.pk
    assert fresh.status == Snapshot.Status.ACHIEVED
    assert not fresh.is_outdated


def test_one_snapshot_per_target_and_date_is_a_database_constraint():
    existing = SnapshotFactory(as_of=AS_OF)

    with pytest.raises(IntegrityError), transaction.atomic():
        SnapshotFactory(target=existing.target, as_of=AS_OF)

    assert Snapshot.objects.filter(target=existing.target).count() == 1


def test_recomputing_some_targets_refreshes_their_plan_roll_ups():
    objective = ObjectiveFactory()
    behind, ahead = TargetFactory.create_batch(2, objective=objective, target_value=Decimal("100"))
    other_plan_target = TargetFactory()
    ObservationFactory(target=behind, period_end=dt.date(2021, 12, 31), value=Decimal("10"))
    snapshots_recompute(as_of=AS_OF)
    ObservationFactory(target=ahead, period_end=dt.date(2021, 12, 31), value=Decimal("150"))

    snapshots_recompute(as_of=AS_OF, target_ids=[ahead.pk])

    plan_rollup = Rollup.objects.get(plan=objective.plan, objective__isnull=True, as_of=AS_OF)
    # Capped: 150 % counts as 100 %, so the mean is (0.1 + 1.0) / 2.
    assert plan_rollup.mean_capped_progress == pytest.approx(0.55)
    assert plan_rollup.status_counts == {"achieved": 1, "off_track": 1}
    assert plan_rollup.progress_count == 2
    assert Snapshot.objects.get(target=other_plan_target).status == Snapshot.Status.NO_DATA


def test_roll_up_counts_targets_without_progress_but_leaves_them_out_of_the_mean():
    objective = ObjectiveFactory()
    started = TargetFactory(objective=objective, target_value=Decimal("100"))
    TargetFactory(objective=objective)
    ObservationFactory(target=started, period_end=dt.date(2021, 12, 31), value=Decimal("40"))

    snapshots_recompute(as_of=AS_OF)

    rollup = Rollup.objects.get(objective=objective, as_of=AS_OF)
    assert rollup.target_count == 2 and rollup.progress_count == 1
    assert rollup.mean_capped_progress == pytest.approx(0.4)
    # 0.4 of the way against 0.5 expected: pace 0.8.
    assert rollup.status_counts == {"needs_acceleration": 1, "no_data": 1}


def test_area_roll_up_uses_dated_updates_for_past_dates():
    area = AreaFactory()
    early = MeasureFactory(area=area, status="completed")
    MeasureUpdateFactory(measure=early, date=dt.date(2021, 3, 1), status="in_progress")
    MeasureUpdateFactory(measure=early, date=dt.date(2022, 3, 1), status="completed")
    MeasureFactory(area=area, status="not_started")

    area_rollups_recompute(dates=[AS_OF, dt.date(2022, 6, 30)])

    # The measure without an update has no evidence: not reported, whatever its stored default.
    assert AreaRollup.objects.get(area=area, as_of=AS_OF).status_counts == {"in_progress": 1, "not_reported": 1}
    later = AreaRollup.objects.get(area=area, as_of=dt.date(2022, 6, 30))
    assert later.status_counts == {"completed": 1, "not_reported": 1}
    assert later.measure_count == 2


def test_backfill_writes_every_month_end_and_the_end_date():
    target = TargetFactory()
    ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("120"))

    written = snapshots_backfill(since=dt.date(2020, 10, 31), until=dt.date(2021, 2, 15))

    dates = list(Snapshot.objects.filter(target=target).order_by("as_of").values_list("as_of", flat=True))
    assert dates == [dt.date(2020, 10, 31), dt.date(2020, 11, 30), dt.date(2020, 12, 31),
                     dt.date(2021, 1, 31), dt.date(2021, 2, 15)]
    assert written == 5 * (1 + 2)  # a snapshot, an objective and a plan roll-up per date
    single = Snapshot.objects.get(target=target, as_of=dt.date(2021, 1, 31))
    snapshots_recompute(as_of=dt.date(2021, 1, 31))
    assert Snapshot.objects.get(target=target, as_of=dt.date(2021, 1, 31)).inputs == single.inputs


def test_backfill_dates_keep_the_day_of_month():
    assert backfill_dates(since=dt.date(2021, 1, 15), until=dt.date(2021, 4, 15), every="month") == [
        dt.date(2021, 1, 15), dt.date(2021, 2, 15), dt.date(2021, 3, 15), dt.date(2021, 4, 15)]
    assert backfill_dates(since=dt.date(2020, 12, 31), until=dt.date(2021, 12, 31), every="quarter") == [
        dt.date(2020, 12, 31), dt.date(2021, 3, 31), dt.date(2021, 6, 30), dt.date(2021, 9, 30), dt.date(2021, 12, 31)]
    with pytest.raises(ValueError, match="Unknown step 'fortnight'"):
        backfill_dates(since=dt.date(2021, 1, 1), until=dt.date(2021, 2, 1), every="fortnight")


# --- query counts --------------------------------------------------------------------

@pytest.fixture
def sqlite_real_variable_limit(monkeypatch):
    """Django 5.2 assumes SQLite allows 999 variables a statement and splits bulk writes
    accordingly; SQLite 3.32+ allows 32,766. Use the real limit so the count below
    measures the engine, not that assumption. (PostgreSQL never splits.)"""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


def build_plan(target_count: int):
    plan = PlanFactory()
    objectives = ObjectiveFactory.create_batch(4, plan=plan)
    area = AreaFactory(plan=plan)
    MeasureUpdateFactory(measure=MeasureFactory(area=area), status="in_progress")
    indicators = Indicator.objects.bulk_create(
        IndicatorFactory.build(code=f"i-{plan.pk}-{i}", kind="stock" if i % 3 == 0 else "flow")
        for i in range(target_count)
    )
    Target.objects.bulk_create(
        TargetFactory.build(objective=objectives[i % 4], plan=plan, indicator=indicator, code=f"t-{plan.pk}-{i}")
        for i, indicator in enumerate(indicators)
    )
    Observation.objects.bulk_create(
        Observation(indicator=indicator, period_end=dt.date(year, 12, 31), value=Decimal(40 * (year - 2019)),
                    source_title="test")
        for indicator in indicators for year in (2020, 2021)
    )
    return plan


# The plans concerned, savepoint and release, then: plan lock, targets, figures, figures of
# other scopes (context for the explanation), the revisions made after the first date (the
# figures as known on each date), named items, the snapshot upsert, roll-up delete and insert, calendar, plan version. On PostgreSQL the
# upsert is a temporary table, a COPY and one INSERT ... SELECT, and the roll-ups are COPYed:
# COPY is not a query Django sees, so the count is one more there.
def recompute_queries() -> int:
    return 15 if connection.vendor == "postgresql" else 14


@pytest.mark.parametrize("target_count", [16, 200])
def test_recompute_issues_the_same_number_of_queries_for_any_number_of_targets(
    target_count, sqlite_real_variable_limit, django_assert_num_queries
):
    build_plan(target_count)

    # Whole plans go through the pipeline: its savepoint (2) and the registered area roll-ups
    # (areas, measures, updates, one upsert), as constant as the snapshots'.
    with django_assert_num_queries(recompute_queries() + 2 + 4):
        snapshots_recompute(as_of=AS_OF)

    assert Snapshot.objects.filter(as_of=AS_OF).count() == target_count


@pytest.mark.parametrize("target_count", [16, 200])
def test_recomputing_one_target_issues_a_constant_number_of_queries(
    target_count, sqlite_real_variable_limit, django_assert_num_queries
):
    plan = build_plan(target_count)
    one = Target.objects.filter(objective__plan=plan).first()
    snapshots_recompute(as_of=AS_OF)

    # The roll-ups are shifted by the target's old and new snapshots: three more than a full
    # recompute (its old snapshots, read before the write, a COPY on PostgreSQL, which Django
    # does not count; the plan's targets per objective; the roll-ups touched), and no read of
    # the other targets' snapshots.
    with django_assert_num_queries(recompute_queries() + 2 + (connection.vendor != "postgresql")):
        snapshots_recompute(as_of=AS_OF, target_ids=[one.pk])

    assert Snapshot.objects.filter(as_of=AS_OF).count() == target_count


# --- the command ----------------------------------------------------------------------

def test_command_computes_one_date(hangzhou_plan, capsys):
    call_command("recompute_snapshots", "--as-of", "2021-06-30")

    assert Snapshot.objects.filter(as_of=dt.date(2021, 6, 30)).count() == 16 + 6
    assert f"{(16 + 5 + 7) + (6 + 2)} rows written" in capsys.readouterr().out  # snapshots, roll-ups, areas


def test_command_builds_a_monthly_history(hangzhou_plan):
    call_command("recompute_snapshots", "--since", "2021-01-31", "--as-of", "2021-06-30", "--every", "month",
                 verbosity=0)

    assert sorted(set(Snapshot.objects.values_list("as_of", flat=True))) == [
        dt.date(2021, 1, 31), dt.date(2021, 2, 28), dt.date(2021, 3, 31), dt.date(2021, 4, 30),
        dt.date(2021, 5, 31), dt.date(2021, 6, 30)]


def test_command_builds_the_history_from_the_plan_baseline(hangzhou_plan):
    call_command("recompute_snapshots", "--since", "baseline", "--as-of", "2020-03-31", verbosity=0)

    assert sorted(set(Snapshot.objects.values_list("as_of", flat=True))) == [
        dt.date(2019, 12, 31), dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2020, 3, 31)]


def test_command_since_baseline_without_a_plan_says_what_to_do(db):
    with pytest.raises(CommandError, match="load_plan"):
        call_command("recompute_snapshots", "--since", "baseline")
    assert not Snapshot.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--as-of", "2021-13-01"], "is not a date"),
        (["--as-of", "yesterday"], "is not a date"),
        (["--since", "2021-02-30"], "is not a date"),
        (["--since", "2022-01-01", "--as-of", "2021-06-30"], "is after --as-of"),
    ],
)
def test_command_refuses_bad_dates_and_writes_nothing(hangzhou_plan, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("recompute_snapshots", *arguments)

    assert not Snapshot.objects.exists()
    assert not Rollup.objects.exists()
    assert not AreaRollup.objects.exists()


def test_the_engine_reads_as_context_exactly_the_figures_of_another_definition():
    # The engine's inputs choose these figures in SQL (reading every figure cost more than the
    # engine itself): a figure of its own scope is context for a target in the indicator's
    # scope; a target of its own scope sees the indicator's figures as context; a figure whose
    # scope is written out but equals the indicator's is no context at all.
    from snapshots.services import store

    plain = TargetFactory(code="plain")
    own_scope = TargetFactory(code="own-scope", objective=plain.objective, indicator=plain.indicator,
                              scope="above-size")
    ObservationFactory(indicator=plain.indicator, period_end=dt.date(2020, 12, 31), value=Decimal("10"))
    ObservationFactory(indicator=plain.indicator, period_end=dt.date(2021, 12, 31), value=Decimal("20"),
                       scope=plain.indicator.scope)
    ObservationFactory(indicator=plain.indicator, period_end=dt.date(2022, 12, 31), value=Decimal("30"),
                       scope="above-size")
    unrelated = TargetFactory(code="unrelated", objective=plain.objective)
    ObservationFactory(indicator=unrelated.indicator, period_end=dt.date(2020, 12, 31), value=Decimal("5"))

    context = {row["id"]: [(figure["period_end"], figure["value"], figure["scope"]) for figure in row["other_scope"]]
               for row in store.engine_targets(plan_ids=[plain.objective.plan_id])}

    assert context[plain.pk] == [("2022-12-31", "30", "above-size")]
    assert context[own_scope.pk] == [("2020-12-31", "10", "counted"), ("2021-12-31", "20", "counted")]
    assert context[unrelated.pk] == []
