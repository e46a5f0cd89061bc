"""Every rule for a progress figure rejects bad input — in the admin form and in the
service that every other entry point uses — says what to do, and writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from targets import services
from targets.models import ProgressEntry, Target
from tests.factories import ProgressEntryFactory, QualitativeTargetFactory, TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ADD_URL = reverse("admin:targets_progressentry_add")


@pytest.fixture
def client(client):
    """The admin in English, so that messages can be matched."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _form(target, **overrides):
    data = {
        "target": target.pk, "period_end": "2021-12-31", "value": "120", "qualifier": "exact",
        "source_title": "Bureau statistics 2021", "source_url": "", "quote": "", "definition_note": "",
        "confidence": "high", "confidence_note": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def patents():
    return TargetFactory(code="patents", unit="patent", target_value=Decimal("300"))


@pytest.fixture
def industry():
    return TargetFactory(
        code="industry", unit="yi_yuan", target_value=Decimal("2000"),
        aggregation=Target.Aggregation.LATEST, baseline_value=Decimal("1157.69"),
    )


BAD_INPUT = [
    pytest.param({"value": "NaN"}, "value", "number", id="nan"),
    pytest.param({"value": "Infinity"}, "value", "number", id="infinity"),
    pytest.param({"value": "abc"}, "value", "number", id="not-a-number"),
    pytest.param({"value": "-5"}, "value", "cannot be negative", id="negative-count"),
    pytest.param({"period_end": "2019-06-30"}, "period_end", "between the plan's baseline date", id="before-baseline"),
    pytest.param({"period_end": "2029-01-01"}, "period_end", "five years after its target date", id="too-late"),
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
    assert ProgressEntry.objects.count() == 0


def test_it_refuses_a_partial_period_for_a_level_in_the_admin(client, superuser, industry):
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(industry, value="707.66", qualifier="partial_period"))
    assert response.status_code == 200
    assert "cannot stand for it" in " ".join(response.context["adminform"].form.errors["qualifier"])
    assert ProgressEntry.objects.count() == 0


def test_it_refuses_a_figure_for_a_qualitative_target(client, superuser):
    fields = QualitativeTargetFactory(code="fields")
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(fields, value="3"))
    assert response.status_code == 200
    assert "named items" in " ".join(response.context["adminform"].form.errors["target"])
    assert ProgressEntry.objects.count() == 0


def test_a_duplicate_period_points_at_the_existing_entry(client, superuser, patents):
    existing = ProgressEntryFactory(target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("120"))
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(patents, value="130"))
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["period_end"])
    assert f"entry #{existing.pk}" in message and "value 120" in message and "Edit that entry" in message
    assert list(ProgressEntry.objects.values_list("pk", "value")) == [(existing.pk, Decimal("120"))]


def test_a_duplicate_period_in_the_target_inline_is_refused(client, superuser, patents):
    existing = ProgressEntryFactory(target=patents, period_end=dt.date(2021, 12, 31))
    client.force_login(superuser)
    url = reverse("admin:targets_target_change", args=[patents.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({"objective": patents.objective_id, "baseline_date": "2019-12-31", "target_value": "300",
                 "baseline_value": "0"})
    data.update({
        "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0",
        "entries-TOTAL_FORMS": "2", "entries-INITIAL_FORMS": "1",
        "entries-0-id": existing.pk, "entries-0-target": patents.pk, "entries-0-period_end": "2021-12-31",
        "entries-0-value": "100", "entries-0-qualifier": "exact", "entries-0-source_title": "Test source",
        "entries-0-confidence": "high",
        "entries-1-target": patents.pk, "entries-1-period_end": "2021-12-31", "entries-1-value": "999",
        "entries-1-qualifier": "exact", "entries-1-source_title": "Another source", "entries-1-confidence": "high",
    })
    response = client.post(url, data)
    assert response.status_code == 200
    assert "already has an entry" in str(response.content.decode())
    assert ProgressEntry.objects.count() == 1


def test_a_valid_entry_saves_through_the_admin_with_who_entered_it(client, superuser, patents):
    client.force_login(superuser)
    response = client.post(ADD_URL, _form(patents))
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.period_end, entry.entered_by) == (Decimal("120"), dt.date(2021, 12, 31), superuser)
    assert entry.is_synthetic is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": Decimal("NaN")}, "value"),
        ({"value": Decimal("Infinity")}, "value"),
        ({"value": Decimal("-1")}, "value"),
        ({"period_end": dt.date(2019, 1, 1)}, "period_end"),
        ({"qualifier": "sometimes"}, "qualifier"),
    ],
)
def test_the_service_applies_the_same_rules(patents, kwargs, field):
    fields = {"target": patents, "period_end": dt.date(2021, 12, 31), "value": Decimal("1"), "source_title": "S"}
    fields.update(kwargs)
    with pytest.raises(ValidationError) as caught:
        services.progress_entry_create(**fields)
    assert field in caught.value.message_dict
    assert ProgressEntry.objects.count() == 0


