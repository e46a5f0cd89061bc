"""The progress engine's reads and writes: the rows it computes from, and the snapshots,
roll-ups and calendar it stores. The plan locks they take first and the plans' data versions
are the core's (`targets.services.locks`): the core's writes take and bump them too.

Every read is one query, whatever the number of targets and dates (tests pin the counts),
and the rows are fetched raw: Django's per-row converters cost more than the query for
100,000 figures. Snapshots are written in bulk — with COPY into a temporary table and one
upsert on PostgreSQL, with `bulk_create(update_conflicts=True)` on SQLite — and their inputs
are serialised once, by orjson, on their way in. Computation lives in `targets.progress`.
"""

from __future__ import annotations

import gc
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import numpy as np
import orjson
import pandas as pd
from django.db import connection
from django.db.models import CharField, Count, F, FloatField, Q, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from snapshots.models import Rollup, Snapshot, SnapshotDate
from targets import progress, terms
from targets.models import Observation, Target, TargetItem
from targets.progress.figures import figures_of_rows
from targets.progress.rollups import STATUS_CODE, Judged, rollups_compute, rollups_shift

# Written by the engine, in this order (COPY's column list and the upsert's).
SNAPSHOT_FIELDS = [
    "target_id", "as_of", "computed_at", "attained", "attained_qualifier", "data_date", "baseline_known",
    "progress", "expected", "ratio", "method", "status", "confidence", "forecast_value", "forecast_reach_date",
    "data_age_days", "is_data_stale", "has_synthetic", "is_outdated", "inputs",
]
SNAPSHOT_UPDATE_FIELDS = SNAPSHOT_FIELDS[2:]
# Bytes COPY reads at a time.
COPY_CHUNK = 1 << 16


def engine_targets(*, plan_ids: Iterable[int], target_ids: Iterable[int] | None = None) -> list[dict]:
    """Every target of these plans (or only `target_ids` of them) with its indicator's terms and
    its plan's dates and thresholds (one query), and the figures of another definition on its
    indicator, as context (one more)."""
    found = Target.objects.filter(objective__plan_id__in=list(plan_ids))
    if target_ids is not None:
        found = found.filter(id__in=list(target_ids))
    rows = list(found.order_by("id").values(
        "id", "objective_id", "objective__plan_id", "kind", "target_value", "target_date", "baseline_value",
        "baseline_date", "baseline_scope", "scope", "direction", "indicator_id", "indicator__kind",
        "indicator__scope", "indicator__reporting_period", "objective__plan__target_date",
        "objective__plan__on_track_threshold", "objective__plan__acceleration_threshold",
    ))
    other_scope = _other_scope_figures(rows)
    return [
        {
            "id": row["id"], "objective_id": row["objective_id"], "plan_id": row["objective__plan_id"],
            "kind": row["kind"], "target_value": row["target_value"], "baseline_value": row["baseline_value"],
            "baseline_date": row["baseline_date"], "direction": row["direction"],
            "aggregation": terms.aggregation(row["indicator__kind"]),
            "target_date": terms.due_date(row["target_date"], row["objective__plan__target_date"]),
            "period_days": terms.period_days(row["indicator__reporting_period"]),
            "baseline_comparable": terms.baseline_comparable(
                row["baseline_scope"], terms.effective_scope(row["scope"], row["indicator__scope"])),
            "other_scope": other_scope.get(row["id"], []),
            "on_track_threshold": row["objective__plan__on_track_threshold"],
            "acceleration_threshold": row["objective__plan__acceleration_threshold"],
        }
        for row in rows
    ]


