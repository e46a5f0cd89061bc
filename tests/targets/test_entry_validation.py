"""Every rule for an observation (a reported figure) rejects bad input — in the admin form
and in the service that every other entry point uses — says what to do, and writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from targets import services
from targets.models import Indicator, Observation
from tests.admin_forms import admin_form_data
from tests.factories import AgencyFactory, ObservationFactory, TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ADD_URL = reverse("admin:targets_observation_add")


@pytest.fixture
def client(client):
    """The admin in English, so that messages can be matched."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _form(target, **overrides):
    data = {
        "indicator": target.indicator_id, "period_end": "2021-12-31", "value": "120", "qualifier": "exact",
        "source_title": "Bureau statistics 2021", "source_url": "", "quote": "", "definition_note": "",
        "confidence": "high", "confidence_note": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def patents():
    return TargetFactory(code="patents", unit="patent", target_value=Decimal("300"))


@pytest.fixture
def patents_clerk(patents, data_entry_user):
    """A data-entry user of the agency responsible for the patents indicator."""
    Indicator.objects.filter(pk=patents.indicator_id).update(agency=AgencyFactory(members=[data_entry_user]))
    return data_entry_user


@pytest.fixture
def industry():
    return TargetFactory(
        code="industry", unit="yi_yuan", target_value=Decimal("2000"),
        aggregation="latest", baseline_value=Decimal("1157.69"),
    )


BAD_INPUT = [
    pytest.param({"value": "NaN"}, "value", "number", id="nan"),
    pytest.param({"value": "Infinity"}, "value", "number", id="infinity"),
    pytest.param({"value": "abc"}, "value", "number", id="not-a-number"),
    pytest.param({"value": "-5"}, "value", "cannot be negative", id="negative-count"),
    pytest.param({"period_end": "2099-12-31"}, "period_end", "in the future", id="future"),
    pytest.param({"indicator": ""}, "indicator", "required", id="no-indicator"),
    pytest.param({"scope": "core industry"}, "scope", "letters, numbers", id="bad-scope"),
    pytest.param({"period_end": "not a date"}, "period_end", "valid date", id="bad-date"),
    pytest.param({"qualifier": "roughly"}, "qualifier", "valid choice", id="unknown-qualifier"),
    pytest.param({"source_title": ""}, "source_title", "required", id="no-source"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_it_rejects_bad_input_in_the_admin_and_writes_nothing(client, superuser, patents, overrides, field, message):
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(patents, **overrides))
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert Observation.objects.count() == 0


def test_it_refuses_a_partial_period_for_a_level_in_the_admin(client, superuser, industry):
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(industry, value="707.66", qualifier="partial_period"))
    assert response.status_code == 200
    assert "cannot stand for it" in " ".join(response.context["adminform"].form.errors["qualifier"])
    assert Observation.objects.count() == 0


def test_an_implausible_figure_needs_the_confirm_box_in_the_admin(client, superuser, patents):
    """1,500 patents in one period against a target of 300: a typing slip or a cumulative
    total, unless the administrator confirms it."""
    client.force_login(superuser)

    refused = client.post(ADD_URL, _form(patents, value="1500"))

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert "more than the whole target" in " ".join(form.errors["value"])
    assert "confirm_outlier" in form.fields
    assert Observation.objects.count() == 0

    confirmed = client.post(ADD_URL, _form(patents, value="1500", confirm_outlier="on"))

    assert confirmed.status_code == 302
    assert Observation.objects.get().value == Decimal("1500")


def test_plausibility_asks_the_targets_whose_window_covers_the_period(patents, superuser):
    """Issue 18, finding 5: a 2024 patents figure was flagged as "more than the whole target (300
    by 2023)", a window that had closed, instead of being checked against the provincial target
    (>= 1,000 by 2024-12-31) that covers 2024."""
    provincial = TargetFactory(indicator=patents.indicator, target_value=Decimal("1000"),
                               baseline_date=dt.date(2021, 12, 31), target_date=dt.date(2024, 12, 31))
    fields = {"indicator": patents.indicator, "period_end": dt.date(2024, 12, 31), "source_title": "S",
              "entered_by": superuser}

    services.observation_create(**fields, value=Decimal("400"))  # > 300, but that window closed in 2023

    with pytest.raises(ValidationError) as caught:
        services.observation_create(**{**fields, "period_end": dt.date(2024, 6, 30)}, value=Decimal("1500"))
    message = " ".join(caught.value.message_dict["value"])
    assert f"“{provincial}” (1000 by 31 Dec 2024)" in message and "(300 by" not in message
    assert list(Observation.objects.values_list("value", flat=True)) == [Decimal("400")]


def test_a_level_that_jumps_threefold_within_a_year_needs_a_confirmation(industry, superuser):
    ObservationFactory(target=industry, period_end=dt.date(2020, 12, 31), value=Decimal("1500"))
    fields = {"indicator": industry.indicator, "period_end": dt.date(2021, 12, 31), "value": Decimal("4600"),
              "source_title": "S", "entered_by": superuser}

    with pytest.raises(ValidationError) as caught:
        services.observation_create(**fields)

    assert "value" in caught.value.message_dict
    assert Observation.objects.count() == 1
    services.observation_create(**fields, confirm_outlier=True)
    assert Observation.objects.count() == 2


def test_a_duplicate_period_points_at_the_existing_entry(client, superuser, patents):
    existing = ObservationFactory(target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("120"))
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(patents, value="130"))
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["period_end"])
    assert f"(#{existing.pk}, value 120)" in message and "Edit that figure" in message
    assert list(Observation.objects.values_list("pk", "value")) == [(existing.pk, Decimal("120"))]


