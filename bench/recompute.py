"""Benchmark of the progress engine on PostgreSQL (run by `make bench`).

Builds throwaway synthetic plans in their own database and prints, in one run, with the
machine's load beside them:

- `recompute/floor ratio`: a full recompute of one as-of date (1,000 targets x 120 monthly
  figures) against a fair floor that does exactly the I/O the engine does — the same SELECTs
  (figure rows fetched raw into Python), the same writes of the same snapshot and roll-up rows
  (inputs included) in one transaction — and no computing: turning the rows into the engine's
  arrays counts as the engine's work;
- `backfill per snapshot`: every target on every month end of its plan's calendar;
- `save-to-fresh`: from a figure saved to all of its target's dates and their roll-ups
  recomputed (tasks run in this process, as `make run` does without a broker);
- the per-save task at 100, 1,000 and 5,000 targets (`per-save task at 5000 targets`: a
  target's every date and its plan's roll-ups shifted), and the nightly run;
- a sparse data set (a few figures a year per target, like the real plan) beside the dense one;
- the queries of each step at two sizes: constant in the number of targets and of dates.

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_bench; the
database is created if missing and emptied on every run (it refuses to run on a database
that holds any other plan). BENCH_QUICK=1 skips the 5,000-target size.
"""

import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_bench"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangzhou_ai_zone.settings")
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
os.environ["CELERY_BROKER_URL"] = ""  # tasks in this process: save-to-fresh includes the recompute
os.environ.setdefault("LOG_LEVEL", "WARNING")
BENCH_PREFIX = "bench-"

MONTHS = 120
BASELINE = date(2019, 12, 31)
TARGET_DATE = date(2029, 12, 31)
AS_OF = date(2029, 12, 31)  # every figure counts: the heaviest date
REPEATS = 3


def database_ensure(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"The benchmark runs on PostgreSQL; DATABASE_URL is {parts.scheme}://")
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres", user=parts.username or "postgres", password=parts.password,
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    admin.close()


def month_end(months_after: int) -> date:
    import calendar

    year, month = divmod(BASELINE.month - 1 + months_after, 12)
    year += BASELINE.year
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


def database_empty() -> None:
    from django.db import connection

    from targets.models import Plan

    if Plan.objects.exclude(code__startswith=BENCH_PREFIX).exists():
        sys.exit(f"{connection.settings_dict['NAME']} holds other plans than the benchmark's: not emptying it. "
                 f"Point DATABASE_URL at a throwaway database (default {DEFAULT_URL}).")
    with connection.cursor() as cursor:  # a throwaway database: empty it fast
        cursor.execute(
            "TRUNCATE targets_plan, snapshots_snapshot, snapshots_rollup, targets_observation, targets_indicator, targets_target, "
            "targets_objective, snapshots_snapshotdate, targets_recomputerequest, measures_area, "
            "measures_arearollup RESTART IDENTITY CASCADE"
        )


def plan_build(name: str, *, targets: int, figures: str) -> int:
    """A plan of `targets` targets (two thirds counts, one third levels) with monthly figures
    ("dense": 120 each) or a few a year ("sparse": year ends only), all synthetic."""
    from targets.models import Indicator, Objective, Observation, Plan, Target

    plan = Plan.objects.create(
        code=f"{BENCH_PREFIX}{name}", zone_zh="合成试验区", zone_en="Synthetic zone", title_zh="合成计划",
        title_en="Synthetic plan", issuing_body_zh="基准", issuing_body_en="Benchmark", published_on=BASELINE,
        baseline_date=BASELINE, target_date=TARGET_DATE,
    )
    objectives = Objective.objects.bulk_create(
        Objective(plan=plan, number=n, title_zh=f"目标 {n}", title_en=f"Objective {n}") for n in range(1, 11)
    )
    # One indicator per target (a third of them levels, stocks; the rest counts, flows).
    indicators = Indicator.objects.bulk_create(
        Indicator(code=f"{BENCH_PREFIX}{name}-{i}", name_zh=f"统计指标 {i}", name_en=f"Indicator {i}",
                  unit="enterprise", kind="stock" if i % 3 == 0 else "flow", scope="synthetic")
        for i in range(targets)
    )
    Target.objects.bulk_create(
        Target(
            plan=plan, objective=objectives[i % len(objectives)], indicator=indicator, code=f"{name}-{i}",
            name_zh=f"指标 {i}", name_en=f"Target {i}",
            target_value=Decimal(2_000 if i % 3 == 0 else 1_000 + i),
            baseline_value=Decimal(1_000) if i % 3 == 0 else Decimal(0), baseline_date=BASELINE,
        )
        for i, indicator in enumerate(indicators)
    )
    months = range(1, MONTHS + 1) if figures == "dense" else range(12, MONTHS + 1, 12)
    entries = []
    for indicator in indicators:
        level = indicator.kind == "stock"
        for m in months:
            value = 1_000 * (1.006 ** m) if level else 8 + (indicator.pk * 7 + m) % 5
            entries.append(Observation(
                indicator=indicator, period_end=month_end(m), value=Decimal(f"{value:.2f}"),
                qualifier="at_least" if m % 17 == 0 else "exact",
                source_title="Synthetic benchmark figure", is_synthetic=True,
            ))
        if len(entries) >= 50_000:
            Observation.objects.bulk_create(entries, batch_size=10_000)
            entries = []
    Observation.objects.bulk_create(entries, batch_size=10_000)
    return plan.pk


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def median_of(function, *args, repeats: int = REPEATS, **kwargs) -> float:
    return statistics.median(timed(function, *args, **kwargs) for _ in range(repeats))


