"""The recompute's context query (the figures of another definition than their indicator's,
`snapshots.services.store._other_scope_figures`) reads an index of the few figures with a scope
of their own, not every figure. PostgreSQL only: the plan is PostgreSQL's, from its
statistics of a table of realistic size."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from snapshots.services import store
from targets.models import Observation
from tests.factories import IndicatorFactory, TargetFactory

pytestmark = pytest.mark.django_db

FIGURES_PER_INDICATOR = 1000


def _figures(indicator, count: int, scope: str = "") -> list[Observation]:
    first = dt.date(1900, 1, 31)
    return [
        Observation(indicator=indicator, period_end=first + dt.timedelta(days=31 * n), value=Decimal(n),
                    source_title="Bureau statistics", scope=scope)
        for n in range(count)
    ]


def _context_query_plan(plan_id: int) -> str:
    with CaptureQueriesContext(connection) as captured:
        store.engine_targets(plan_ids=[plan_id])
    context = [query["sql"] for query in captured.captured_queries
               if 'FROM "targets_observation"' in query["sql"] and '"scope"' in query["sql"]]
    assert len(context) == 1, captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + context[0])
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("other_scope_figures", [0, 3])
def test_it_reads_the_context_figures_from_the_index_not_a_scan(other_scope_figures):
    if connection.vendor != "postgresql":
        pytest.skip("the plan asserted is PostgreSQL's")
    targets = [TargetFactory() for _ in range(20)]
    plan = targets[0].plan
    for target in targets[1:]:
        target.objective, target.plan = targets[0].objective, plan
        target.save(update_fields=["objective", "plan"])
    # 20,000 figures of their indicator's own definition, and a few of another.
    Observation.objects.bulk_create(
        [figure for target in targets for figure in _figures(target.indicator, FIGURES_PER_INDICATOR)],
        batch_size=5000)
    Observation.objects.bulk_create(
        _figures(IndicatorFactory(), other_scope_figures, scope="above-designated-size")
        + [Observation(indicator=targets[0].indicator, period_end=dt.date(2100, 12, 31), value=Decimal(1),
                       source_title="Bureau statistics", scope="above-designated-size")][:other_scope_figures])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE targets_observation")

    plan_text = _context_query_plan(plan.pk)

    assert "observation_own_scope" in plan_text, plan_text
    assert "Seq Scan on targets_observation" not in plan_text, plan_text


def test_it_still_finds_the_figures_of_another_definition():
    target = TargetFactory()
    Observation.objects.bulk_create(_figures(target.indicator, 3) + [
        Observation(indicator=target.indicator, period_end=dt.date(2100, 12, 31), value=Decimal("7.5"),
                    source_title="Bureau statistics", scope="above-designated-size"),
    ])

    [row] = store.engine_targets(plan_ids=[target.plan_id])

    assert row["other_scope"] == [{"period_end": "2100-12-31", "value": "7.5", "qualifier": "exact",
                                   "scope": "above-designated-size", "note": ""}]