def test_a_duplicate_period_in_the_indicator_inline_is_refused(client, superuser, patents):
    existing = ObservationFactory(target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("100"))
    before = _entries()
    client.force_login(superuser)
    response = _inline_post(client, patents, period_end="2021-12-31", value="99")
    assert response.status_code == 200
    assert f"(#{existing.pk}, value 100)" in response.content.decode()
    assert _entries() == before


def test_a_valid_entry_saves_through_the_admin_with_who_entered_it(client, superuser, patents):
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(patents))
    assert response.status_code == 302
    entry = Observation.objects.get()
    assert (entry.value, entry.period_end, entry.entered_by) == (Decimal("120"), dt.date(2021, 12, 31), superuser)
    assert entry.is_synthetic is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": Decimal("NaN")}, "value"),
        ({"value": Decimal("Infinity")}, "value"),
        ({"value": Decimal("-1")}, "value"),
        ({"period_end": dt.date(2099, 1, 1)}, "period_end"),
        ({"value": Decimal("400")}, "value"),  # more than the whole target in one period, unconfirmed
        ({"qualifier": "sometimes"}, "qualifier"),
    ],
)
def test_the_service_applies_the_same_rules(patents, superuser, kwargs, field):
    fields = {"indicator": patents.indicator, "period_end": dt.date(2021, 12, 31), "value": Decimal("1"),
              "source_title": "S", "entered_by": superuser}
    fields.update(kwargs)
    with pytest.raises(ValidationError) as caught:
        services.observation_create(**fields)
    assert field in caught.value.message_dict
    assert Observation.objects.count() == 0


def test_the_update_service_leaves_the_row_unchanged_on_bad_input(patents):
    entry = ObservationFactory(target=patents, value=Decimal("50"))
    with pytest.raises(ValidationError):
        services.observation_update(observation=entry, data={"value": Decimal("-3")})
    entry.refresh_from_db()
    assert entry.value == Decimal("50")


# Demo figures come only from `generate_demo_data`: the admin refuses a hand-made POST that
# carries `is_synthetic` (the field is read-only, so no form of ours sends it), and the
# service refuses a person's save that would make a figure synthetic.