def queries_of(function, *args, **kwargs) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function(*args, **kwargs)
    return len(queries)


def floor_run(plan_id: int, rows: list[dict], rollups: list[dict]) -> None:
    """The fair floor: exactly the engine's I/O and nothing else — the same SELECTs (the plan's
    lock, targets, figures of another definition, named items, figures fetched raw, revisions),
    the same writes (the snapshot COPY and upsert, the roll-ups' delete and COPY, the calendar,
    the plan's version) of the same rows, in one transaction. The engine's computing, and the
    conversion of the figure rows into its arrays, are not in it."""
    from django.db import transaction
    from django.utils import timezone

    from snapshots.models import Rollup
    from snapshots.services import store
    from targets.services import locks

    with transaction.atomic():
        locks.plans_lock([plan_id])
        targets = store.engine_targets(plan_ids=[plan_id])
        ids = [t["id"] for t in targets]
        store.engine_items(target_ids=ids)
        with store.collector_paused():  # as the engine reads them
            store._figure_rows(target_ids=ids, until=AS_OF)
            store._figure_revisions(target_ids=ids, since=AS_OF)
        now = timezone.now()
        store.snapshots_write(rows, computed_at=now)
        Rollup.objects.filter(plan_id=plan_id, as_of__in=[AS_OF]).delete()
        store._rollups_insert(rollups, now)
        store.calendar_write({plan_id: [AS_OF]})
        locks.versions_bump([plan_id])


def engine_rows(plan_id: int) -> tuple[list[dict], list[dict]]:
    """The engine's snapshot and roll-up rows of the plan on AS_OF, for the floor to write."""
    from snapshots.services import store
    from targets import progress
    from targets.progress.rollups import Judged

    targets = store.engine_targets(plan_ids=[plan_id])
    ids = [t["id"] for t in targets]
    rows = progress.history_compute(targets=targets, entries=store.engine_figures(target_ids=ids, until=AS_OF),
                                    item_statuses={}, dates=[AS_OF])
    return rows, progress.rollups_compute(targets=targets, snapshots=Judged.of_rows(rows), dates=[AS_OF])


def save_to_fresh(plan_id: int) -> float:
    """From a figure saved (through the service, as the admin and the API do) to all of its
    target's dates and its plan's roll-ups recomputed."""
    from snapshots.models import Snapshot
    from targets.models import Observation
    from targets.services import observation_update

    entry = Observation.objects.filter(indicator__targets__plan_id=plan_id, indicator__kind="flow").first()
    started = time.perf_counter()
    observation_update(observation=entry, data={"value": entry.value + 1})
    elapsed = time.perf_counter() - started
    assert not Snapshot.objects.filter(target__indicator_id=entry.indicator_id, is_outdated=True).exists()
    return elapsed