def _other_scope_figures(rows: Sequence[Mapping[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """For each target, its indicator's figures of another definition (scope), in date order:
    shown as context beside a status, never part of it."""
    scope_of = {row["id"]: (row["indicator_id"], terms.effective_scope(row["scope"], row["indicator__scope"]))
                for row in rows if row["indicator_id"]}
    indicators = {indicator_id for indicator_id, _ in scope_of.values()}
    found: dict[int, list[dict]] = defaultdict(list)
    if not indicators:
        return found
    # Only the figures that can be of another definition for some target, chosen in SQL: of a
    # scope of their own that is not their indicator's, or on an indicator that a target reads
    # in a scope of its own. Reading every figure here cost more than the whole engine.
    own_scope = {row["indicator_id"] for row in rows if row["indicator_id"]
                 and terms.effective_scope(row["scope"], row["indicator__scope"]) != (row["indicator__scope"] or "")}
    figures = Observation.objects.filter(
        Q(indicator_id__in=own_scope) | (~Q(scope="") & ~Q(scope=F("indicator__scope"))),
        indicator_id__in=indicators, status=Observation.Status.APPROVED,
    ).order_by("period_end").values(
        "indicator_id", "indicator__scope", "scope", "period_end", "value", "qualifier", "definition_note",
    )
    by_indicator: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in figures:
        by_indicator[row["indicator_id"]].append(row)
    for target_id, (indicator_id, scope) in scope_of.items():
        for figure in by_indicator.get(indicator_id, []):
            figure_scope = terms.effective_scope(figure["scope"], figure["indicator__scope"])
            if figure_scope != scope:
                found[target_id].append({
                    "period_end": figure["period_end"].isoformat(), "value": format(figure["value"].normalize(), "f"),
                    "qualifier": figure["qualifier"], "scope": figure_scope, "note": figure["definition_note"],
                })
    return found


def _figure_rows(*, target_ids: list[int], until: date) -> list[tuple]:
    """These targets' approved figures of their own definition dated up to `until`: one row per
    target and figure, (target id, period end as ISO text, value as float, qualifier,
    is_synthetic, confidence, observation id). One query, fetched raw."""
    figure_scope = Coalesce(NullIf("indicator__observations__scope", Value("")), "indicator__scope")
    target_scope = Coalesce(NullIf("scope", Value("")), "indicator__scope")
    # One filter() call, so that the period and the status test the same joined row.
    figures = (
        Target.objects.filter(id__in=target_ids, indicator__observations__period_end__lte=until,
                              indicator__observations__status=Observation.Status.APPROVED)
        .alias(figure_scope=figure_scope, target_scope=target_scope)
        .filter(figure_scope=F("target_scope"))
        .order_by()
        .values_list(
            "id", Cast("indicator__observations__period_end", CharField()),
            Cast("indicator__observations__value", FloatField()), "indicator__observations__qualifier",
            "indicator__observations__is_synthetic", "indicator__observations__confidence",
            "indicator__observations__id",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(*figures.query.sql_with_params())
        return cursor.fetchall()


def engine_figures(*, target_ids: list[int], until: date) -> progress.figures.Figures:
    """These targets' approved figures of their own definition dated up to `until`, as the
    engine's columns, one row per target and figure (an indicator's figure serves every target
    on it), with their current values: one query. Values as floats (the computation is
    float64), dates as ISO text (parsed in one vectorised call instead of 100,000 date
    objects)."""
    return figures_of_rows(_figure_rows(target_ids=target_ids, until=until))


@contextmanager
def collector_paused():
    """Python's cycle collector off while the engine reads and computes: it builds a million
    short-lived objects (the figure rows, their columns, the snapshot rows), and the collector,
    run every few hundred allocations, scanned every live object again and again — more time
    than the computing. Nothing the engine builds is a cycle; the collector runs as before
    afterwards (left on if another thread turned it back on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@collector_paused()
def engine_history(*, targets: list[dict], dates_of: dict[int, list[date]],
                   item_statuses: dict[int, list[list[tuple]]]) -> list[dict]:
    """The engine's rows for these targets (engine_targets' dicts) on their plans' dates, each
    date computed from the figures **as known on that date**: the one place where revisions
    enter the snapshots.

    A figure revised after a date D (an `ObservationRevision` made on a later day, in the
    zone's time) counts on D with the value it had then — the `previous_value` of its first
    revision after D — so a snapshot before a revision keeps the value that was known when it
    was taken; on and after the revision day the current value counts. Dates between two
    revision days share one set of figures: the engine runs once per such stretch (once in
    all when nothing was revised). Two queries whatever the number of targets and dates.
    """
    from django.utils.timezone import localdate

    all_dates = sorted({day for dates in dates_of.values() for day in dates})
    if not targets or not all_dates:
        return []
    target_ids = [t["id"] for t in targets]
    rows = _figure_rows(target_ids=target_ids, until=all_dates[-1])
    # Revisions after the first date matter (one made by then is known on every date).
    revisions: dict[int, list[tuple[date, float, str]]] = defaultdict(list)
    for observation_id, revised_at, previous_value, previous_qualifier in _figure_revisions(
        target_ids=target_ids, since=all_dates[0]
    ):
        day = localdate(revised_at)
        if day > all_dates[0]:
            revisions[observation_id].append((day, float(previous_value), previous_qualifier))
    revision_days = sorted({day for changes in revisions.values() for day, _value, _qualifier in changes})
    # Dates grouped by how many revision days they have seen: each group knows the same figures.
    stretches: dict[int, list[date]] = defaultdict(list)
    for day in all_dates:
        stretches[sum(1 for revised in revision_days if revised <= day)].append(day)
    computed = []
    for stretch_dates in stretches.values():
        first = stretch_dates[0]
        figures = figures_of_rows(
            rows if not revisions else [_known_on(row, revisions.get(row[6]), first) for row in rows]
        )
        in_stretch = set(stretch_dates)
        for plan_id, dates in dates_of.items():
            plan_dates = sorted(in_stretch.intersection(dates))
            if plan_dates:
                computed += progress.history_compute(
                    targets=[t for t in targets if t["plan_id"] == plan_id], entries=figures,
                    item_statuses=item_statuses, dates=plan_dates,
                )
    return computed


def _figure_revisions(*, target_ids: list[int], since: date) -> list[tuple]:
    """The revisions of these targets' approved figures made on or after `since`, in order:
    (observation id, revised at, previous value, previous qualifier). One query."""
    from django.utils.timezone import make_aware

    from targets.models import ObservationRevision

    return list(
        ObservationRevision.objects.filter(
            observation__indicator__targets__id__in=target_ids,
            observation__status=Observation.Status.APPROVED,
            revised_at__gte=make_aware(datetime.combine(since, datetime.min.time())),
        )
        .order_by("revised_at", "id").distinct()
        .values_list("observation_id", "revised_at", "previous_value", "previous_qualifier")
    )


def _known_on(row: tuple, changes: list[tuple] | None, day: date) -> tuple:
    """A figure row as known on `day`: the first revision made after it gives the value then."""
    later = next((change for change in changes if change[0] > day), None) if changes else None
    return row[:6] if later is None else (row[0], row[1], later[1], later[2], row[4], row[5])


def engine_items(*, target_ids: list[int]) -> dict[int, list[list[tuple]]]:
    """The named items of these targets (the qualitative ones), each with its dated updates in
    date order: one query."""
    items: dict[int, dict[int, list[tuple]]] = defaultdict(dict)
    rows = (
        TargetItem.objects.filter(target_id__in=target_ids, target__kind=Target.Kind.QUALITATIVE)
        .order_by("target_id", "order", "code", "updates__date", "updates__id")
        .values_list("target_id", "id", "updates__date", "updates__status")
    )
    for target_id, item_id, day, status in rows:
        updates = items[target_id].setdefault(item_id, [])
        if day is not None:
            updates.append((day, status))
    return {target_id: list(by_item.values()) for target_id, by_item in items.items()}


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


def _copy_json(value: Any) -> bytes:
    """A JSON value in COPY's text format, as bytes: orjson escapes every control character
    inside strings, so only its backslashes need escaping again."""
    text = orjson.dumps(value)
    return text.replace(b"\\", b"\\\\") if b"\\" in text else text


class _LinesFile:
    """A file that COPY reads from, made of lines produced as it reads: a history's 100,000
    lines (150 MB) are never held at once, which cost more than making them."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)

    def read(self, size: int = -1) -> bytes:
        """About `size` bytes (whole lines; more is allowed: psycopg2 sends what it gets); b"" at the end."""
        chunk, length = [], 0
        for line in self._lines:
            chunk.append(line)
            length += len(line)
            if 0 < size <= length:
                break
        return b"".join(chunk)


def _snapshot_lines(rows: list[dict], computed_at: datetime) -> Iterator[bytes]:
    """The rows in COPY's text format, in SNAPSHOT_FIELDS order. Each line is one f-string
    from the fields' known types (NULL is \\N, a bool t or f; the codes and numbers need no
    escaping) and the inputs as orjson's bytes: a call per field cost more than the JSON."""
    stamp = computed_at.isoformat()
    null = r"\N"
    iso: dict[date | None, str] = {None: null}
    flag = {True: "t", False: "f"}
    for row in rows:
        as_of, data_date, reach = row["as_of"], row["data_date"], row["forecast_reach_date"]
        for day in (as_of, data_date, reach):
            if day not in iso:
                iso[day] = day.isoformat()
        attained, forecast, age = row["attained"], row["forecast_value"], row["data_age_days"]
        progress, expected, ratio = row["progress"], row["expected"], row["ratio"]
        yield (
            f"{row['target_id']}\t{iso[as_of]}\t{stamp}\t{null if attained is None else attained}\t"
            f"{row['attained_qualifier']}\t{iso[data_date]}\t{flag[row['baseline_known']]}\t"
            f"{null if progress is None else progress}\t{null if expected is None else expected}\t"
            f"{null if ratio is None else ratio}\t{row['method']}\t{row['status']}\t{row['confidence']}\t"
            f"{null if forecast is None else forecast}\t{iso[reach]}\t{null if age is None else age}\t"
            f"{flag[row['is_data_stale']]}\t{flag[row['has_synthetic']]}\tf\t"
        ).encode()
        yield _copy_json(row["inputs"])
        yield b"\n"


def _snapshots_copy(rows: list[dict], computed_at: datetime) -> None:
    columns = ", ".join(SNAPSHOT_FIELDS)
    updates = ", ".join(f"{field} = EXCLUDED.{field}" for field in SNAPSHOT_UPDATE_FIELDS)
    table = Snapshot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE snapshot_incoming ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608 (names from the model, no input)
        )
        cursor.cursor.copy_expert(f"COPY snapshot_incoming ({columns}) FROM STDIN",
                                  _LinesFile(_snapshot_lines(rows, computed_at)), size=COPY_CHUNK)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM snapshot_incoming "  # noqa: S608 (names from the model, no input)
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
                f"SELECT target_id, as_of - DATE '1970-01-01', status, progress FROM {Snapshot._meta.db_table} "  # noqa: S608 (the table's name from the model; values bound)
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


def plan_members(*, plan_ids: Iterable[int]) -> list[dict]:
    """Every target of these plans as id, objective_id and plan_id: what a roll-up groups by."""
    rows = Target.objects.filter(objective__plan_id__in=list(plan_ids)).order_by("id").values_list(
        "id", "objective_id", "objective__plan_id")
    return [{"id": id_, "objective_id": objective_id, "plan_id": plan_id} for id_, objective_id, plan_id in rows]


def rollups_shift_write(*, targets: list[dict], before: Judged, computed: list[dict],
                        dates_of: dict[int, list[date]], computed_at: datetime) -> int | None:
    """Updates the plans' roll-ups on their dates for a change of these targets only: from the
    stored roll-ups, the targets' snapshots `before` the change and the rows `computed` now
    (`progress.rollups.rollups_shift`), so a figure's save costs the same in a plan of 100
    targets as of 5,000. Three queries and a write of the roll-ups touched (the plan's and the
    targets' objectives'). Returns the rows written, or None (and writes nothing) when the
    stored roll-ups cannot be shifted: the caller then computes them from every snapshot.
    The nightly verify checks them against a computation from scratch."""
    objectives = {t["objective_id"] for t in targets}
    sizes: dict[int, dict[int | None, int]] = defaultdict(dict)
    for plan_id, objective_id, count in (
        Target.objects.filter(objective__plan_id__in=list(dates_of)).order_by()
        .values_list("objective__plan_id", "objective_id").annotate(count=Count("id"))
    ):
        sizes[plan_id][objective_id] = count
        sizes[plan_id][None] = sizes[plan_id].get(None, 0) + count
    stored = list(
        Rollup.objects.filter(Q(objective__isnull=True) | Q(objective_id__in=objectives), plan_id__in=list(dates_of),
                              as_of__in=sorted({day for dates in dates_of.values() for day in dates}))
        .values("id", "plan_id", "objective_id", "as_of", "mean_capped_progress", "target_count", "progress_count",
                "status_counts")
    )
    new = Judged.of_rows(computed)
    rollups = []
    for plan_id, dates in dates_of.items():
        changed = {t["id"]: t["objective_id"] for t in targets if t["plan_id"] == plan_id}
        if not changed:
            continue
        shifted = rollups_shift(stored=[row for row in stored if row["plan_id"] == plan_id], sizes=sizes[plan_id],
                                objective_of=changed, old=before, new=new, dates=dates)
        if shifted is None:
            return None
        rollups += shifted
    replaced = {(row["plan_id"], row["objective_id"], row["as_of"]) for row in rollups}
    Rollup.objects.filter(id__in=[row["id"] for row in stored
                                  if (row["plan_id"], row["objective_id"], row["as_of"]) in replaced]).delete()
    _rollups_insert(rollups, computed_at)
    return len(rollups)


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
    _rollups_insert(rollups, computed_at)
    return len(rollups)


def _rollups_insert(rollups: list[dict], computed_at: datetime) -> None:
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


def calendar_write(dates_of: dict[int, list[date]]) -> None:
    """Adds these dates to the plans' calendars (the dates their pages offer)."""
    SnapshotDate.objects.bulk_create(
        [SnapshotDate(plan_id=plan_id, as_of=day) for plan_id, dates in dates_of.items() for day in dates],
        ignore_conflicts=True,
    )
