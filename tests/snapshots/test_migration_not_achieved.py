"""snapshots 0002 renames the final verdict's stored code "missed" to "not_achieved" (issue 18)
in the snapshots and the roll-ups' counts, and back."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from snapshots.models import Rollup, Snapshot
from tests.factories import TargetFactory

BEFORE, AFTER = [("snapshots", "0001_initial")], [("snapshots", "0002_status_not_achieved")]


def migrate(to):
    executor = MigrationExecutor(connection)
    executor.migrate(to)
    return executor.loader.project_state(to).apps


@pytest.mark.django_db(transaction=True)
def test_stored_missed_verdicts_become_not_achieved_and_back():
    target = TargetFactory()
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    try:
        old = migrate(BEFORE)
        old.get_model("snapshots", "Snapshot").objects.create(
            target_id=target.pk, as_of=dt.date(2024, 1, 1), computed_at=now, status="missed")
        old.get_model("snapshots", "Rollup").objects.create(
            plan_id=target.plan_id, as_of=dt.date(2024, 1, 1), computed_at=now, target_count=3,
            status_counts={"missed": 2, "achieved": 1})

        migrate(AFTER)

        assert list(Snapshot.objects.values_list("status", flat=True)) == ["not_achieved"]
        assert Rollup.objects.get().status_counts == {"not_achieved": 2, "achieved": 1}
        migrate(BEFORE)
        assert list(Snapshot.objects.values_list("status", flat=True)) == ["missed"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
