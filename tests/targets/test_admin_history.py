"""The admin's history pages: reverting an old version is a change like any other.

simple_history's history form (`<id>/history/<history_id>/`) saves the posted form over
the record. Posting it needs the change permission of the change form (403 otherwise, and
nothing written); without it the old version is shown read-only.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from simple_history.models import registered_models

from access.history_admin import HistoryAdmin
from measures import services as measure_services
from measures.models import Area, Measure, MeasureUpdate
from targets import services as target_services
from targets.models import Agency, Indicator, ItemUpdate, Objective, Observation, Plan, Target, TargetItem
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    IndicatorFactory,
    ItemUpdateFactory,
    MeasureFactory,
    MeasureUpdateFactory,
    ObjectiveFactory,
    ObservationFactory,
    PlanFactory,
    TargetFactory,
    TargetItemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _changed(obj, **changes):
    """Saves `changes` as a second version of `obj` (the first is its creation)."""
    for field, value in changes.items():
        setattr(obj, field, value)
    if isinstance(obj, Observation):
        target_services.observation_save(observation=obj)
    elif isinstance(obj, ItemUpdate):
        target_services.item_update_save(update=obj)
    elif isinstance(obj, MeasureUpdate):
        measure_services.measure_update_save(update=obj)
    else:
        obj.full_clean()
        obj.save()
    return obj


# Every model with history: how to make one, and a field whose old value a revert restores.
CASES = {
    "plan": (Plan, PlanFactory, "target_date", dt.date(2024, 6, 30)),
    "objective": (Objective, ObjectiveFactory, "title_en", "Changed objective"),
    "target": (Target, TargetFactory, "target_value", Decimal("350")),
    "indicator": (Indicator, IndicatorFactory, "name_en", "Changed indicator"),
    "item": (TargetItem, TargetItemFactory, "name_en", "Changed item"),
    "item update": (ItemUpdate, ItemUpdateFactory, "evidence", "Changed evidence"),
    "entry": (Observation, ObservationFactory, "value", Decimal("150")),
    "area": (Area, AreaFactory, "title_en", "Changed area"),
    "measure": (Measure, MeasureFactory, "title_en", "Changed measure"),
    "measure update": (MeasureUpdate, MeasureUpdateFactory, "note", "Changed note"),
    "agency": (Agency, AgencyFactory, "name_en", "Changed agency"),
}


# The models whose changes simple_history records (not the through table of a measure's targets,
# which has no admin of its own: it is edited, and its history shown, on the measure).
WITH_HISTORY = sorted(
    (model for model in registered_models.values() if not model._meta.auto_created), key=lambda m: m._meta.label
)


def test_the_cases_cover_every_model_with_history():
    assert {case[0] for case in CASES.values()} == set(WITH_HISTORY)


@pytest.mark.parametrize("model", WITH_HISTORY, ids=lambda m: m._meta.label)
def test_every_model_with_history_has_the_protected_admin(model):
    assert isinstance(admin.site._registry[model], HistoryAdmin)


def _history_url(obj, record):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id])


def _form_data(obj, user):
    """What the history form holds for this version, as a browser would post it."""
    request = RequestFactory().get("/")
    request.user = user
    form = admin.site._registry[type(obj)].get_form(request, obj, change=True)(instance=obj)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = str(value)
    return data


@pytest.fixture
def versioned(request, zone_admin):
    """(model, the record in its second version, the history row of its first, the form data
    reverting to it, the field, its old value)."""
    model, factory, field, new_value = CASES[request.param]
    obj = factory()
    old_value = getattr(model.objects.get(pk=obj.pk), field)
    _changed(obj, **{field: new_value})
    first = obj.history.order_by("history_id").first()
    return model, obj, first, _form_data(first.instance, zone_admin), field, old_value


def _row(model, pk):
    return list(model.objects.filter(pk=pk).values())


@pytest.mark.parametrize("versioned", CASES, indirect=True)
def test_a_viewer_cannot_revert_from_history(client, viewer, versioned):
    model, obj, first, data, field, _old = versioned
    before, versions = _row(model, obj.pk), obj.history.count()
    client.force_login(viewer)

    response = client.post(_history_url(obj, first), data)

    assert response.status_code == 403
    assert _row(model, obj.pk) == before
    assert obj.history.count() == versions


@pytest.mark.parametrize("versioned", [c for c in CASES if c not in ("entry", "measure update", "item update")], indirect=True)
def test_data_entry_cannot_revert_what_it_cannot_change(client, data_entry_user, versioned):
    model, obj, first, data, field, _old = versioned
    before, versions = _row(model, obj.pk), obj.history.count()
    client.force_login(data_entry_user)
    # The change form refuses them too: the same permission.
    change_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert client.post(change_url, data).status_code == 403

    response = client.post(_history_url(obj, first), data)

    assert response.status_code == 403
    assert _row(model, obj.pk) == before
    assert obj.history.count() == versions


@pytest.mark.parametrize("versioned", CASES, indirect=True)
def test_a_zone_administrator_reverts_from_history(client, zone_admin, versioned):
    model, obj, first, data, field, old_value = versioned
    client.force_login(zone_admin)

    response = client.post(_history_url(obj, first), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert getattr(model.objects.get(pk=obj.pk), field) == old_value


@pytest.mark.parametrize("versioned", ["measure update", "item update"], indirect=True)
def test_data_entry_reverts_its_own_kind_of_record_like_the_change_form(client, data_entry_user, versioned):
    # Data entry may change figures and measure updates in the change form, so it may revert them.
    model, obj, first, data, field, old_value = versioned
    client.force_login(data_entry_user)

    response = client.post(_history_url(obj, first), data)

    assert response.status_code == 302
    assert getattr(model.objects.get(pk=obj.pk), field) == old_value


@pytest.mark.parametrize("versioned", ["entry"], indirect=True)
def test_a_figure_reverted_by_its_agencys_clerk_is_a_proposal_like_the_change_form(client, data_entry_user, versioned):
    # Like a change in the form: the approved figure stays published, the old value waits for
    # approval beside it. A clerk of another agency is refused.
    model, obj, first, data, field, old_value = versioned
    client.force_login(data_entry_user)
    before = _row(model, obj.pk)
    assert client.post(_history_url(obj, first), data).status_code == 403
    assert Observation.objects.count() == 1
    Indicator.objects.filter(pk=obj.indicator_id).update(agency=AgencyFactory(members=[data_entry_user]))

    response = client.post(_history_url(obj, first), data)

    assert response.status_code == 302
    assert _row(model, obj.pk) == before
    proposal = Observation.objects.exclude(pk=obj.pk).get()
    assert (proposal.status, getattr(proposal, field)) == ("submitted", old_value)


def test_a_reverted_figure_goes_through_the_service_and_queues_the_recompute(
    client, zone_admin, monkeypatch, django_capture_on_commit_callbacks
):
    target = TargetFactory()
    entry = ObservationFactory(target=target, value=Decimal("100"))
    _changed(entry, value=Decimal("150"))
    first = entry.history.order_by("history_id").first()
    saves, queued = [], []
    original_save = target_services.observation_save

    def spy(*, observation, user=None, confirm_outlier=False):
        saves.append(user)
        return original_save(observation=observation, user=user, confirm_outlier=confirm_outlier)

    monkeypatch.setattr(target_services, "observation_save", spy)
    monkeypatch.setattr("targets.services.requests.requests_publish", lambda keys: queued.extend(keys))
    client.force_login(zone_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_history_url(entry, first), _form_data(first.instance, zone_admin))

    assert response.status_code == 302
    assert saves == [zone_admin]
    assert queued == [f"target:{target.pk}"]
    assert Observation.objects.get(pk=entry.pk).value == Decimal("100")


def test_a_revert_is_validated_like_the_change_form(client, zone_admin):
    entry = ObservationFactory(value=Decimal("100"))
    _changed(entry, value=Decimal("150"))
    first = entry.history.order_by("history_id").first()
    client.force_login(zone_admin)
    data = {**_form_data(first.instance, zone_admin), "value": "-5"}

    response = client.post(_history_url(entry, first), data)

    assert response.status_code == 200
    assert "value" in response.context["adminform"].form.errors
    assert Observation.objects.get(pk=entry.pk).value == Decimal("150")


def test_a_viewer_sees_an_old_version_read_only(client, viewer):
    target = TargetFactory(target_value=Decimal("300"))
    _changed(target, target_value=Decimal("350"))
    first = target.history.order_by("history_id").first()
    client.force_login(viewer)

    response = client.get(_history_url(target, first))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="target_value"' not in html and 'name="_save"' not in html
    assert "300" in html


def test_a_zone_administrator_gets_the_revert_form(client, zone_admin):
    target = TargetFactory(target_value=Decimal("300"))
    _changed(target, target_value=Decimal("350"))
    first = target.history.order_by("history_id").first()
    client.force_login(zone_admin)

    html = client.get(_history_url(target, first)).content.decode()

    assert 'name="target_value"' in html and 'name="_save"' in html


def test_restoring_a_deleted_record_also_needs_the_add_permission(client):
    objective = ObjectiveFactory(title_en="Kept")
    first = objective.history.order_by("history_id").first()
    objective_pk = objective.pk
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_objective", "change_objective"]))
    data = _form_data(first.instance, UserFactory(is_staff=True, is_superuser=True))
    objective.delete()
    client.force_login(clerk)

    response = client.post(reverse("admin:targets_objective_simple_history", args=[objective_pk, first.history_id]),
                           data)

    assert response.status_code == 403
    assert not Objective.objects.filter(pk=objective_pk).exists()


@pytest.mark.parametrize(("object_id", "version_id"), [
    ("abc", "1"), ("1", "abc"), ("1.5", "1"), ("1", str(2**63)), (str(2**70), "1"), ("999999", "1"),
])
@pytest.mark.parametrize("method", ["get", "post"])
def test_history_addresses_that_name_nothing_are_404(client, zone_admin, object_id, version_id, method):
    PlanFactory()
    client.force_login(zone_admin)

    response = getattr(client, method)(f"/admin/targets/plan/{object_id}/history/{version_id}/")

    assert response.status_code == 404
