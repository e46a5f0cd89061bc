"""Benchmark of the progress engine on PostgreSQL (run by `make bench`).

Builds a throwaway synthetic plan — 1,000 targets x 120 monthly entries, every entry
marked synthetic — in its own database, then prints side by side:
- a full recompute for one as-of date against a floor: one SQL query fetching the same
  per-target aggregates plus one bulk write of the same number of snapshot rows;
- a 60-month history backfill (60,000 snapshots), total and per snapshot;
- the number of queries a recompute issues at 100 and at 1,000 targets.

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_bench; the
database is created if missing and its plan tables are emptied on every run (it refuses
to run on a database that holds any other plan).
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
BENCH_PLAN = "bench-synthetic"

TARGETS = 1_000
SMALL = 100
MONTHS = 120
BASELINE = date(2019, 12, 31)
TARGET_DATE = date(2029, 12, 31)
AS_OF = date(2029, 12, 31)  # every entry counts: the heaviest date
BACKFILL_SINCE, BACKFILL_UNTIL = date(2025, 1, 31), date(2029, 12, 31)  # 60 month ends
REPEATS = 5


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


def plan_build():
    """A plan with SMALL targets; `targets_add` grows it to TARGETS."""
    from django.db import connection

    from measures.models import Area, Measure
    from targets.models import Objective, Plan

    if Plan.objects.exclude(code=BENCH_PLAN).exists():
        sys.exit(f"{connection.settings_dict['NAME']} holds other plans than the benchmark's: not emptying it. "
                 f"Point DATABASE_URL at a throwaway database (default {DEFAULT_URL}).")
    with connection.cursor() as cursor:  # a throwaway database: empty it fast
        cursor.execute(
            "TRUNCATE targets_plan, targets_snapshot, targets_rollup, targets_progressentry, targets_target, "
            "targets_objective, measures_area, measures_arearollup RESTART IDENTITY CASCADE"
        )
    plan = Plan.objects.create(
        code=BENCH_PLAN, zone="Synthetic zone", title_zh="合成计划", title_en="Synthetic plan",
        issuing_body="Benchmark", published_on=BASELINE, baseline_date=BASELINE, target_date=TARGET_DATE,
    )
    objectives = Objective.objects.bulk_create(
        Objective(plan=plan, number=n, title_zh=f"目标 {n}", title_en=f"Objective {n}") for n in range(1, 11)
    )
    areas = Area.objects.bulk_create(
        Area(plan=plan, number=n, title_zh=f"领域 {n}", title_en=f"Area {n}") for n in range(1, 8)
    )
    Measure.objects.bulk_create(
        Measure(area=areas[n % 7], number=n, title_zh=f"措施 {n}", title_en=f"Measure {n}",
                status=("not_started", "in_progress", "completed")[n % 3])
        for n in range(1, 36)
    )
    return objectives


def targets_add(objectives, start: int, stop: int) -> None:
    from targets.models import ProgressEntry, Target

    targets = Target.objects.bulk_create(
        Target(
            objective=objectives[i % len(objectives)], code=f"synthetic-{i}", name_zh=f"指标 {i}",
            name_en=f"Target {i}", unit="enterprise",
            # Two thirds counts (monthly additions), one third levels (monthly values).
            aggregation="latest" if i % 3 == 0 else "sum",
            target_value=Decimal(2_000 if i % 3 == 0 else 1_000 + i),
            baseline_value=Decimal(1_000) if i % 3 == 0 else Decimal(0), baseline_date=BASELINE,
        )
        for i in range(start, stop)
    )
    entries = []
    for target in targets:
        level = target.aggregation == "latest"
        for m in range(1, MONTHS + 1):
            value = 1_000 * (1.006 ** m) if level else 8 + (target.pk * 7 + m) % 5
            entries.append(ProgressEntry(
                target=target, period_end=month_end(m), value=Decimal(f"{value:.2f}"),
                qualifier="at_least" if m % 17 == 0 else "exact",
                source_title="Synthetic benchmark figure", is_synthetic=True,
            ))
    ProgressEntry.objects.bulk_create(entries, batch_size=10_000)


def recompute_queries(as_of: date) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from targets.services import snapshots_recompute

    with CaptureQueriesContext(connection) as queries:
        snapshots_recompute(as_of=as_of)
    return len(queries)


FLOOR_SQL = """
    SELECT e.target_id, SUM(e.value), COUNT(*), MAX(e.period_end),
           (ARRAY_AGG(e.value ORDER BY e.period_end DESC))[1],
           BOOL_OR(e.qualifier = 'at_least'), BOOL_OR(e.is_synthetic)
    FROM targets_progressentry e
    WHERE e.period_end <= %s
    GROUP BY e.target_id
