"""A figure under review is frozen: while the agency's set that holds it is submitted, no write
path changes or deletes it — API, admin form and delete, history revert, the admin's approve
action, the grid, the upload — for the clerk or the zone administrator (`targets.review`).
Approval publishes exactly what was submitted (the set's digest). Issue 16, finding 1."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting import services, uploads
from reporting.models import RoundSet, State
from targets.models import Observation, ObservationRevision
from tests.factories import ObservationFactory
from tests.reporting_zone import make_zone, rounds_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

SET = "/api/v1/rounds/2021-annual/sets/jxj/"
PERIOD = dt.date(2021, 12, 31)
UNDER_REVIEW = "under review in 2021 annual (Economy and IT Bureau)"


@pytest.fixture
def zone(roles, zone_day):
    # A zone administrator by role (not a superuser), clerks who may use the admin.
    return make_zone(staff_clerks=True)


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def submitted(zone):
    """Industry revenue (the economy bureau's) published at 700 for 2021; its clerk saves 720
    in the round through the API and submits: the set is at version 2, under review."""
    published = ObservationFactory(target=zone["revenue"], period_end=PERIOD, value=Decimal("700"))
    clerk = _api(zone["economy_user"])
    saved = clerk.post(SET + "save/", {"version": 0, "rows": [
        {"indicator": "revenue", "value": "720", "source_title": "Bureau statistics 2021"}]}, format="json")
    assert saved.status_code == 200, saved.json()
    done = clerk.post(SET + "submit/", {"version": 1}, format="json")
    assert (done.status_code, done.json()["state"], done.json()["version"]) == (200, "submitted", 2)
    proposal = Observation.objects.get(indicator=zone["revenue"].indicator, status=Observation.Status.SUBMITTED)
    return {**zone, "published": published, "proposal": proposal}


def _approve_version_2(zone):
    approved = _api(zone["admin"]).post(SET + "approve/", {"version": 2}, format="json")
    assert approved.status_code == 200, approved.json()
    figure = Observation.objects.get(indicator=zone["revenue"].indicator, period_end=PERIOD)
    assert (figure.status, figure.value) == (Observation.Status.APPROVED, Decimal("720"))
    assert list(ObservationRevision.objects.values_list("previous_value", "new_value")) == [
        (Decimal("700"), Decimal("720"))]


# --- the reproduction of finding 1 ----------------------------------------------------------

def test_it_refuses_the_patch_of_a_submitted_figure_and_approval_publishes_what_was_submitted(submitted):
    before = rounds_state()

    response = _api(submitted["economy_user"]).patch(
        f"/api/v1/observations/{submitted['proposal'].pk}/", {"value": 9999, "confirm_outlier": True}, format="json")

    assert response.status_code == 409
    assert UNDER_REVIEW in response.json()["detail"] and "return the set" in response.json()["detail"]
    assert rounds_state() == before
    _approve_version_2(submitted)


def test_it_refuses_the_admin_change_form_and_approval_publishes_what_was_submitted(client, submitted):
    proposal = submitted["proposal"]
    client.force_login(submitted["economy_user"])
    url = reverse("admin:targets_observation_change", args=[proposal.pk])
    before = rounds_state()

    response = client.post(url, _admin_form(proposal, submitted["economy_user"], value="9999"), follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.redirect_chain == [(url, 302)]
    assert UNDER_REVIEW in response.content.decode()
    assert rounds_state() == before
    _approve_version_2(submitted)


# --- every write path, as the clerk and as the zone administrator --------------------------

def _admin_form(observation, user, **changes):
    """The admin change form of `observation` as a browser posts it, with `changes`."""
    request = RequestFactory().get("/")
    request.user = user
    form = admin.site._registry[Observation].get_form(request, observation, change=True)(instance=observation)
    data = {"confirm_outlier": "on", "_save": "Save"}
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False, True):
            data[name] = str(value)
    return {**data, **changes}


def _api_patch(client, zone, who):
    return _api(zone[who]).patch(f"/api/v1/observations/{zone['proposal'].pk}/",
                                 {"value": "730", "confirm_outlier": True}, format="json")


def _api_patch_published(client, zone, who):
    # The clerk's change to the published figure would land on the proposal under review; the
    # administrator's would change what the approval revises.
    return _api(zone[who]).patch(f"/api/v1/observations/{zone['published'].pk}/", {"value": "730"}, format="json")


def _api_delete(client, zone, who):
    return _api(zone[who]).delete(f"/api/v1/observations/{zone['proposal'].pk}/")


def _api_create(client, zone, who):
    # Another figure for the same indicator and period: refused for the review, before any other rule.
    return _api(zone[who]).post("/api/v1/observations/", {
        "indicator": "revenue", "period_end": "2021-12-31", "value": "730", "source_title": "Bulletin",
        "confirm_outlier": True}, format="json")


def _admin_change(client, zone, who):
    client.force_login(zone[who])
    return client.post(reverse("admin:targets_observation_change", args=[zone["proposal"].pk]),
                       _admin_form(zone["proposal"], zone[who], value="730"))


def _admin_delete(client, zone, who):
    client.force_login(zone[who])
    return client.post(reverse("admin:targets_observation_delete", args=[zone["proposal"].pk]), {"post": "yes"})


def _admin_delete_selected(client, zone, who):
    client.force_login(zone[who])
    return client.post(reverse("admin:targets_observation_changelist"), {
        "action": "delete_selected", "_selected_action": [zone["proposal"].pk], "post": "yes"})


def _history_revert(client, zone, who):
    proposal = zone["proposal"]
    first = proposal.history.order_by("history_id").first()
    client.force_login(zone[who])
    return client.post(reverse("admin:targets_observation_simple_history", args=[proposal.pk, first.history_id]),
                       _admin_form(first.instance, zone[who], value="730"))


def _grid_save(client, zone, who):
    client.force_login(zone[who])
    return client.post(reverse("reporting:set", args=["2021-annual", "jxj"]), {
        "version": "2", "action": "save", "revenue-value": "730", "revenue-source_title": "Bureau statistics 2021"})


def _api_set_save(client, zone, who):
    return _api(zone[who]).post(SET + "save/", {"version": 2, "rows": [
        {"indicator": "revenue", "value": "730", "source_title": "Bureau statistics 2021"}]}, format="json")


def _upload(client, zone, who):
    book = load_workbook(io.BytesIO(uploads.round_set_workbook(zone["economy_set"])))
    sheet = book.worksheets[0]
    for line in sheet.iter_rows(min_row=2):
        if line[0].value == "revenue":
            line[uploads.FIELDS.index("value")].value = 730
    out = io.BytesIO()
    book.save(out)
    client.force_login(zone[who])
    return client.post(reverse("reporting:set_upload", args=["2021-annual", "jxj"]), {
        "version": "2", "file": SimpleUploadedFile("filled.xlsx", out.getvalue())})


PATHS = {
    "api patch": (_api_patch, {409}),
    "api patch of the published figure": (_api_patch_published, {409}),
    "api delete": (_api_delete, {409}),
    "api create for the same period": (_api_create, {409}),
    "admin change form": (_admin_change, {302}),
    "admin delete": (_admin_delete, {302}),
    "admin delete selected": (_admin_delete_selected, {302}),
    "history revert": (_history_revert, {302}),
    "grid save": (_grid_save, {400}),
    "round api save": (_api_set_save, {409}),
    "upload": (_upload, {400}),
}


@pytest.mark.parametrize("who", ["economy_user", "admin"])
def test_it_refuses_every_write_path_for_clerk_and_administrator(client, submitted, who):
    # A refusal changes nothing, so the paths run one after the other on the same submitted set.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = rounds_state()
    wrong = {}
    for path, (call, statuses) in sorted(PATHS.items()):
        response = call(client, submitted, who)
        if response.status_code == 302:  # the admin: back to the page, with the refusal as its message
            text = client.get(response["Location"]).content.decode()
        else:
            text = response.content.decode()
        if response.status_code not in statuses or UNDER_REVIEW not in text:
            wrong[path] = (response.status_code, text[:300])
        if rounds_state() != before:
            wrong[path] = "changed the figures or the set"
            break

    assert wrong == {}
    assert Observation.objects.get(pk=submitted["proposal"].pk).value == Decimal("720")
    assert RoundSet.objects.get(pk=submitted["economy_set"].pk).state == State.SUBMITTED


def test_the_api_refuses_the_administrator_deleting_the_published_figure_under_review(submitted):
    # (A clerk may not delete a published figure at all: 403, tests/targets/test_entry_permissions.py.)
    before = rounds_state()

    response = _api(submitted["admin"]).delete(f"/api/v1/observations/{submitted['published'].pk}/")

    assert response.status_code == 409 and UNDER_REVIEW in response.json()["detail"]
    assert rounds_state() == before


def test_the_admins_approve_action_leaves_a_figure_under_review_to_its_set(client, submitted):
    client.force_login(submitted["admin"])
    before = rounds_state()

    response = client.post(reverse("admin:targets_observation_changelist"), {
        "action": "approve_selected", "_selected_action": [submitted["proposal"].pk]}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert UNDER_REVIEW in client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert rounds_state() == before


def test_returning_the_set_unfreezes_its_figures(submitted):
    returned = _api(submitted["admin"]).post(SET + "return/", {"version": 2, "comments": {"revenue": "Check it."}},
                                             format="json")
    assert returned.status_code == 200

    response = _api(submitted["economy_user"]).patch(f"/api/v1/observations/{submitted['proposal'].pk}/",
                                                     {"value": "725"}, format="json")

    assert response.status_code == 200, response.json()
    assert Observation.objects.get(pk=submitted["proposal"].pk).value == Decimal("725")


def test_approval_refuses_figures_changed_around_the_services(submitted):
    # A write that bypassed every service (a shell, a migration): the digest taken at submission
    # no longer matches, and nothing is published.
    Observation.objects.filter(pk=submitted["proposal"].pk).update(value=Decimal("9999"))
    before = rounds_state()

    response = _api(submitted["admin"]).post(SET + "approve/", {"version": 2}, format="json")

    assert response.status_code == 409 and "changed after they were submitted" in response.json()["detail"]
    assert rounds_state() == before
    assert Observation.objects.get(pk=submitted["published"].pk).value == Decimal("700")


def test_the_set_approval_itself_is_not_refused_and_a_round_elsewhere_is_not_frozen(zone):
    # A figure of another period than the set's is not under review.
    other = ObservationFactory(target=zone["revenue"], period_end=dt.date(2020, 12, 31), value=Decimal("650"))
    services.round_set_save_draft(round_set=zone["economy_set"], user=zone["economy_user"], expected_version=0,
                                  rows=[{"indicator": "revenue", "value": "720", "source_title": "Statistics"}])
    services.round_set_submit(round_set=zone["economy_set"], user=zone["economy_user"], expected_version=1)

    response = _api(zone["admin"]).patch(f"/api/v1/observations/{other.pk}/", {"value": "660"}, format="json")

    assert response.status_code == 200, response.json()
    services.round_set_approve(round_set=zone["economy_set"], user=zone["admin"], expected_version=2)
    assert Observation.objects.get(indicator=zone["revenue"].indicator, period_end=PERIOD).value == Decimal("720")
