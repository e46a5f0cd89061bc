"""Measures: validation, dated updates, and importing the official list over the placeholders."""

import datetime as dt

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures import services
from measures.models import Measure, MeasureUpdate
from measures.resources import MeasureResource
from tests.admin_forms import admin_form_data
from tests.factories import MeasureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _dataset(rows):
    headers = ["plan", "area", "number", "title_zh", "title_en", "lead_agency", "status"]
    return tablib.Dataset(*rows, headers=headers)


def test_importing_the_official_list_replaces_placeholders_in_place(hangzhou_plan):
    placeholder = Measure.objects.get(number=1)
    result = MeasureResource().import_data(
        _dataset([["hz-ai-zone-2020", 1, 1, "加强基础理论研究", "Strengthen fundamental research", "Science bureau", "in_progress"]]),
        dry_run=False,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    measure = Measure.objects.get(number=1)
    assert measure.pk == placeholder.pk
    # A status comes only from a dated update with its evidence: the list's column is ignored.
    assert (measure.title_en, measure.status, measure.is_provisional) == (
        "Strengthen fundamental research", "not_reported", False)
    assert Measure.objects.count() == 35


def test_an_import_with_one_bad_row_writes_nothing(hangzhou_plan):
    before = list(Measure.objects.order_by("pk").values_list("title_en", "status"))
    result = MeasureResource().import_data(
        _dataset([
            ["hz-ai-zone-2020", 1, 1, "好", "Good row", "", "in_progress"],
            ["hz-ai-zone-2020", 9, 2, "坏", "Area 9 does not exist", "", "in_progress"],
        ]),
        dry_run=False,
    )
    assert result.has_validation_errors()
    assert "No work area" in str(result.invalid_rows[0].error_dict)
    assert list(Measure.objects.order_by("pk").values_list("title_en", "status")) == before


def test_the_admin_import_page_opens(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    assert client.get(reverse("admin:measures_measure_import")).status_code == 200
    export = client.post(reverse("admin:measures_measure_export"), {"format": "0", "export_items": []})
    assert export.status_code in (200, 302)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start_date": dt.date(2021, 1, 1), "due_date": dt.date(2020, 1, 1)}, "due_date"),
    ],
)
def test_inconsistent_measure_dates_are_refused(fields, field):
    measure = MeasureFactory()
    for name, value in fields.items():
        setattr(measure, name, value)
    with pytest.raises(ValidationError) as caught:
        services.measure_save(measure=measure)
    assert field in caught.value.message_dict
    measure.refresh_from_db()
    assert (measure.start_date, measure.due_date) == (None, None)


def test_a_measure_number_is_unique_within_its_plan(hangzhou_plan):
    other_area = Measure.objects.get(number=6).area
    clash = Measure(area=other_area, number=1, title_zh="重复", title_en="Duplicate")
    with pytest.raises(ValidationError, match="already exists"):
        services.measure_save(measure=clash)
    assert Measure.objects.filter(number=1).count() == 1


def test_a_measure_without_an_update_is_not_reported_and_a_direct_status_is_ignored():
    """No evidence, no judgement: the status follows the dated updates only."""
    measure = MeasureFactory()
    assert measure.status == "not_reported"

    measure.status = "completed"
    services.measure_save(measure=measure)

    measure.refresh_from_db()
    assert (measure.status, measure.completed_on) == ("not_reported", None)


def test_an_update_with_a_status_moves_the_measure():
    measure = MeasureFactory(area__plan__baseline_date=dt.date(2019, 12, 31))
    services.measure_update_create(measure=measure, date=dt.date(2021, 3, 1), note="Begun", status="in_progress")
    services.measure_update_create(measure=measure, date=dt.date(2022, 3, 1), note="Done", status="completed")
    measure.refresh_from_db()
    assert (measure.status, measure.completed_on) == ("completed", dt.date(2022, 3, 1))
    # An older update entered later does not override the newest status.
    services.measure_update_create(measure=measure, date=dt.date(2020, 6, 1), note="Back-filled", status="not_started")
    measure.refresh_from_db()
    assert measure.status == "completed"


def test_an_update_outside_the_plan_period_is_refused():
    measure = MeasureFactory()
    with pytest.raises(ValidationError) as caught:
        services.measure_update_create(measure=measure, date=dt.date(2015, 1, 1), note="Too early")
    assert "date" in caught.value.message_dict
    assert not MeasureUpdate.objects.exists()


# --- the area roll-ups follow every change ---------------------------------------------

def _counts_on(area, day):
    from measures.models import AreaRollup

    return AreaRollup.objects.get(area=area, as_of=day).status_counts


@pytest.fixture
def plan_with_a_snapshot_date(hangzhou_plan):
    """The real plan computed on one date, as `make run` leaves it (snapshots and area roll-ups)."""
    from django.core.management import call_command

    call_command("recompute_snapshots", "--as-of", "2026-11-27", verbosity=0)
    return hangzhou_plan


def test_an_update_that_completes_a_measure_refreshes_the_counts_beside_the_list(client, plan_with_a_snapshot_date):
    day = dt.date(2026, 11, 27)
    measure = Measure.objects.get(number=1)
    assert _counts_on(measure.area, day) == {"not_reported": 5}

    services.measure_update_create(measure=measure, date=dt.date(2023, 6, 30), note="Done", status="completed")

    assert _counts_on(measure.area, day) == {"completed": 1, "not_reported": 4}
    page = client.get("/plans/hz-ai-zone-2020/measures/", {"as_of": day.isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["areas"][0].status_counts == {"completed": 1, "not_reported": 4}


def test_changing_or_deleting_measures_and_updates_refreshes_the_counts(plan_with_a_snapshot_date):
    day = dt.date(2026, 11, 27)
    measure = Measure.objects.get(number=2)
    update = services.measure_update_create(measure=measure, date=dt.date(2022, 6, 30), note="Started",
                                            status="in_progress")
    assert _counts_on(measure.area, day) == {"in_progress": 1, "not_reported": 4}

    services.measure_update_delete(update=update)
    assert _counts_on(measure.area, day) == {"not_reported": 5}
    services.measure_update_create(measure=measure, date=dt.date(2023, 6, 30), note="Late", status="delayed")
    assert _counts_on(measure.area, day) == {"delayed": 1, "not_reported": 4}

    services.measure_delete(measure=Measure.objects.get(pk=measure.pk))
    assert _counts_on(measure.area, day) == {"not_reported": 4}


def test_the_admin_shows_the_status_but_does_not_take_it(client, zone_admin, plan_with_a_snapshot_date):
    """The status is read-only in the admin: a hand-made POST carrying one changes nothing."""
    day = dt.date(2026, 11, 27)
    first = Measure.objects.get(number=1)
    client.force_login(zone_admin)
    url = reverse("admin:measures_measure_change", args=[first.pk])
    data = {**admin_form_data(client.get(url)), "status": "completed"}

    response = client.post(url, data)

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "not_reported"
    assert _counts_on(first.area, day) == {"not_reported": 5}


def test_saving_a_progress_figure_leaves_the_measures_roll_ups_alone(plan_with_a_snapshot_date):
    from measures.models import AreaRollup
    from targets.models import Target
    from targets.services import observation_create

    before = list(AreaRollup.objects.order_by("pk").values_list("pk", "computed_at"))
    observation_create(indicator=Target.objects.get(code="core-invention-patents").indicator,
                       period_end=dt.date(2021, 12, 31), value=120, source_title="Science and technology bureau")

    assert list(AreaRollup.objects.order_by("pk").values_list("pk", "computed_at")) == before
