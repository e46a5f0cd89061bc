"""Hand-made ids in admin forms and addresses: a field error or a 404, never a 500, and
nothing written. Run on SQLite and PostgreSQL (they failed differently: ValueError on both,
OverflowError on SQLite only)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from measures.models import Measure, MeasureUpdate
from targets.models import Observation, Target

pytestmark = [pytest.mark.django_db]

BAD_KEYS = ["NOPE-1", "abc", "1.5", "-1", "0", str(2**63), str(2**64 + 5), "1e3", " "]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.raise_request_exception = True  # a 500 fails the test with its traceback
    return client


def _rows():
    return (
        list(Observation.objects.order_by("pk").values()),
        list(MeasureUpdate.objects.order_by("pk").values()),
        list(Measure.objects.order_by("pk").values()),
        list(Target.objects.order_by("pk").values()),
    )


def _field_errors(response, field):
    assert response.status_code == 200
    return response.context["adminform"].form.errors[field]


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_bad_indicator_on_the_observation_add_form_is_a_field_error(admin_client, hangzhou_plan, bad):
    before = _rows()

    response = admin_client.post(
        reverse("admin:targets_observation_add"),
        {"indicator": bad, "period_end": "2021-12-31", "value": "1", "qualifier": "exact", "source_title": "x",
         "confidence": "high"},
    )

    assert "Select a valid choice" in " ".join(_field_errors(response, "indicator"))
    assert _rows() == before


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_bad_measure_on_the_update_add_form_is_a_field_error(admin_client, hangzhou_plan, bad):
    before = _rows()

    response = admin_client.post(
        reverse("admin:measures_measureupdate_add"), {"measure": bad, "date": "2021-06-30", "note": "Started"}
    )

    assert "Select a valid choice" in " ".join(_field_errors(response, "measure"))
    assert _rows() == before


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_bad_objective_on_the_target_add_form_is_a_field_error(admin_client, hangzhou_plan, bad):
    before = _rows()

    response = admin_client.post(reverse("admin:targets_target_add"), {
        "objective": bad, "code": "new-target", "order": "0", "name_zh": "新", "name_en": "New", "kind": "quantitative",
        "unit": "item", "target_value": "1", "direction": "at_least", "aggregation": "sum", "baseline_date": "2019-12-31",
        "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0", "entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0",
    })

    assert "Select a valid choice" in " ".join(_field_errors(response, "objective"))
    assert _rows() == before


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_bad_target_among_a_measures_targets_is_a_field_error(admin_client, hangzhou_plan, bad):
    measure = Measure.objects.get(number=1)
    served = Target.objects.get(code="industry-size")
    before = _rows()

    response = admin_client.post(reverse("admin:measures_measure_change", args=[measure.pk]), {
        "area": measure.area_id, "number": measure.number, "title_zh": "改", "title_en": "Changed",
        "status": "not_started", "targets": [served.pk, bad], "updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0",
    })

    assert _field_errors(response, "targets")
    assert _rows() == before
    assert not measure.targets.exists()


@pytest.mark.parametrize("bad", ["abc", str(2**63)])
def test_a_bad_group_on_a_users_form_is_a_field_error(admin_client, superuser, bad):
    """Django's own user admin: many-to-many ids went through `in`, which overflowed on SQLite."""
    response = admin_client.post(reverse("admin:auth_user_change", args=[superuser.pk]), {
        "username": superuser.username, "groups": [bad], "date_joined_0": "2020-01-01", "date_joined_1": "00:00",
        "is_staff": "on", "is_superuser": "on", "is_active": "on",
    })

    assert _field_errors(response, "groups")
    assert not superuser.groups.exists()
    assert not Group.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "1.5", str(2**63), "-1"])
@pytest.mark.parametrize("model", ["targets/plan", "targets/target", "targets/observation", "measures/measure",
                                   "measures/measureupdate"])
def test_a_bad_id_in_a_history_address_is_not_found(admin_client, hangzhou_plan, model, bad):
    assert admin_client.get(f"/admin/{model}/{bad}/history/").status_code == 404
    assert admin_client.get(f"/admin/{model}/1/history/{bad}/").status_code == 404


@pytest.mark.parametrize("bad", ["abc", str(2**63), "-1"])
def test_a_bad_id_in_a_change_address_goes_back_to_the_list(admin_client, hangzhou_plan, bad):
    response = admin_client.get(f"/admin/targets/target/{bad}/change/")

    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("params", [
    {"term": str(2**63)}, {"term": "1.5"}, {"term": "a", "page": str(2**63)}, {"term": "a", "page": "abc"},
    {"term": "a" * 10_000},
])
def test_the_autocomplete_view_answers_odd_input_without_a_500(admin_client, hangzhou_plan, params):
    response = admin_client.get(
        "/admin/autocomplete/", {"app_label": "targets", "model_name": "observation", "field_name": "indicator", **params}
    )

    assert response.status_code in (200, 404)


@pytest.mark.parametrize("bad", ["abc", str(2**63), "-1"])
def test_a_bad_id_in_a_change_list_filter_gives_no_500(admin_client, hangzhou_plan, bad):
    response = admin_client.get(reverse("admin:targets_observation_changelist"), {"indicator__id__exact": bad})

    assert response.status_code in (200, 302)