def main() -> None:
    database_ensure(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from snapshots.models import SnapshotDate
    from snapshots.services import (
        plan_snapshots_refresh,
        snapshots_compute_and_store,
        snapshots_refresh,
        target_snapshots_refresh,
    )
    from snapshots.services.refresh import plan_calendar
    from targets.models import Plan

    call_command("migrate", verbosity=0)
    quick = os.environ.get("BENCH_QUICK") == "1"
    started = time.perf_counter()
    database_empty()
    sizes = {"small": 100, "dense": 1_000, "sparse": 1_000}
    if not quick:
        sizes["large"] = 5_000
    plans = {name: plan_build(name, targets=count, figures="sparse" if name == "sparse" else "dense")
             for name, count in sizes.items()}
    analyse()
    print(f"built {', '.join(f'{name}: {count:,} targets' for name, count in sizes.items())} "
          f"in {time.perf_counter() - started:.0f} s")

    def one_date(plan_id):
        return snapshots_compute_and_store(dates_of={plan_id: [AS_OF]})

    # Recompute of one date against the fair floor.
    dense = plans["dense"]
    one_date(dense)
    rows, rollups = engine_rows(dense)
    recompute = median_of(one_date, dense)
    floor = median_of(floor_run, dense, rows, rollups)
    one_date(dense)  # leave the engine's rows

    # History: every target of the dense plan on every date of its calendar.
    calendar = plan_calendar(Plan.objects.get(pk=dense), today=AS_OF)
    backfill_seconds = timed(snapshots_compute_and_store, dates_of={dense: calendar})
    backfilled = len(calendar) * sizes["dense"]
    analyse()
    sparse_calendar = plan_calendar(Plan.objects.get(pk=plans["sparse"]), today=AS_OF)
    sparse_backfill = timed(snapshots_compute_and_store, dates_of={plans["sparse"]: sparse_calendar})
    for name in ("small", "large"):
        if name in plans:
            snapshots_compute_and_store(dates_of={plans[name]: calendar})
    analyse()

    # Save-to-fresh and the per-save task at each size.
    fresh = {name: statistics.median(save_to_fresh(plan_id) for _ in range(REPEATS)) for name, plan_id in plans.items()}

    def task_for(plan_id):
        from targets.models import Target

        target = Target.objects.filter(objective__plan_id=plan_id).first()
        return lambda: target_snapshots_refresh(target_id=target.pk)

    task = {name: median_of(task_for(plan_id)) for name, plan_id in plans.items()}
    task_queries = {name: queries_of(task_for(plan_id)) for name, plan_id in plans.items()}

    # Queries at two sizes and two lengths of history.
    recompute_queries = {name: queries_of(one_date, plans[name]) for name in ("small", "dense")}
    short = plan_calendar(Plan.objects.get(pk=plans["small"]), today=date(2020, 12, 31))
    history_queries = {
        "13 dates": queries_of(snapshots_compute_and_store, dates_of={plans["small"]: short}),
        f"{len(calendar)} dates": queries_of(snapshots_compute_and_store, dates_of={plans["small"]: calendar}),
    }

    # The nightly run on a new day (every plan computes it and drops the previous one).
    SnapshotDate.objects.filter(as_of=AS_OF).delete()
    nightly = timed(snapshots_refresh, as_of=AS_OF)
    whole_plan = timed(plan_snapshots_refresh, plan_id=plans["sparse"])

    load = os.getloadavg()
    print()
    print(f"PostgreSQL {connection.pg_version // 10000}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} cores; medians of {REPEATS} runs")
    print(f"one as-of date, {sizes['dense']:,} targets x {MONTHS} monthly figures: "
          f"recompute {recompute * 1000:.0f} ms, floor {floor * 1000:.0f} ms")
    print(f"recompute/floor ratio: {recompute / floor:.2f}")
    print(f"backfill per snapshot: {backfill_seconds / backfilled * 1e6:.0f} µs "
          f"({backfilled:,} snapshots in {backfill_seconds:.1f} s; sparse figures: "
          f"{sparse_backfill / (len(sparse_calendar) * sizes['sparse']) * 1e6:.0f} µs)")
    print(f"save-to-fresh: {fresh['dense'] * 1000:.0f} ms ({sizes['dense']:,} targets x {len(calendar)} dates)")
    print("save-to-fresh by size: " + ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in fresh.items()))
    print("per-save task by size: " + ", ".join(f"{name} {value * 1000:.0f} ms ({task_queries[name]} queries)"
                                                 for name, value in task.items()))
    if "large" in task:
        print(f"per-save task at {sizes['large']} targets: {task['large'] * 1000:.0f} ms")
    print(f"nightly run (every plan, a new day): {nightly:.1f} s; whole sparse plan history: {whole_plan:.1f} s")
    print("queries per one-date recompute: " + ", ".join(
        f"{sizes[name]:,} targets {count}" for name, count in recompute_queries.items()))
    print("queries per history recompute: " + ", ".join(f"{k} {v}" for k, v in history_queries.items()))


if __name__ == "__main__":
    main()
