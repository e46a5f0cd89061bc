"""Unapproved figures are seen only by their own agency's data entry and by zone
administrators (`targets.permissions.pending_figures_agency_ids`), on every read path: the
API's list, status filter, detail, CSV, a target's figures, an indicator's, the admin; and the
conditional-GET validators are computed from what the reader may see. Issue 16, finding 2."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting import services
from targets.models import Observation
from tests.factories import ObservationFactory
from tests.reporting_zone import make_zone, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]


@pytest.fixture
def zone(roles, zone_day):
    """The economy bureau (jxj) has submitted its revenue figure, the S&T bureau (kjj) has a
    draft of its patents; one approved revenue figure of 2020 is public."""
    zone = make_zone(staff_clerks=True)
    zone["approved"] = ObservationFactory(target=zone["revenue"], period_end=dt.date(2020, 12, 31),
                                          value=Decimal("1500"))
    services.round_set_save_draft(round_set=zone["economy_set"], rows=[row("revenue", "1600")],
                                  user=zone["economy_user"], expected_version=0)
    services.round_set_submit(round_set=zone["economy_set"], user=zone["economy_user"], expected_version=1)
    services.round_set_save_draft(round_set=zone["science_set"], rows=[row("patents", "120")],
                                  user=zone["science_user"], expected_version=0)
    zone["theirs"] = Observation.objects.get(indicator__code="revenue", status=Observation.Status.SUBMITTED)
    zone["ours"] = Observation.objects.get(indicator__code="patents", status=Observation.Status.DRAFT)
    return zone


def _api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {figure["id"] for figure in response.json()["results"]}


def test_it_shows_another_agencys_clerk_none_of_its_unapproved_figures_on_any_path(zone):
    api, theirs, ours, approved = _api(zone["science_user"]), zone["theirs"].pk, zone["ours"].pk, zone["approved"].pk

    assert _ids(api.get("/api/v1/observations/")) == {approved, ours}
    assert _ids(api.get("/api/v1/observations/", {"status": "submitted"})) == set()
    assert _ids(api.get("/api/v1/observations/", {"status": "draft"})) == {ours}
    assert api.get(f"/api/v1/observations/{theirs}/").status_code == 404
    assert api.get(f"/api/v1/observations/{ours}/").status_code == 200
    exported = api.get("/api/v1/observations/", {"format": "csv"})
    assert exported.status_code == 200
    assert {int(line["id"]) for line in csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode()))} == {approved, ours}
    assert _ids(api.get("/api/v1/targets/revenue/observations/")) == {approved}
    assert [o["id"] for o in api.get("/api/v1/indicators/revenue/").json()["observations"]] == [approved]
    # Writing to it is no different from reading it: not found.
    assert api.patch(f"/api/v1/observations/{theirs}/", {"value": "1"}, format="json").status_code == 404


def test_the_admin_shows_another_agencys_clerk_none_of_its_unapproved_figures(client, zone):
    client.force_login(zone["science_user"])

    listing = client.get(reverse("admin:targets_observation_changelist"))
    page = client.get(reverse("admin:targets_observation_change", args=[zone["theirs"].pk]))
    indicator = client.get(reverse("admin:targets_indicator_change", args=[zone["revenue"].indicator_id]))

    assert listing.status_code == 200
    assert {o.pk for o in listing.context["cl"].result_list} == {zone["ours"].pk, zone["approved"].pk}
    assert page.status_code == 302  # Django's "does not exist" redirect to the admin's index
    theirs = zone["theirs"]
    history = client.get(reverse("admin:targets_observation_history", args=[theirs.pk]))
    version = client.get(reverse("admin:targets_observation_simple_history",
                                 args=[theirs.pk, theirs.history.order_by("history_id").first().history_id]))
    assert (history.status_code, version.status_code) == (403, 403)  # its versions are not shown either
    assert indicator.status_code == 200  # the indicator's page lists its figures inline: not this one
    shown = {form.instance.pk for form in indicator.context["inline_admin_formsets"][0].formset.forms}
    assert shown == {zone["approved"].pk}


def test_a_zone_administrator_sees_every_unapproved_figure(zone):
    api = _api(zone["admin"])

    assert _ids(api.get("/api/v1/observations/")) == {zone["approved"].pk, zone["theirs"].pk, zone["ours"].pk}
    assert _ids(api.get("/api/v1/observations/", {"status": "submitted"})) == {zone["theirs"].pk}
    assert api.get(f"/api/v1/observations/{zone['theirs'].pk}/").status_code == 200


@pytest.mark.parametrize("reader", [None, "science_user"])
def test_a_readers_etag_does_not_move_when_a_figure_they_cannot_see_is_added(zone, reader):
    api = _api(zone[reader] if reader else None)
    first = api.get("/api/v1/observations/")
    etag, last_modified = first["ETag"], first.get("Last-Modified")

    # The economy bureau's clerk enters another figure: pending, theirs.
    services.round_set_return(round_set=zone["economy_set"], user=zone["admin"], expected_version=2,
                              comments={"revenue": "Check it."})
    services.round_set_save_draft(round_set=zone["economy_set"], rows=[row("revenue", "1650")],
                                  user=zone["economy_user"], expected_version=3)
    Observation.objects.create(indicator=zone["revenue"].indicator, period_end=dt.date(2019, 12, 31), value=1400,
                               source_title="Late report", status=Observation.Status.DRAFT)

    again = api.get("/api/v1/observations/")
    assert (again["ETag"], again.get("Last-Modified")) == (etag, last_modified)
    assert api.get("/api/v1/observations/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The administrator, who sees them, is told.
    admin_api = _api(zone["admin"])
    admin_etag = admin_api.get("/api/v1/observations/")["ETag"]
    services.round_set_save_draft(round_set=zone["economy_set"], rows=[row("revenue", "1660")],
                                  user=zone["economy_user"], expected_version=4)
    assert admin_api.get("/api/v1/observations/", HTTP_IF_NONE_MATCH=admin_etag).status_code == 200
    assert api.get("/api/v1/observations/", HTTP_IF_NONE_MATCH=etag).status_code == 304