def _entries():
    return list(Observation.objects.order_by("pk").values())


@pytest.mark.parametrize("value", ["on", "", "0"])
def test_the_admin_add_form_refuses_is_synthetic(client, zone_admin, patents, value):
    client.force_login(zone_admin)

    response = client.post(ADD_URL, _form(patents, is_synthetic=value))

    assert response.status_code == 200
    assert "generate_demo_data" in " ".join(response.context["adminform"].form.non_field_errors())
    assert Observation.objects.count() == 0


def test_the_admin_change_form_refuses_is_synthetic(client, zone_admin, patents):
    entry = ObservationFactory(target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("100"))
    before = _entries()
    client.force_login(zone_admin)

    response = client.post(
        reverse("admin:targets_observation_change", args=[entry.pk]),
        _form(patents, value="150", is_synthetic="on"),
    )

    assert response.status_code == 200
    assert "generate_demo_data" in " ".join(response.context["adminform"].form.non_field_errors())
    assert _entries() == before


def _inline_post(client, target, **new_entry):
    """A new row added in the observations inline of the target's indicator page."""
    url = reverse("admin:targets_indicator_change", args=[target.indicator_id])
    data = admin_form_data(client.get(url))
    row = int(data["observations-TOTAL_FORMS"])
    data["observations-TOTAL_FORMS"] = str(row + 1)
    data.update({
        f"observations-{row}-indicator": target.indicator_id, f"observations-{row}-period_end": "2021-12-31",
        f"observations-{row}-value": "120", f"observations-{row}-qualifier": "exact",
        f"observations-{row}-source_title": "Bureau statistics 2021", f"observations-{row}-confidence": "high",
        **{f"observations-{row}-{name}": value for name, value in new_entry.items()},
    })
    return client.post(url, data)


def test_the_indicator_pages_inline_refuses_is_synthetic(client, zone_admin, patents):
    client.force_login(zone_admin)

    response = _inline_post(client, patents, is_synthetic="on")

    assert response.status_code == 200
    assert "generate_demo_data" in response.content.decode()
    assert Observation.objects.count() == 0


def test_the_indicator_pages_inline_adds_a_figure_without_is_synthetic(client, zone_admin, patents):
    """The same POST without the key is saved: the refusal above is for the key alone."""
    client.force_login(zone_admin)

    response = _inline_post(client, patents)

    assert response.status_code == 302
    assert Observation.objects.get().is_synthetic is False


def test_the_service_refuses_a_synthetic_figure_from_a_person(patents, patents_clerk):
    with pytest.raises(ValidationError) as caught:
        services.observation_create(
            indicator=patents.indicator, period_end=dt.date(2021, 12, 31), value=Decimal("1"), source_title="S",
            is_synthetic=True, entered_by=patents_clerk,
        )

    assert "generate_demo_data" in caught.value.message_dict["is_synthetic"][0]
    assert Observation.objects.count() == 0


def test_the_service_refuses_to_turn_a_persons_figure_synthetic(patents, patents_clerk):
    entry = ObservationFactory(target=patents, value=Decimal("50"))
    entry.is_synthetic = True

    with pytest.raises(ValidationError):
        services.observation_save(observation=entry, user=patents_clerk)

    assert Observation.objects.get().is_synthetic is False


def test_the_demo_module_and_edits_of_demo_figures_are_allowed(patents, patents_clerk):
    """The demo module passes no person; a person may still correct a demo figure's value."""
    entry = services.observation_create(
        indicator=patents.indicator, period_end=dt.date(2021, 12, 31), value=Decimal("1"), source_title="S", is_synthetic=True,
    )
    entry.value = Decimal("2")

    services.observation_save(observation=entry, user=patents_clerk)

    assert Observation.objects.filter(is_synthetic=True, value=Decimal("2")).count() == 1
