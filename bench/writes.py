"""Concurrent write benchmark on PostgreSQL (run by `make bench-writes`): saves against the recompute.

Builds two small synthetic plans whose targets share their indicators (a figure serves both
plans, so a save asks for recomputes in two plans) in a throwaway database, then for
BENCH_WRITES_SECONDS (60) runs at once:

- BENCH_WRITES_SAVERS (4) threads saving figures through the services, as the API and the
  admin do (each one approved, so each asks for its targets' recompute, which then runs in
  the same thread after the commit, as tasks do without a broker);
- one thread recomputing a whole plan after another (the plan task, the nightly run's work);
- one thread approving a pending figure on two indicators at once (a set's approval).

It counts the deadlocks PostgreSQL detected in the database (pg_stat_database) over the run,
and the writes that failed on a conflict, and prints

    concurrent writes: N deadlocks in 60 s
    concurrent writes: N saves, N conflicts retried, N writes failed

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_writes; the
database is created if missing and emptied on every run (it refuses to run on a database that
holds any other plan).
"""

import os
import random
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hangzhou_ai_zone_writes"
os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
os.environ["CELERY_BROKER_URL"] = ""  # the recompute runs after each save, in the saver's thread
os.environ.setdefault("LOG_LEVEL", "ERROR")

import recompute as engine_bench  # noqa: E402  (the engine benchmark's database helpers)

SECONDS = int(os.environ.get("BENCH_WRITES_SECONDS", "60"))
SAVERS = int(os.environ.get("BENCH_WRITES_SAVERS", "4"))
TARGETS = 40


def plans_build() -> tuple[list[int], list[int]]:
    """Two plans, the second with a target on each of the first's indicators; their history."""
    from django.utils import timezone

    from snapshots.services import history_rebuild
    from targets.models import Indicator, Objective, Plan, Target

    first = engine_bench.plan_build("writes-a", targets=TARGETS, figures="sparse")
    second = engine_bench.plan_build("writes-b", targets=0, figures="sparse")
    objective = Objective.objects.filter(plan_id=second).first() or Objective.objects.create(
        plan_id=second, number=1, title_zh="目标", title_en="Objective")
    indicators = list(Indicator.objects.filter(targets__plan_id=first).order_by("id"))
    Target.objects.bulk_create(
        Target(plan_id=second, objective=objective, indicator=indicator, code=f"writes-b-{n}", name_zh=f"指标 {n}",
               name_en=f"Target {n}", target_value=Decimal(5_000), baseline_value=Decimal(0),
               baseline_date=engine_bench.BASELINE)
        for n, indicator in enumerate(indicators)
    )
    history_rebuild(until=timezone.localdate())  # today in the zone's time zone
    return [plan.pk for plan in Plan.objects.order_by("id")], [indicator.pk for indicator in indicators]


def deadlocks() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def main() -> None:
    engine_bench.database_ensure(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from snapshots.services import plan_snapshots_refresh
    from targets.models import Indicator, Observation
    from targets.services import observation_approve, observation_save

    call_command("migrate", verbosity=0)
    engine_bench.database_empty()
    plan_ids, indicator_ids = plans_build()
    engine_bench.analyse()

    counts: Counter = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def outcome(name: str) -> None:
        with lock:
            counts[name] += 1

    def failed(error: Exception) -> None:
        outcome("failed")
        with lock:
            counts[f"failed: {type(error).__name__}: {str(error).strip().splitlines()[0][:80]}"] += 1

    def saver(seed: int) -> None:
        pick = random.Random(seed)
        try:
            while not stop.is_set():
                indicator = Indicator.objects.get(pk=pick.choice(indicator_ids))
                period_end = engine_bench.month_end(12 * pick.randint(1, 6))
                observation = (Observation.objects.filter(indicator=indicator, period_end=period_end,
                                                          status=Observation.Status.APPROVED).first()
                               or Observation(indicator=indicator, period_end=period_end,
                                              source_title="Benchmark figure", is_synthetic=True))
                observation.value = Decimal(pick.randint(1, 900))
                try:
                    observation_save(observation=observation)
                    outcome("saves")
                except Exception as error:  # a deadlock, or the conflict answered after the retry
                    failed(error)
        finally:
            connections.close_all()

    def recomputer() -> None:
        try:
            while not stop.is_set():
                for plan_id in plan_ids:
                    try:
                        plan_snapshots_refresh(plan_id=plan_id)
                        outcome("plan recomputes")
                    except Exception as error:
                        failed(error)
        finally:
            connections.close_all()

    def approver(seed: int) -> None:
        """Two pending figures approved in one transaction, as a set's approval does."""
        from django.core.exceptions import ValidationError
        from django.db import transaction

        pick = random.Random(seed)
        try:
            while not stop.is_set():
                chosen = pick.sample(indicator_ids, 2)
                period_end = engine_bench.month_end(12 * pick.randint(1, 6))
                try:
                    with transaction.atomic():
                        pending = [
                            observation_save(observation=Observation(
                                indicator_id=indicator_id, period_end=period_end, value=Decimal(pick.randint(1, 900)),
                                source_title="Benchmark proposal", is_synthetic=True,
                            ), status=Observation.Status.SUBMITTED)
                            for indicator_id in chosen
                        ]
                    with transaction.atomic():
                        for observation in pending:
                            observation_approve(observation=observation, user=None, reason="benchmark")
                    outcome("approvals")
                except ValidationError:
                    outcome("refused")
                except Exception as error:
                    failed(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=saver, args=(n,)) for n in range(SAVERS)]
    threads += [threading.Thread(target=recomputer), threading.Thread(target=approver, args=(99,))]
    before = deadlocks()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    time.sleep(1.5)  # the statistics reach pg_stat_database within a second of each transaction
    found = deadlocks() - before
    retried = _retried()
    for name, count in sorted(counts.items()):
        if name.startswith("failed: "):
            print(f"  {count} x {name}")
    print(f"concurrent writes: {found} deadlocks in {SECONDS} s")
    print(f"concurrent writes: {counts['saves']} saves, {counts['approvals']} approvals, "
          f"{counts['plan recomputes']} plan recomputes, {retried} conflicts retried, {counts['failed']} writes failed "
          f"({elapsed:.0f} s, load {os.getloadavg()[0]:.1f})")


def _retried() -> int:
    try:
        from edge import transactions
    except ImportError:
        return 0
    return transactions.RETRIED.value


if __name__ == "__main__":
    main()
