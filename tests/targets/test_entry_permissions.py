"""Who may change whose figures and measure updates: the rules of `targets.permissions` and
`measures.permissions`, built on the primitives of `access.permissions`, applied by the entry
services whenever they are given a user, and turned into 403 by the admin and the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from measures import services as measure_services
from measures.models import Measure, MeasureUpdate
from targets import permissions
from targets import services as target_services
from targets.models import Indicator, Observation, Target
from tests.factories import AgencyFactory, MeasureUpdateFactory, ObservationFactory, TargetFactory

pytestmark = pytest.mark.django_db


def _entries():
    return list(Observation.objects.order_by("pk").values())


def _updates():
    return list(MeasureUpdate.objects.order_by("pk").values()), list(Measure.objects.order_by("pk").values())


def _new_entry(target, **fields):
    return {"indicator": target.indicator, "period_end": dt.date(2021, 12, 31), "value": Decimal("5"),
            "source_title": "Bureau statistics", **fields}


# --- the services -----------------------------------------------------------------------

def test_a_system_caller_passes_no_user_and_is_not_checked(db):
    target = TargetFactory()

    entry = target_services.observation_create(**_new_entry(target))
    target_services.observation_update(observation=entry, data={"value": Decimal("6")})

    assert Observation.objects.get(pk=entry.pk).value == Decimal("6")
    target_services.observation_delete(observation=entry)
    assert not Observation.objects.exists()


@pytest.mark.usefixtures("english")
def test_data_entry_writes_only_its_agencys_figures_and_they_wait_for_approval(data_entry_user):
    own, other = TargetFactory(), TargetFactory()
    agency = AgencyFactory(members=[data_entry_user])
    Indicator.objects.filter(pk=own.indicator_id).update(agency=agency)
    Indicator.objects.filter(pk=other.indicator_id).update(agency=AgencyFactory())

    entry = target_services.observation_create(**_new_entry(own), entered_by=data_entry_user)
    assert entry.status == Observation.Status.SUBMITTED  # counts once a zone administrator approves it
    target_services.observation_update(observation=entry, data={"value": Decimal("7")}, user=data_entry_user)
    assert Observation.objects.get(pk=entry.pk).value == Decimal("7")
    target_services.observation_delete(observation=entry, user=data_entry_user)
    assert not Observation.objects.exists()

    published = ObservationFactory(target=other)
    before = _entries()
    with pytest.raises(PermissionDenied, match="responsible agency"):
        target_services.observation_create(**_new_entry(other), entered_by=data_entry_user)
    with pytest.raises(PermissionDenied):
        target_services.observation_update(observation=published, data={"value": Decimal("1")}, user=data_entry_user)
    with pytest.raises(PermissionDenied):
        target_services.observation_delete(observation=Observation.objects.get(pk=published.pk), user=data_entry_user)
    assert _entries() == before


@pytest.mark.usefixtures("english")
def test_a_data_entry_change_to_an_approved_figure_is_a_proposal_beside_it(data_entry_user, superuser):
    target = TargetFactory()
    agency = AgencyFactory(members=[data_entry_user])
    Indicator.objects.filter(pk=target.indicator_id).update(agency=agency)
    published = ObservationFactory(target=target, value=Decimal("100"))

    proposal = target_services.observation_update(observation=Observation.objects.get(pk=published.pk),
                                                  data={"value": Decimal("120")}, user=data_entry_user)
    assert proposal.pk != published.pk and proposal.status == Observation.Status.SUBMITTED
    assert Observation.objects.get(pk=published.pk).value == Decimal("100")  # still what is published
    # A second change updates the same proposal; a data-entry user may not delete the approved one.
    again = target_services.observation_update(observation=Observation.objects.get(pk=published.pk),
                                               data={"value": Decimal("121")}, user=data_entry_user)
    assert again.pk == proposal.pk and Observation.objects.count() == 2
    with pytest.raises(PermissionDenied, match="approved figure"):
        target_services.observation_delete(observation=Observation.objects.get(pk=published.pk), user=data_entry_user)

    approved = target_services.observation_approve(observation=again, user=superuser, reason="final statistics")
    assert approved.pk == published.pk and approved.value == Decimal("121")
    assert Observation.objects.count() == 1
    revision = approved.revisions.get()
    assert (revision.previous_value, revision.new_value, revision.revised_by) == (Decimal("100"), Decimal("121"),
                                                                                 superuser)
    with pytest.raises(ValidationError, match="already approved"):
        target_services.observation_approve(observation=approved, user=superuser)
    with pytest.raises(PermissionDenied):
        target_services.observation_approve(observation=approved, user=data_entry_user)


@pytest.fixture(params=["viewer", "anonymous", "inactive_clerk"])
def refused_user(request, roles):
    if request.param == "anonymous":
        return AnonymousUser()
    user = request.getfixturevalue("viewer" if request.param == "viewer" else "data_entry_user")
    if request.param == "inactive_clerk":
        user.is_active = False
        user.save()
    return user


def test_the_services_refuse_a_user_without_the_permission(refused_user):
    entry = ObservationFactory()
    before = _entries()

    with pytest.raises(PermissionDenied):
        target_services.observation_save(
            observation=Observation(**_new_entry(entry, period_end=dt.date(2022, 12, 31))), user=refused_user
        )
    with pytest.raises(PermissionDenied):
        target_services.observation_update(observation=entry, data={"value": Decimal("1")}, user=refused_user)
    with pytest.raises(PermissionDenied):
        target_services.observation_delete(observation=Observation.objects.get(pk=entry.pk), user=refused_user)

    assert _entries() == before


def test_the_measure_update_services_refuse_a_user_without_the_permission(refused_user):
    update = MeasureUpdateFactory()
    before = _updates()

    with pytest.raises(PermissionDenied):
        measure_services.measure_update_save(
            update=MeasureUpdate(measure=update.measure, date=dt.date(2021, 7, 1), note="x", status="completed"),
            user=refused_user,
        )
    update.note = "Changed"
    with pytest.raises(PermissionDenied):
        measure_services.measure_update_save(update=update, user=refused_user)
    with pytest.raises(PermissionDenied):
        measure_services.measure_update_delete(update=MeasureUpdate.objects.get(pk=update.pk), user=refused_user)

    assert _updates() == before


def test_data_entry_may_add_change_and_delete_measure_updates(data_entry_user):
    update = MeasureUpdateFactory()

    created = measure_services.measure_update_create(measure=update.measure, date=dt.date(2021, 7, 1), note="New",
                                                     entered_by=data_entry_user)
    update.note = "Changed"
    measure_services.measure_update_save(update=update, user=data_entry_user)
    measure_services.measure_update_delete(update=created, user=data_entry_user)

    assert list(MeasureUpdate.objects.values_list("note", flat=True)) == ["Changed"]


def test_the_rule_knows_only_add_change_and_delete(data_entry_user):
    with pytest.raises(ValueError, match="Unknown action"):
        permissions.entry_write_check(user=data_entry_user, action="view", entry=Observation())


# --- the admin and the API turn a refusal into 403 -----------------------------------------
# The agencies of the Hangzhou plan's fixture: the clerk belongs to the science and technology
# bureau; AI industry revenue and measure 1 (led by it here) belong to the economy bureau.

@pytest.fixture
def narrowed_rule(hangzhou_plan, data_entry_user):
    from targets.models import Agency

    Agency.objects.get(code="kjj").members.add(data_entry_user)
    Measure.objects.filter(area__plan=hangzhou_plan, number=1).update(lead_agency=Agency.objects.get(code="jxj"))
    assert Indicator.objects.get(code="ai-industry-revenue").agency.code == "jxj"


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.usefixtures("narrowed_rule", "api_unthrottled")
def test_the_api_answers_403_and_writes_nothing(hangzhou_plan, data_entry_user):
    api = _api(data_entry_user)
    industry = Target.objects.get(code="industry-size")
    entry = industry.indicator.observations.first()
    measure = Measure.objects.get(area__plan=hangzhou_plan, number=1)
    update = MeasureUpdateFactory(measure=measure)
    before = (_entries(), _updates())

    created = api.post("/api/v1/observations/", {
        "indicator": "ai-industry-revenue", "period_end": "2021-12-31", "value": "1800", "source_title": "Bulletin",
    }, format="json")
    changed = api.patch(f"/api/v1/observations/{entry.pk}/", {"value": "1"}, format="json")
    deleted = api.delete(f"/api/v1/observations/{entry.pk}/")
    update_created = api.post(f"/api/v1/measures/{measure.pk}/updates/", {"date": "2021-07-01", "note": "x"},
                              format="json")
    update_changed = api.patch(f"/api/v1/measures/{measure.pk}/updates/{update.pk}/", {"note": "y"}, format="json")
    update_deleted = api.delete(f"/api/v1/measures/{measure.pk}/updates/{update.pk}/")

    statuses = [r.status_code for r in (created, changed, deleted, update_created, update_changed, update_deleted)]
    assert statuses == [403] * 6
    assert (_entries(), _updates()) == before
    # Elsewhere the same user still writes.
    other = api.post("/api/v1/observations/", {
        "indicator": "core-invention-patents", "period_end": "2021-12-31", "value": "12", "source_title": "Bulletin",
    }, format="json")
    assert other.status_code == 201


@pytest.mark.usefixtures("narrowed_rule")
def test_the_admin_answers_403_and_writes_nothing(client, hangzhou_plan, data_entry_user):
    client.force_login(data_entry_user)
    industry = Target.objects.get(code="industry-size")
    entry = industry.indicator.observations.first()
    measure = Measure.objects.get(area__plan=hangzhou_plan, number=1)
    update = MeasureUpdateFactory(measure=measure)
    before = (_entries(), _updates())
    entry_form = {"indicator": industry.indicator_id, "period_end": "2021-12-31", "value": "1800", "qualifier": "exact",
                  "source_title": "Bulletin", "confidence": "high"}

    responses = [
        client.post(reverse("admin:targets_observation_add"), entry_form),
        client.post(reverse("admin:targets_observation_change", args=[entry.pk]),
                    {**entry_form, "period_end": entry.period_end.isoformat(), "value": "1"}),
        client.post(reverse("admin:targets_observation_delete", args=[entry.pk]), {"post": "yes"}),
        client.post(reverse("admin:targets_observation_changelist"),
                    {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}),
        client.post(reverse("admin:measures_measureupdate_add"), {"measure": measure.pk, "date": "2021-07-01",
                                                                  "note": "x", "status": ""}),
        client.post(reverse("admin:measures_measureupdate_change", args=[update.pk]),
                    {"measure": measure.pk, "date": "2021-06-30", "note": "y", "status": ""}),
        client.post(reverse("admin:measures_measureupdate_delete", args=[update.pk]), {"post": "yes"}),
        client.post(reverse("admin:measures_measureupdate_changelist"),
                    {"action": "delete_selected", "_selected_action": [update.pk], "post": "yes"}),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert (_entries(), _updates()) == before


@pytest.mark.usefixtures("narrowed_rule")
def test_deleting_several_figures_is_all_or_nothing(client, hangzhou_plan, data_entry_user):
    from django.contrib.admin.models import LogEntry

    industry = Target.objects.get(code="industry-size")
    allowed = Target.objects.filter(pk__lt=industry.pk, kind=Target.Kind.QUANTITATIVE).exclude(
        code="industry-size").first()
    ObservationFactory(target=allowed, period_end=dt.date(2021, 12, 31))
    before = _entries()
    selected = [entry["id"] for entry in before if entry["indicator_id"] in (allowed.indicator_id, industry.indicator_id)]
    client.force_login(data_entry_user)

    response = client.post(reverse("admin:targets_observation_changelist"),
                           {"action": "delete_selected", "_selected_action": selected, "post": "yes"})

    assert response.status_code == 403
    assert _entries() == before
    assert not LogEntry.objects.exists()


def test_deleting_measure_updates_from_the_admin_list_goes_through_the_service(client, zone_admin, monkeypatch):
    update = MeasureUpdateFactory()
    calls = []
    monkeypatch.setattr(measure_services, "measure_update_delete",
                        lambda *, update, user: calls.append((update.pk, user.pk)) or update.delete())
    client.force_login(zone_admin)

    response = client.post(reverse("admin:measures_measureupdate_changelist"),
                           {"action": "delete_selected", "_selected_action": [update.pk], "post": "yes"})

    assert response.status_code == 302
    assert calls == [(update.pk, zone_admin.pk)]
    assert not MeasureUpdate.objects.exists()