"""


def floor_run(as_of: date) -> int:
    """The least any recompute must do: one aggregate query, one bulk write of the rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    from targets.models import Snapshot
    from targets.services import SNAPSHOT_UPDATE_FIELDS

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [as_of])
            aggregates = cursor.fetchall()
        now = timezone.now()
        rows = [
            Snapshot(
                target_id=target_id, as_of=as_of, computed_at=now, attained=total, data_date=last_date,
                attained_qualifier="at_least" if any_lower else "exact", has_synthetic=synthetic,
                data_age_days=(as_of - last_date).days, status="no_data", method="none", inputs={},
            )
            for target_id, total, count, last_date, last_value, any_lower, synthetic in aggregates
        ]
        Snapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["target", "as_of"], update_fields=SNAPSHOT_UPDATE_FIELDS,
        )
    return len(rows)


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def main() -> None:
    database_ensure(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from targets.models import ProgressEntry, Snapshot
    from targets.services import snapshots_backfill, snapshots_recompute

    call_command("migrate", verbosity=0)
    print(f"building the synthetic plan: {TARGETS:,} targets x {MONTHS} monthly entries ...", flush=True)
    started = time.perf_counter()
    objectives = plan_build()
    targets_add(objectives, 0, SMALL)
    queries_small = recompute_queries(AS_OF)
    targets_add(objectives, SMALL, TARGETS)
    entries = ProgressEntry.objects.count()
    print(f"built in {time.perf_counter() - started:.1f} s: {entries:,} entries (all synthetic)")
    queries_full = recompute_queries(AS_OF)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    snapshots_recompute(as_of=AS_OF)  # warm up: caches, first insert of the rows
    recompute_times, floor_times = [], []
    for _ in range(REPEATS):
        recompute_times.append(timed(snapshots_recompute, as_of=AS_OF))
        floor_times.append(timed(floor_run, AS_OF))
    snapshots_recompute(as_of=AS_OF)  # leave the engine's rows, not the floor's
    recompute, floor = statistics.median(recompute_times), statistics.median(floor_times)

    backfill_seconds = timed(snapshots_backfill, since=BACKFILL_SINCE, until=BACKFILL_UNTIL, every="month")
    backfilled = Snapshot.objects.filter(as_of__gte=BACKFILL_SINCE, as_of__lte=BACKFILL_UNTIL).count()

    print()
    print(f"PostgreSQL {connection.pg_version // 10000}, {TARGETS:,} targets, {entries:,} entries, "
          f"as of {AS_OF} (median of {REPEATS} runs)")
    print(f"{'':34}{'recompute':>12}{'floor':>12}")
    print(f"{'one as-of date, all targets':34}{recompute * 1000:>10.0f} ms{floor * 1000:>10.0f} ms")
    print(f"recompute/floor ratio: {recompute / floor:.2f}")
    print(f"60-month backfill: {backfilled:,} snapshots in {backfill_seconds:.1f} s, "
          f"{backfill_seconds / backfilled * 1_000_000:.0f} µs per snapshot")
    print(f"queries per recompute: {queries_small} at {SMALL} targets, {queries_full} at {TARGETS:,} targets")


if __name__ == "__main__":
    main()
