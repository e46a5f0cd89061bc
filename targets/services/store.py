"""The progress engine's reads and writes: the rows it computes from, and the snapshots,
roll-ups, calendar and plan versions it stores.

Every read is one query, whatever the number of targets and dates (tests pin the counts),
and the rows are fetched raw: Django's per-row converters cost more than the query for
100,000 figures. Snapshots are written in bulk — with COPY into a temporary table and one
upsert on PostgreSQL, with `bulk_create(update_conflicts=True)` on SQLite — and their inputs
are serialised once, by orjson, on their way in. Computation lives in `targets.progress`.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import orjson
import pandas as pd
from django.db import connection
from django.db.models import CharField, F, FloatField
from django.db.models.functions import Cast, Now

from targets import progress
from targets.models import Plan, ProgressEntry, Rollup, Snapshot, SnapshotDate, Target, TargetItem
from targets.progress.rollups import STATUS_CODE, Judged, rollups_compute

# Written by the engine, in this order (COPY's column list and the upsert's).
SNAPSHOT_FIELDS = [
    "target_id", "as_of", "computed_at", "attained", "attained_qualifier", "data_date", "baseline_known",
    "progress", "expected", "ratio", "method", "status", "forecast_value", "forecast_reach_date",
    "data_age_days", "is_data_stale", "has_synthetic", "is_outdated", "inputs",
]
SNAPSHOT_UPDATE_FIELDS = SNAPSHOT_FIELDS[2:]


def plans_lock(plan_ids: Iterable[int]) -> None:
    """Two workers recomputing the same plan (the nightly run and a figure's recompute) would
    both replace its roll-ups; locking the plan rows, always in id order, makes the second wait."""
    list(Plan.objects.select_for_update().filter(id__in=sorted(plan_ids)).order_by("id").values_list("id", flat=True))


def engine_targets(*, plan_ids: Iterable[int]) -> list[dict]:
    """Every target of these plans with its plan's dates and thresholds: one query."""
    return [
        {
            "id": row["id"], "objective_id": row["objective_id"], "plan_id": row["objective__plan_id"],
            "kind": row["kind"], "target_value": row["target_value"], "baseline_value": row["baseline_value"],
            "baseline_date": row["baseline_date"], "direction": row["direction"],
            "aggregation": row["aggregation"], "plan_target_date": row["objective__plan__target_date"],
            "on_track_threshold": row["objective__plan__on_track_threshold"],
            "acceleration_threshold": row["objective__plan__acceleration_threshold"],
        }
        for row in Target.objects.filter(objective__plan_id__in=list(plan_ids)).order_by("id").values(
            "id", "objective_id", "objective__plan_id", "kind", "target_value", "baseline_value",
            "baseline_date", "direction", "aggregation", "objective__plan__target_date",
            "objective__plan__on_track_threshold", "objective__plan__acceleration_threshold",
        )
    ]


def engine_figures(*, target_ids: list[int], until: date) -> progress.figures.Figures:
    """These targets' figures dated up to `until`, as the engine's columns: one query.
    Values as floats (the computation is float64), dates as ISO text (parsed in one
    vectorised call instead of 100,000 date objects)."""
    figures = ProgressEntry.objects.filter(target_id__in=target_ids, period_end__lte=until).order_by().values_list(
        "target_id", Cast("period_end", CharField()), Cast("value", FloatField()), "qualifier", "is_synthetic"
    )
    with connection.cursor() as cursor:
        cursor.execute(*figures.query.sql_with_params())
        return progress.entries_frame(cursor.fetchall())


def engine_items(*, target_ids: list[int]) -> dict[int, list[str]]:
    """The named items' statuses of these targets (the qualitative ones): one query."""
    statuses: dict[int, list[str]] = defaultdict(list)
    items = TargetItem.objects.filter(target_id__in=target_ids, target__kind=Target.Kind.QUALITATIVE)
    for target_id, status in items.order_by("target_id", "order", "code").values_list("target_id", "status"):
        statuses[target_id].append(status)
    return statuses


def snapshots_write(rows: list[dict], *, computed_at: datetime) -> int:
    """Stores the engine's rows, replacing any snapshot of the same target and date, with
    `is_outdated` cleared: one upsert."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _snapshots_copy(rows, computed_at)
    else:
        Snapshot.objects.bulk_create(
            [Snapshot(computed_at=computed_at, is_outdated=False, **row) for row in rows],
            update_conflicts=True, unique_fields=["target", "as_of"], update_fields=SNAPSHOT_UPDATE_FIELDS,
        )
    return len(rows)


def _copy_text(value) -> str:
    """A value in COPY's text format (\\N is NULL; backslash, tab and line breaks escaped)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = value if isinstance(value, str) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _snapshots_copy(rows: list[dict], computed_at: datetime) -> None:
    stamp = computed_at.isoformat()
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join((
            str(row["target_id"]), row["as_of"].isoformat(), stamp, _copy_text(row["attained"]),
            row["attained_qualifier"], _copy_text(row["data_date"]), _copy_text(row["baseline_known"]),
            _copy_text(row["progress"]), _copy_text(row["expected"]), _copy_text(row["ratio"]), row["method"],
            row["status"], _copy_text(row["forecast_value"]), _copy_text(row["forecast_reach_date"]),
            _copy_text(row["data_age_days"]), _copy_text(row["is_data_stale"]), _copy_text(row["has_synthetic"]),
            "f", _copy_text(orjson.dumps(row["inputs"]).decode()),
        )))
        write("\n")
    buffer.seek(0)
    columns = ", ".join(SNAPSHOT_FIELDS)
    updates = ", ".join(f"{field} = EXCLUDED.{field}" for field in SNAPSHOT_UPDATE_FIELDS)
    table = Snapshot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE snapshot_incoming ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.cursor.copy_expert(f"COPY snapshot_incoming ({columns}) FROM STDIN", buffer)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM snapshot_incoming "
            f"ON CONFLICT (target_id, as_of) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE snapshot_incoming")


