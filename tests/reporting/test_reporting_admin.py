"""The admin's write paths for reporting: opening a round, agencies and their members, the
figures' approval action. Each is tried as every role: 403 (or no action) and nothing
changed where the role may not."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import Round, RoundEntry, RoundSet, StateChange
from targets.models import Agency, Observation, ObservationRevision
from tests.admin_forms import admin_form_data
from tests.factories import ObservationFactory

pytestmark = pytest.mark.django_db

NEW_ROUND = {
    "code": "2022-annual", "name_zh": "2022 年度", "name_en": "2022 annual", "period_start": "2022-01-01",
    "period_end": "2022-12-31", "opens_on": "2023-01-01", "due_on": "2023-01-31",
}


def _rounds():
    return (list(Round.objects.order_by("pk").values()), list(RoundSet.objects.order_by("pk").values()),
            list(RoundEntry.objects.order_by("pk").values()), list(StateChange.objects.order_by("pk").values()))


def test_a_zone_administrator_opens_a_round_with_its_sets(client, zone, zone_admin):
    client.force_login(zone_admin)

    response = client.post(reverse("admin:reporting_round_add"), {**NEW_ROUND, "plan": zone["plan"].pk})

    assert response.status_code == 302
    created = Round.objects.get(code="2022-annual")
    assert sorted(created.indicators.values_list("code", flat=True)) == ["achievements", "patents", "revenue"]
    assert sorted(created.sets.values_list("agency__code", flat=True)) == ["jxj", "kjj"]
    assert created.created_by == zone_admin
    page = client.get(reverse("admin:reporting_round_change", args=[zone["round"].pk]))
    assert page.status_code == 200


def test_the_round_page_shows_the_audit(client, zone):
    from reporting import services

    services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                  rows=[{"indicator": "patents", "value": "5", "source_title": "S"}])
    client.force_login(zone["admin"])
    page = client.get(reverse("admin:reporting_round_change", args=[zone["round"].pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "not started → draft" in page.content.decode()


@pytest.mark.parametrize("role", ["viewer", "data_entry_user"])
def test_other_roles_may_not_open_or_change_a_round(client, zone, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    before = _rounds()

    added = client.post(reverse("admin:reporting_round_add"), {**NEW_ROUND, "plan": zone["plan"].pk})
    changed = client.post(reverse("admin:reporting_round_change", args=[zone["round"].pk]),
                          {**NEW_ROUND, "code": "2021-annual", "name_en": "Renamed"})

    assert (added.status_code, changed.status_code) == (403, 403)
    assert _rounds() == before
    # They may look: every role reads the rounds.
    assert client.get(reverse("admin:reporting_round_changelist")).status_code == 200


def test_a_round_is_not_deleted_from_the_admin(client, zone, superuser):
    client.force_login(superuser)
    before = _rounds()
    response = client.post(reverse("admin:reporting_round_delete", args=[zone["round"].pk]), {"post": "yes"})
    assert response.status_code == 403
    assert _rounds() == before


def test_a_round_without_indicators_to_collect_is_refused_with_a_message(client, zone, zone_admin):
    client.force_login(zone_admin)
    before = _rounds()
    # No indicator of the plan is reported for a period ending on 30 June (all are yearly).
    response = client.post(reverse("admin:reporting_round_add"), {
        **NEW_ROUND, "code": "2022-h1", "period_end": "2022-06-30", "plan": zone["plan"].pk}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en")
    assert "No indicator to collect" in response.content.decode()
    assert _rounds() == before


def test_a_zone_administrator_edits_an_agencys_members(client, zone, zone_admin, data_entry_user):
    client.force_login(zone_admin)
    url = reverse("admin:targets_agency_change", args=[zone["science"].pk])
    data = admin_form_data(client.get(url))
    data["members"] = [*data.get("members", []), str(data_entry_user.pk)]

    response = client.post(url, data)

    assert response.status_code == 302
    assert data_entry_user in zone["science"].members.all()


@pytest.mark.parametrize("role", ["viewer", "data_entry_user"])
def test_other_roles_may_not_change_agencies(client, zone, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    before = (list(Agency.objects.order_by("pk").values()), list(zone["science"].members.values_list("pk", flat=True)))

    changed = client.post(reverse("admin:targets_agency_change", args=[zone["science"].pk]),
                          {"code": "kjj", "name_zh": "x", "name_en": "x", "members": [user.pk]})
    added = client.post(reverse("admin:targets_agency_add"), {"code": "new", "name_zh": "x", "name_en": "x"})

    assert (changed.status_code, added.status_code) == (403, 403)
    assert (list(Agency.objects.order_by("pk").values()),
            list(zone["science"].members.values_list("pk", flat=True))) == before


def _approve(client, *observations):
    return client.post(reverse("admin:targets_observation_changelist"), {
        "action": "approve_selected", "_selected_action": [o.pk for o in observations]})


def test_a_zone_administrator_approves_submitted_figures_in_the_list(client, zone, zone_admin):
    published = ObservationFactory(target=zone["revenue"], period_end=dt.date(2021, 12, 31), value=Decimal("1500"))
    proposal = ObservationFactory(target=zone["revenue"], period_end=dt.date(2021, 12, 31), value=Decimal("1512"),
                                  status="submitted", confidence_note="final statistics")
    first = ObservationFactory(target=zone["patents"], period_end=dt.date(2021, 12, 31), status="submitted")
    draft = ObservationFactory(target=zone["achievements"], period_end=dt.date(2021, 12, 31), status="draft")
    client.force_login(zone_admin)
    listing = client.get(reverse("admin:targets_observation_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "⚠ submitted" in listing  # marked as such

    response = _approve(client, proposal, first, draft)

    assert response.status_code == 302
    assert Observation.objects.get(pk=draft.pk).status == "draft"  # still being written: left alone
    assert set(Observation.objects.exclude(pk=draft.pk).values_list("status", flat=True)) == {"approved"}
    assert Observation.objects.get(pk=published.pk).value == Decimal("1512")
    assert ObservationRevision.objects.get().previous_value == Decimal("1500")
    assert not Observation.objects.filter(pk=proposal.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "data_entry_user"])
def test_other_roles_cannot_approve_figures(client, zone, request, role):
    submitted = ObservationFactory(target=zone["patents"], period_end=dt.date(2021, 12, 31), status="submitted")
    client.force_login(request.getfixturevalue(role))
    before = list(Observation.objects.order_by("pk").values())

    response = _approve(client, submitted)

    assert response.status_code in (200, 302, 403)  # the action is not offered: "no action selected"
    assert list(Observation.objects.order_by("pk").values()) == before


def test_revisions_are_read_only_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:targets_observationrevision_add")).status_code == 403
