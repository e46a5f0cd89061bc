"""The reporting-rounds API: rounds with sets, rows and audit; a set's actions as each role;
stale versions and repeats; and the observations list's status filter and visibility."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting import services
from targets.models import Observation
from tests.factories import ObservationFactory
from tests.reporting_zone import rounds_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

SET = "/api/v1/rounds/2021-annual/sets/kjj/"


def _client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


ROWS = [{"indicator": "patents", "value": "120", "source_title": "Bureau statistics 2021"}]


def test_a_round_runs_end_to_end_through_the_api(zone):
    clerk, admin = _client(zone["science_user"]), _client(zone["admin"])

    saved = clerk.post(SET + "save/", {"version": 0, "rows": ROWS}, format="json")
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["state"], saved.json()["version"]) == ("draft", 1)
    submitted = clerk.post(SET + "submit/", {"version": 1}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    returned = admin.post(SET + "return/", {"version": 2, "comments": {"patents": "Use the final figure."}},
                          format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    row = next(e for e in returned.json()["entries"] if e["indicator"] == "patents")
    assert (row["state"], row["return_comment"]) == ("returned", "Use the final figure.")
    clerk.post(SET + "save/", {"version": 3, "rows": [{**ROWS[0], "value": "118"}]}, format="json")
    clerk.post(SET + "submit/", {"version": 4}, format="json")
    approved = admin.post(SET + "approve/", {"version": 5, "without": {"achievements": "not collected in 2021"}},
                          format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert Observation.objects.get(indicator__code="patents").value == Decimal("118")

    listing = admin.get("/api/v1/rounds/")
    assert listing.status_code == 200
    round_ = listing.json()["results"][0]
    assert round_["code"] == "2021-annual" and sorted(round_["indicators"]) == ["achievements", "patents", "revenue"]
    science = next(s for s in round_["sets"] if s["agency"] == "kjj")
    assert [(c["from_state"], c["to_state"]) for c in science["changes"] if c["indicator"] is None] == [
        ("not_started", "draft"), ("draft", "submitted"), ("submitted", "returned"), ("returned", "draft"),
        ("draft", "submitted"), ("submitted", "approved")]
    assert any(c["comment"] == "Use the final figure." and c["indicator"] == "patents" for c in science["changes"])
    detail = clerk.get(SET)
    assert detail.status_code == 200 and detail.json()["version"] == 6
    assert clerk.get("/api/v1/rounds/2021-annual/").json()["code"] == "2021-annual"


def test_a_bad_row_is_a_400_naming_row_and_field_and_saves_nothing(zone):
    before = rounds_state()
    response = _client(zone["science_user"]).post(SET + "save/", {"version": 0, "rows": [
        *ROWS, {"indicator": "achievements", "value": "-1", "source_title": "S"}]}, format="json")
    assert response.status_code == 400
    assert "achievements.value" in response.json()
    assert rounds_state() == before


def test_stale_versions_and_repeats(zone):
    clerk, admin = _client(zone["science_user"]), _client(zone["admin"])
    clerk.post(SET + "save/", {"version": 0, "rows": ROWS}, format="json")
    clerk.post(SET + "submit/", {"version": 1}, format="json")
    assert admin.post(SET + "approve/", {"version": 2, "without": {"achievements": "not collected in 2021"}},
                      format="json").status_code == 200
    before = rounds_state()

    # The same request again: idempotent, answered with the set unchanged (submit likewise, below).
    again = admin.post(SET + "approve/", {"version": 2}, format="json")
    assert again.status_code == 200 and again.json()["version"] == 3
    # Approving the approved set: 409; a second administrator on the old version: 409.
    approved_twice = admin.post(SET + "approve/", {"version": 3}, format="json")
    assert approved_twice.status_code == 409 and "already approved" in approved_twice.json()["detail"]
    other = _client(type(zone["admin"]).objects.create_superuser("second-admin", "", "pw-for-tests-only"))
    stale = other.post(SET + "return/", {"version": 2, "comments": {"patents": "x"}}, format="json")
    assert stale.status_code == 409 and "Someone else acted on this set first" in stale.json()["detail"]
    # Bad input: 400.
    assert admin.post(SET + "approve/", {}, format="json").status_code == 400
    assert admin.post(SET + "approve/", {"version": "three"}, format="json").status_code == 400
    assert rounds_state() == before


@pytest.mark.parametrize("role", ["anonymous", "viewer", "other_clerk", "clerk", "zone_admin", "superuser"])
def test_actions_as_each_role(request, zone, role):
    user = {
        "anonymous": None, "viewer": request.getfixturevalue("viewer") if role == "viewer" else None,
        "other_clerk": zone["economy_user"], "clerk": zone["science_user"], "zone_admin": None,
        "superuser": zone["admin"],
    }[role]
    if role == "zone_admin":
        user = request.getfixturevalue("zone_admin")
    client = _client(user)
    may_enter = role in ("clerk", "zone_admin", "superuser")
    may_approve = role in ("zone_admin", "superuser")
    refused = 401 if role == "anonymous" else 403

    before = rounds_state()
    read = client.get("/api/v1/rounds/")
    assert read.status_code == (401 if role == "anonymous" else 200)
    saved = client.post(SET + "save/", {"version": 0, "rows": ROWS}, format="json")
    assert saved.status_code == (200 if may_enter else refused)
    if not may_enter:
        assert rounds_state() == before
        # Set up as the clerk, so that approval and return are reachable.
        services.round_set_save_draft(round_set=zone["science_set"], rows=ROWS, user=zone["science_user"],
                                      expected_version=0)
    submitted = client.post(SET + "submit/", {"version": 1}, format="json")
    assert submitted.status_code == (200 if may_enter else refused)
    if not may_enter:
        services.round_set_submit(round_set=zone["science_set"], user=zone["science_user"], expected_version=1)
    before = rounds_state()
    returned = client.post(SET + "return/", {"version": 2, "comments": {"patents": "x"}}, format="json")
    assert returned.status_code == (200 if may_approve else refused)
    if not may_approve:
        assert rounds_state() == before
        approved = client.post(SET + "approve/", {"version": 2}, format="json")
        assert approved.status_code == refused
        assert rounds_state() == before


def test_observations_in_waiting_are_invisible_to_readers_without_the_permission(zone, viewer):
    approved = ObservationFactory(target=zone["revenue"], period_end=dt.date(2020, 12, 31), value=Decimal("1500"))
    services.round_set_save_draft(round_set=zone["science_set"], rows=ROWS, user=zone["science_user"],
                                  expected_version=0)
    for user in (None, viewer):
        found = _client(user).get("/api/v1/observations/").json()["results"]
        assert [o["id"] for o in found] == [approved.pk]
        assert _client(user).get("/api/v1/observations/", {"status": "draft"}).json()["results"] == []
        assert _client(user).get("/api/v1/indicators/patents/").json()["observations"] == []
    clerk = _client(zone["science_user"])
    drafts = clerk.get("/api/v1/observations/", {"status": "draft"}).json()["results"]
    assert [(o["indicator"], o["status"]) for o in drafts] == [("patents", "draft")]
    assert len(clerk.get("/api/v1/observations/").json()["results"]) == 2
    assert clerk.get("/api/v1/observations/", {"status": "pending"}).status_code == 400


def test_the_rounds_list_costs_the_same_queries_for_one_or_three_rounds(zone):
    client = _client(zone["admin"])
    services.round_set_save_draft(round_set=zone["science_set"], rows=ROWS, user=zone["science_user"],
                                  expected_version=0)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/rounds/").status_code == 200
        return len(queries)

    one = count()
    for year in (2022, 2023):
        services.round_create(code=f"{year}-annual", name_zh=f"{year} 年度", name_en=f"{year} annual",
                              plan=zone["plan"], period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31),
                              opens_on=dt.date(year + 1, 1, 1), due_on=dt.date(year + 1, 1, 31), user=zone["admin"])
    assert count() == one


def test_a_repeated_submit_is_answered_unchanged_and_someone_elses_is_told(zone):
    clerk = _client(zone["science_user"])
    clerk.post(SET + "save/", {"version": 0, "rows": ROWS}, format="json")
    assert clerk.post(SET + "submit/", {"version": 1}, format="json").status_code == 200
    before = rounds_state()

    again = clerk.post(SET + "submit/", {"version": 1}, format="json")
    by_admin = _client(zone["admin"]).post(SET + "submit/", {"version": 1}, format="json")

    assert again.status_code == 200 and again.json()["version"] == 2
    assert by_admin.status_code == 409
    assert rounds_state() == before
