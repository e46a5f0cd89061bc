"""The engine's write path and its column-wise number helpers (issue 17: the engine made faster
without changing what it stores)."""

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from snapshots.models import Snapshot
from snapshots.services import snapshots_compute_and_store, store
from targets.progress.numbers import rounded, rounded_all, to_decimal, to_decimals
from tests.factories import ObservationFactory, TargetFactory

AS_OF = dt.date(2021, 12, 31)


@pytest.mark.django_db
def test_it_stores_inputs_with_every_character_copy_escapes_as_they_were():
    target = TargetFactory()
    ObservationFactory(target=target, period_end=dt.date(2021, 6, 30), value=Decimal("12.5"))
    snapshots_compute_and_store(dates_of={target.objective.plan_id: [AS_OF]})
    fields = [field for field in store.SNAPSHOT_FIELDS[3:] if field != "is_outdated"]  # as the engine's rows
    row = dict(Snapshot.objects.filter(target=target, as_of=AS_OF).values(*fields).get())
    row.update(target_id=target.pk, as_of=AS_OF)
    odd = 'back\\slash\ttab\nline\rreturn "quoted" \\N 中文 é'
    row["inputs"] = {**row["inputs"], "notes": [odd], "other_scope": {"note": odd}}

    store.snapshots_write([row], computed_at=timezone.now())

    stored = Snapshot.objects.get(target=target, as_of=AS_OF)
    assert stored.inputs == row["inputs"]
    assert stored.attained == row["attained"]
    assert stored.is_outdated is False
    assert Snapshot.objects.filter(target=target).count() == 1


@pytest.mark.django_db
def test_it_stores_nulls_and_flags_of_a_row_without_data():
    target = TargetFactory()
    snapshots_compute_and_store(dates_of={target.objective.plan_id: [AS_OF]})

    stored = Snapshot.objects.get(target=target, as_of=AS_OF)
    assert (stored.attained, stored.data_date, stored.progress, stored.forecast_value, stored.data_age_days) == (
        None, None, None, None, None)
    assert stored.is_data_stale is False
    assert stored.status == "no_data"


def test_rounded_all_rounds_each_value_as_rounded_does_and_keeps_negative_zero_apart():
    values = np.array([0.1 + 0.2, -0.0, 0.0, 2.675, np.nan, np.inf, 1 / 3, 1 / 3, -1e-13])

    result = rounded_all(values, 12)

    assert result == [rounded(value, 12) for value in values.tolist()]
    assert math.copysign(1, result[1]) == -1
    assert math.copysign(1, result[2]) == 1


def test_to_decimals_converts_each_value_as_to_decimal_does():
    values = np.array([1157.69, 2.00005, -0.0, np.nan, 1e15 + 0.25, 2.00005])

    result = to_decimals(values)

    assert result == [to_decimal(value) for value in values.tolist()]
    assert [str(value) for value in result] == [str(to_decimal(value)) for value in values.tolist()]