def _copy_into(table: str, columns: list[str], lines) -> None:
    """Rows (lines in COPY's text format) appended to a table with one COPY."""
    buffer = io.StringIO()
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def stored_snapshots(*, target_ids: list[int], dates: list[date]) -> Judged:
    """The status and progress of these targets' stored snapshots on these dates (the other
    targets of a plan, for its roll-ups): one query. On PostgreSQL it is a COPY of numbers
    (the date as days since 1970) parsed by pandas: a tenth of the time of fetching 100,000
    rows one by one."""
    if not target_ids or not dates:
        return Judged.of_rows([])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            query = cursor.mogrify(
                f"SELECT target_id, as_of - DATE '1970-01-01', status, progress FROM {Snapshot._meta.db_table} "
                "WHERE target_id = ANY(%s) AND as_of BETWEEN %s AND %s",
                [list(target_ids), min(dates), max(dates)],
            ).decode()
            buffer = io.StringIO()
            cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT", buffer)
        buffer.seek(0)
        frame = pd.read_csv(buffer, sep="\t", header=None, names=["target_id", "day", "status", "progress"],
                            na_values=["\\N"], keep_default_na=False, dtype={"status": str})
        return Judged(
            target_id=frame["target_id"].to_numpy(np.int64), day=frame["day"].to_numpy(np.int64),
            status=frame["status"].map(STATUS_CODE).to_numpy(np.int64),
            progress=frame["progress"].to_numpy(np.float64),
        )
    stored = Snapshot.objects.filter(target_id__in=target_ids, as_of__in=dates).order_by().values_list(
        "target_id", Cast("as_of", CharField()), "status", "progress"
    )
    with connection.cursor() as cursor:
        cursor.execute(*stored.query.sql_with_params())
        found = cursor.fetchall()
    if not found:
        return Judged.of_rows([])
    ids, days, statuses, progress = zip(*found, strict=True)
    return Judged(
        target_id=np.array(ids, dtype=np.int64),
        day=np.array(days, dtype="datetime64[D]").astype(np.int64),
        status=np.array([STATUS_CODE[status] for status in statuses], dtype=np.int64),
        progress=np.array(progress, dtype=np.float64),  # None becomes NaN
    )


ROLLUP_FIELDS = [
    "plan_id", "objective_id", "as_of", "computed_at", "mean_capped_progress", "target_count", "progress_count",
    "status_counts",
]


def rollups_write(*, targets: list[dict], computed: list[dict], dates_of: dict[int, list[date]],
                  others: Judged | None, computed_at: datetime) -> int:
    """Replaces the plans' roll-ups on their dates, from the rows just computed and (when
    only some targets were) the others' stored snapshots."""
    judged = Judged.of_rows(computed)
    if others is not None:
        judged = judged + others
    rollups = []
    for plan_id, dates in dates_of.items():
        plan_targets = [t for t in targets if t["plan_id"] == plan_id]
        rollups += rollups_compute(targets=plan_targets, snapshots=judged, dates=dates)
    for plan_id, dates in dates_of.items():
        Rollup.objects.filter(plan_id=plan_id, as_of__in=dates).delete()
    if connection.vendor == "postgresql":
        stamp = computed_at.isoformat()
        lines = (
            "\t".join((
                str(row["plan_id"]), _copy_text(row["objective_id"]), row["as_of"].isoformat(), stamp,
                _copy_text(row["mean_capped_progress"]), str(row["target_count"]), str(row["progress_count"]),
                _copy_text(orjson.dumps(row["status_counts"]).decode()),
            ))
            for row in rollups
        )
        _copy_into(Rollup._meta.db_table, ROLLUP_FIELDS, lines)
    else:
        Rollup.objects.bulk_create([Rollup(computed_at=computed_at, **row) for row in rollups], batch_size=5000)
    return len(rollups)


def calendar_write(dates_of: dict[int, list[date]]) -> None:
    """Adds these dates to the plans' calendars (the dates their pages offer)."""
    SnapshotDate.objects.bulk_create(
        [SnapshotDate(plan_id=plan_id, as_of=day) for plan_id, dates in dates_of.items() for day in dates],
        ignore_conflicts=True,
    )


def versions_bump(plan_ids: Iterable[int]) -> None:
    """A new data version for these plans: their cached pages and ETags are stale. Called in
    the transaction of the change, so the new version is seen exactly when the change is."""
    Plan.objects.filter(id__in=list(plan_ids)).update(data_version=F("data_version") + 1, data_changed_at=Now())
