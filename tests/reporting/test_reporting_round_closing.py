"""Rounds close: after the due date plus the grace period, or when a zone administrator closes
them; an administrator reopens them (optionally until a day); every change is audited. A
closed round refuses drafts and submissions on every path (API, grid page, upload) and changes
nothing; approval of submitted sets goes on. Approving a set with empty rows needs a reason
per row ("approve without"), and the dashboard then says what is true.

The zone's round is due on 31 Jan 2022; the clock is set with `zone_day` (no sleeps)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting import selectors, services
from reporting.models import Round, RoundEntry, RoundState, RoundStateChange, State, StateChange
from targets.models import Indicator
from tests.reporting_zone import rounds_state, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled", "english")]

SET = "/api/v1/rounds/2021-annual/sets/kjj/"
ROUND = "/api/v1/rounds/2021-annual/"
CLOSED = "This round closed on 31 Jan 2022. A zone administrator can reopen it."
AFTER_DUE = dt.date(2022, 2, 1)
WITHOUT = {"achievements": "The ministry stopped collecting it in 2021."}


def _client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _everything():
    """rounds_state plus the rounds and their audit."""
    return (*rounds_state(), list(Round.objects.order_by("pk").values()),
            list(RoundStateChange.objects.order_by("pk").values()))


def _submitted_patents(zone):
    round_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                              expected_version=0, rows=[row("patents", "120")])
    return services.round_set_submit(round_set=round_set, user=zone["science_user"], expected_version=1)


# --- the state ------------------------------------------------------------------------------

def test_a_round_closes_the_day_after_its_due_date_plus_the_grace_period(zone):
    round_ = zone["round"]
    assert selectors.round_status(round_, today=dt.date(2022, 1, 31)).state == RoundState.OPEN
    closed = selectors.round_status(round_, today=AFTER_DUE)
    assert (closed.state, closed.closed_on) == (RoundState.CLOSED, dt.date(2022, 1, 31))
    round_.grace_days = 3
    assert selectors.round_status(round_, today=dt.date(2022, 2, 3)).state == RoundState.OPEN
    assert selectors.round_status(round_, today=dt.date(2022, 2, 4)).closed_on == dt.date(2022, 2, 3)


def test_a_closed_round_refuses_drafts_and_submissions_and_changes_nothing(zone, zone_day):
    saved = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                          expected_version=0, rows=[row("patents", "120")])
    zone_day(AFTER_DUE)
    before = _everything()
    with pytest.raises(ValidationError, match=CLOSED):
        services.round_set_save_draft(round_set=saved, user=zone["science_user"], expected_version=1,
                                      rows=[row("patents", "121")])
    with pytest.raises(ValidationError, match=CLOSED) as refused:
        services.round_set_submit(round_set=saved, user=zone["science_user"], expected_version=1)
    assert refused.value.code == "round_closed"
    with pytest.raises(ValidationError, match=CLOSED):  # a zone administrator entering for the agency too
        services.round_set_save_draft(round_set=saved, user=zone["admin"], expected_version=1,
                                      rows=[row("patents", "121")])
    assert _everything() == before


def test_an_administrator_closes_and_reopens_a_round_and_each_change_is_audited(zone, zone_day):
    admin = zone["admin"]
    services.round_close(round_=zone["round"], user=admin, comment="The statistics office needs the figures.")
    round_ = Round.objects.get(pk=zone["round"].pk)
    assert selectors.round_status(round_).closed
    with pytest.raises(ValidationError, match="This round closed on 20 Jan 2022. A zone administrator can reopen"):
        services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                      rows=[row("patents", "120")])
    with pytest.raises(ValidationError, match="already closed"):
        services.round_close(round_=round_, user=admin)

    zone_day(dt.date(2022, 3, 1))  # long past the due date: only an administrator's reopening opens it
    services.round_reopen(round_=round_, user=admin, until=dt.date(2022, 3, 10), comment="Late statistics.")
    round_ = Round.objects.get(pk=round_.pk)
    assert selectors.round_status(round_).state == RoundState.REOPENED
    saved = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                          expected_version=0, rows=[row("patents", "120")])
    assert saved.version == 1
    with pytest.raises(ValidationError, match="only a closed round can be reopened"):
        services.round_reopen(round_=round_, user=admin)
    zone_day(dt.date(2022, 3, 11))  # the reopening's last day has passed
    with pytest.raises(ValidationError, match="This round closed on 10 Mar 2022"):
        services.round_set_submit(round_set=saved, user=zone["science_user"], expected_version=1)

    audit = list(RoundStateChange.objects.filter(round=round_).order_by("at", "id").values_list(
        "from_state", "to_state", "actor", "comment", "reopened_until"))
    assert audit == [
        ("open", "closed", admin.pk, "The statistics office needs the figures.", None),
        ("closed", "reopened", admin.pk, "Late statistics.", dt.date(2022, 3, 10)),
    ]


def test_a_new_due_date_that_reopens_the_round_is_audited(zone, zone_day):
    zone_day(AFTER_DUE)
    round_ = Round.objects.get(pk=zone["round"].pk)
    round_.grace_days = 7
    services.round_update(round_=round_, user=zone["admin"])
    change = RoundStateChange.objects.get(round=round_)
    assert (change.from_state, change.to_state, change.actor) == ("closed", "open", zone["admin"])


@pytest.mark.parametrize("who", ["science_user", "viewer"])
def test_only_a_zone_administrator_closes_or_reopens(zone, viewer, who):
    user = viewer if who == "viewer" else zone[who]
    before = _everything()
    with pytest.raises(PermissionDenied):
        services.round_close(round_=zone["round"], user=user)
    assert _everything() == before
    services.round_close(round_=zone["round"], user=zone["admin"])
    before = _everything()
    with pytest.raises(PermissionDenied):
        services.round_reopen(round_=zone["round"], user=user)
    assert _everything() == before


def test_approval_and_return_go_on_after_the_round_closed(zone, zone_day):
    submitted = _submitted_patents(zone)
    zone_day(AFTER_DUE)
    approved = services.round_set_approve(round_set=submitted, user=zone["admin"], expected_version=2,
                                          without=WITHOUT)
    assert approved.state == State.APPROVED


# --- the API ---------------------------------------------------------------------------------

def test_the_api_closes_and_reopens_for_an_administrator_and_shows_the_state(zone, zone_day):
    admin = _client(zone["admin"])
    listed = admin.get(ROUND).json()
    assert (listed["state"], listed["closes_on"], listed["grace_days"]) == ("open", "2022-01-31", 0)

    closed = admin.post(ROUND + "close/", {"comment": "Early close."}, format="json")
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["state"], closed.json()["closed_on"]) == ("closed", "2022-01-20")
    assert closed.json()["state_changes"][0] | {"at": None} == {
        "at": None, "from_state": "open", "to_state": "closed", "reopened_until": None, "actor": "zone-admin",
        "comment": "Early close."}
    assert admin.post(ROUND + "close/", {}, format="json").status_code == 409

    reopened = admin.post(ROUND + "reopen/", {"until": "2022-02-15"}, format="json")
    assert reopened.status_code == 200
    assert (reopened.json()["state"], reopened.json()["closes_on"]) == ("reopened", "2022-02-15")
    assert admin.post(ROUND + "reopen/", {}, format="json").status_code == 409
    assert RoundStateChange.objects.count() == 2


@pytest.mark.parametrize("who", ["science_user", "viewer"])
def test_the_api_refuses_close_and_reopen_to_others_and_changes_nothing(zone, viewer, who):
    client = _client(viewer if who == "viewer" else zone[who])
    before = _everything()
    assert client.post(ROUND + "close/", {}, format="json").status_code == 403
    assert _everything() == before
    services.round_close(round_=zone["round"], user=zone["admin"])
    before = _everything()
    assert client.post(ROUND + "reopen/", {}, format="json").status_code == 403
    assert _everything() == before


def test_the_api_refuses_save_and_submit_in_a_closed_round(zone, zone_day):
    clerk = _client(zone["science_user"])
    assert clerk.post(SET + "save/", {"version": 0, "rows": [row("patents", "120")]}, format="json").status_code == 200
    zone_day(AFTER_DUE)
    before = _everything()
    saved = clerk.post(SET + "save/", {"version": 1, "rows": [row("patents", "121")]}, format="json")
    submitted = clerk.post(SET + "submit/", {"version": 1}, format="json")
    assert (saved.status_code, submitted.status_code) == (409, 409)
    assert CLOSED in saved.json()["detail"] and CLOSED in submitted.json()["detail"]
    assert _everything() == before


def test_approving_with_empty_rows_needs_a_reason_for_each(zone):
    _submitted_patents(zone)
    admin = _client(zone["admin"])
    before = _everything()
    refused = admin.post(SET + "approve/", {"version": 2}, format="json")
    assert refused.status_code == 400
    assert "achievements" in refused.json()["without"][0]
    blank = admin.post(SET + "approve/", {"version": 2, "without": {"achievements": "  "}}, format="json")
    assert blank.status_code == 400
    wrong = admin.post(SET + "approve/", {"version": 2, "without": {**WITHOUT, "patents": "x"}}, format="json")
    assert wrong.status_code == 400 and "patents" in wrong.json()["without"][0]
    assert _everything() == before

    approved = admin.post(SET + "approve/", {"version": 2, "without": WITHOUT}, format="json")
    assert approved.status_code == 200, approved.json()
    entry = next(e for e in approved.json()["entries"] if e["indicator"] == "achievements")
    assert (entry["state"], entry["not_reported_reason"]) == ("not_reported", WITHOUT["achievements"])
    audit = StateChange.objects.get(entry__indicator__code="achievements")
    assert (audit.to_state, audit.comment, audit.actor) == (State.NOT_REPORTED, WITHOUT["achievements"],
                                                            zone["admin"])


# --- the pages -------------------------------------------------------------------------------

@pytest.fixture
def english_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_grid_and_the_upload_refuse_a_closed_round_and_say_who_reopens_it(english_client, zone, zone_day):
    client = english_client
    client.force_login(zone["science_user"])
    url = reverse("reporting:set", args=["2021-annual", "kjj"])
    zone_day(AFTER_DUE)
    page = client.get(url).content.decode()
    assert CLOSED in page and "Save draft" not in page and 'data-round-state="closed"' in page
    before = _everything()
    for action in ("save", "submit"):
        response = client.post(url, {"version": "0", "action": action, "patents-value": "120",
                                     "patents-source_title": "Bureau statistics"})
        assert response.status_code == 400 and CLOSED in response.content.decode()
    upload = io.BytesIO(b"indicator,value,source_title\npatents,120,Bureau statistics\n")
    upload.name = "filled.csv"
    response = client.post(reverse("reporting:set_upload", args=["2021-annual", "kjj"]),
                           {"version": "0", "file": upload})
    assert response.status_code == 400 and CLOSED in response.content.decode()
    assert _everything() == before


def test_the_approval_page_asks_a_reason_per_empty_row(english_client, zone):
    client = english_client
    _submitted_patents(zone)
    client.force_login(zone["admin"])
    page = client.get(reverse("reporting:round", args=["2021-annual"])).content.decode()
    assert 'name="achievements-without"' in page and 'name="patents-without"' not in page
    assert 'data-round-state="open"' in page
    url = reverse("reporting:set_approve", args=["2021-annual", "kjj"])
    before = _everything()
    refused = client.post(url, {"version": "2", "achievements-without": ""})
    assert refused.status_code == 400 and "These indicators have no figure: achievements" in refused.content.decode()
    assert _everything() == before
    assert client.post(url, {"version": "2", "achievements-without": WITHOUT["achievements"]}).status_code == 302
    entry = RoundEntry.objects.get(indicator__code="achievements")
    assert (entry.state, entry.not_reported_reason) == (State.NOT_REPORTED, WITHOUT["achievements"])


def test_the_admin_closes_and_reopens_rounds_with_its_actions(client, zone):
    client.force_login(zone["admin"])
    changelist = reverse("admin:reporting_round_changelist")
    response = client.post(changelist, {"action": "close_rounds", "_selected_action": [zone["round"].pk]})
    assert response.status_code == 302
    assert selectors.round_status(Round.objects.get(pk=zone["round"].pk)).closed
    client.post(changelist, {"action": "reopen_rounds", "_selected_action": [zone["round"].pk]})
    assert selectors.round_status(Round.objects.get(pk=zone["round"].pk)).state == RoundState.REOPENED
    assert list(RoundStateChange.objects.values_list("to_state", "actor")) == [
        ("closed", zone["admin"].pk), ("reopened", zone["admin"].pk)]
    page = client.get(reverse("admin:reporting_round_change", args=[zone["round"].pk])).content.decode()
    assert "audit: closing and reopening" in page or "关闭与重新开放" in page


# --- the dashboard ---------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "approved", "closed", "awaiting"), [
    ("en", "2021 annual: approved; not reported: {name} ({reason})", "2021 annual: closed; not reported by {agency}",
     "2021 annual: awaiting"),
    ("zh-hans", "2021 年度: 已审核通过；未填报：{name}（{reason}）", "2021 年度: 已关闭；{agency}未填报", "2021 年度: 待"),
], ids=["en", "zh-hans"])
def test_the_overview_says_what_is_true_of_an_approved_set_and_a_closed_round(client, zone, zone_day, language,
                                                                             approved, closed, awaiting):
    from snapshots.services import snapshots_recompute

    submitted = _submitted_patents(zone)
    services.round_set_approve(round_set=submitted, user=zone["admin"], expected_version=2, without=WITHOUT)
    zone_day(AFTER_DUE)
    snapshots_recompute(as_of=zone["round"].period_end)
    achievements = Indicator.objects.get(code="achievements")
    page = client.get(reverse("dashboard:plan", args=[zone["plan"].code]), HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    name = achievements.name_en if language == "en" else (achievements.name_zh or achievements.name_en)
    from django.utils.html import escape

    assert escape(approved.format(name=name, reason=WITHOUT["achievements"])) in text
    assert escape(closed.format(agency=zone["economy"].short_name(language))) in text
    assert escape(awaiting) not in text