def test_the_update_service_leaves_the_row_unchanged_on_bad_input(patents):
    entry = ProgressEntryFactory(target=patents, value=Decimal("50"))
    with pytest.raises(ValidationError):
        services.progress_entry_update(entry=entry, data={"value": Decimal("-3")})
    entry.refresh_from_db()
    assert entry.value == Decimal("50")


# Demo figures come only from `generate_demo_data`: the admin refuses a hand-made POST that
# carries `is_synthetic` (the field is read-only, so no form of ours sends it), and the
# service refuses a person's save that would make a figure synthetic.

def _entries():
    return list(ProgressEntry.objects.order_by("pk").values())


@pytest.mark.parametrize("value", ["on", "", "0"])
def test_the_admin_add_form_refuses_is_synthetic(client, zone_admin, patents, value):
    client.force_login(zone_admin)

    response = client.post(ADD_URL, _form(patents, is_synthetic=value))

    assert response.status_code == 200
    assert "generate_demo_data" in " ".join(response.context["adminform"].form.non_field_errors())
    assert ProgressEntry.objects.count() == 0


def test_the_admin_change_form_refuses_is_synthetic(client, zone_admin, patents):
    entry = ProgressEntryFactory(target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("100"))
    before = _entries()
    client.force_login(zone_admin)

    response = client.post(
        reverse("admin:targets_progressentry_change", args=[entry.pk]),
        _form(patents, value="150", is_synthetic="on"),
    )

    assert response.status_code == 200
    assert "generate_demo_data" in " ".join(response.context["adminform"].form.non_field_errors())
    assert _entries() == before


def _inline_post(client, target, **new_entry):
    url = reverse("admin:targets_target_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update({"objective": target.objective_id, "baseline_date": "2019-12-31", "target_value": "300",
                 "baseline_value": "0"})
    data.update({
        "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0",
        "entries-TOTAL_FORMS": "1", "entries-INITIAL_FORMS": "0",
        "entries-0-target": target.pk, "entries-0-period_end": "2021-12-31", "entries-0-value": "120",
        "entries-0-qualifier": "exact", "entries-0-source_title": "Bureau statistics 2021",
        "entries-0-confidence": "high",
        **{f"entries-0-{name}": value for name, value in new_entry.items()},
    })
    return client.post(url, data)


def test_the_target_pages_inline_refuses_is_synthetic(client, zone_admin, patents):
    client.force_login(zone_admin)

    response = _inline_post(client, patents, is_synthetic="on")

    assert response.status_code == 200
    assert "generate_demo_data" in response.content.decode()
    assert ProgressEntry.objects.count() == 0


def test_the_target_pages_inline_adds_a_figure_without_is_synthetic(client, zone_admin, patents):
    """The same POST without the key is saved: the refusal above is for the key alone."""
    client.force_login(zone_admin)

    response = _inline_post(client, patents)

    assert response.status_code == 302
    assert ProgressEntry.objects.get().is_synthetic is False


def test_the_service_refuses_a_synthetic_figure_from_a_person(patents, data_entry_user):
    with pytest.raises(ValidationError) as caught:
        services.progress_entry_create(
            target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("1"), source_title="S",
            is_synthetic=True, entered_by=data_entry_user,
        )

    assert "generate_demo_data" in caught.value.message_dict["is_synthetic"][0]
    assert ProgressEntry.objects.count() == 0


def test_the_service_refuses_to_turn_a_persons_figure_synthetic(patents, data_entry_user):
    entry = ProgressEntryFactory(target=patents, value=Decimal("50"))
    entry.is_synthetic = True

    with pytest.raises(ValidationError):
        services.progress_entry_save(entry=entry, user=data_entry_user)

    assert ProgressEntry.objects.get().is_synthetic is False


def test_the_demo_module_and_edits_of_demo_figures_are_allowed(patents, data_entry_user):
    """The demo module passes no person; a person may still correct a demo figure's value."""
    entry = services.progress_entry_create(
        target=patents, period_end=dt.date(2021, 12, 31), value=Decimal("1"), source_title="S", is_synthetic=True,
    )
    entry.value = Decimal("2")

    services.progress_entry_save(entry=entry, user=data_entry_user)

    assert ProgressEntry.objects.filter(is_synthetic=True, value=Decimal("2")).count() == 1
