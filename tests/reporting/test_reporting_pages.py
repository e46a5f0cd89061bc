"""The reporting pages as each role: the rounds list, an agency's grid (save draft, submit,
errors beside the row, stale versions), the approval page (approve, return with comments,
audit) and the completeness page; nothing written on bad input; pinned query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import RoundEntry, RoundSet, State
from targets.models import Observation
from tests.reporting_zone import make_zone, rounds_state, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(roles, zone_day):
    return make_zone()


@pytest.fixture(autouse=True)
def _english(client):
    # The site's default is Chinese; these tests read the English text (one test reads the Chinese).
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _urls(zone):
    code = zone["round"].code
    return {
        "rounds": reverse("reporting:rounds"),
        "set": reverse("reporting:set", args=[code, "kjj"]),
        "template": reverse("reporting:set_template", args=[code, "kjj"]),
        "template_csv": reverse("reporting:set_template_csv", args=[code, "kjj"]),
        "round": reverse("reporting:round", args=[code]),
        "completeness": reverse("reporting:completeness", args=[code]),
    }


# Who gets what, per page: the S&T member may open its own set, not the approval page.
EXPECTED = {
    "science_user": {"rounds": 200, "set": 200, "template": 200, "template_csv": 200, "round": 403, "completeness": 200},
    "economy_user": {"rounds": 200, "set": 403, "template": 403, "template_csv": 403, "round": 403, "completeness": 200},
    "viewer": {"rounds": 403, "set": 403, "template": 403, "template_csv": 403, "round": 403, "completeness": 403},
    "admin": {"rounds": 200, "set": 200, "template": 200, "template_csv": 200, "round": 200, "completeness": 200},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_page_as_each_role(client, zone, viewer, who):
    client.force_login(viewer if who == "viewer" else zone[who])
    for page, url in _urls(zone).items():
        response = client.get(url)
        assert response.status_code == EXPECTED[who][page], (who, page)
        if response.status_code == 403:
            assert "Not allowed" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, zone):
    for url in _urls(zone).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_rounds_list_shows_a_members_own_sets_only(client, zone):
    client.force_login(zone["science_user"])
    page = client.get(reverse("reporting:rounds")).content.decode()
    assert "2021 annual" in page and reverse("reporting:set", args=["2021-annual", "kjj"]) in page
    assert reverse("reporting:set", args=["2021-annual", "jxj"]) not in page


def _grid_post(version, action="save", **values):
    data = {"version": str(version), "action": action}
    for code, fields in values.items():
        for field, value in fields.items():
            data[f"{code}-{field}"] = value
    return data


def test_the_grid_shows_last_periods_value_unit_and_fields(client, zone):
    Observation.objects.create(indicator=zone["patents"].indicator, period_end="2020-12-31", value=97,
                               source_title="2020 report")
    client.force_login(zone["science_user"])
    page = client.get(reverse("reporting:set", args=["2021-annual", "kjj"])).content.decode()
    assert 'name="version" value="0"' in page
    assert ">97<" in page  # last period's value beside this one
    for field in ("value", "qualifier", "source_title", "source_url", "quote", "definition_note", "confidence",
                  "scope"):
        assert f'name="patents-{field}"' in page
    assert "Save draft" in page and "Submit the set" in page


def test_a_member_saves_a_draft_then_submits(client, zone):
    client.force_login(zone["science_user"])
    url = reverse("reporting:set", args=["2021-annual", "kjj"])
    response = client.post(url, _grid_post(0, patents={"value": "120", "source_title": "Bureau report",
                                                       "qualifier": "exact", "confidence": "high"}))
    assert response.status_code == 302
    saved = Observation.objects.get(indicator__code="patents")
    assert (saved.value, saved.status) == (120, Observation.Status.DRAFT)
    assert RoundSet.objects.get(pk=zone["science_set"].pk).state == State.DRAFT
    response = client.post(url, _grid_post(1, action="submit", patents={"value": "121", "source_title": "Bureau report"}))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.value, saved.status) == (121, Observation.Status.SUBMITTED)
    round_set = RoundSet.objects.get(pk=zone["science_set"].pk)
    assert (round_set.state, round_set.submitted_by) == (State.SUBMITTED, zone["science_user"])
    page = client.get(url).content.decode()
    assert "waits for a zone administrator" in page and "Save draft" not in page


def test_a_bad_row_shows_beside_it_and_nothing_is_saved(client, zone):
    client.force_login(zone["science_user"])
    before = rounds_state()
    response = client.post(reverse("reporting:set", args=["2021-annual", "kjj"]), _grid_post(
        0, action="submit", patents={"value": "120", "source_title": "Bureau report"},
        achievements={"value": "-3", "source_title": "Bureau report"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="row-achievements"' in page and "has-errors" in page
    assert 'value="120"' in page  # what was typed is kept
    assert rounds_state() == before


def test_an_outlier_is_saved_once_confirmed_beside_its_row(client, zone):
    client.force_login(zone["science_user"])
    url = reverse("reporting:set", args=["2021-annual", "kjj"])
    before = rounds_state()
    response = client.post(url, _grid_post(0, patents={"value": "5000", "source_title": "Bureau report"}))
    assert response.status_code == 400 and 'name="patents-confirm_outlier"' in response.content.decode()
    assert rounds_state() == before
    response = client.post(url, _grid_post(0, patents={"value": "5000", "source_title": "Bureau report",
                                                       "confirm_outlier": "on"}))
    assert response.status_code == 302
    assert Observation.objects.get(indicator__code="patents").value == 5000


def test_a_stale_version_says_someone_else_acted_first(client, zone):
    services.round_set_save_draft(round_set=zone["science_set"], rows=[row("patents", "120")],
                                  user=zone["science_user"], expected_version=0)
    client.force_login(zone["science_user"])
    before = rounds_state()
    response = client.post(reverse("reporting:set", args=["2021-annual", "kjj"]),
                           _grid_post(0, patents={"value": "130", "source_title": "Bureau report"}))
    assert response.status_code == 409
    assert "Someone else acted first; reload." in response.content.decode()
    assert rounds_state() == before


def test_another_agencys_member_cannot_write_the_set(client, zone, viewer):
    for user in (zone["economy_user"], viewer):
        client.force_login(user)
        before = rounds_state()
        response = client.post(reverse("reporting:set", args=["2021-annual", "kjj"]),
                               _grid_post(0, patents={"value": "120", "source_title": "x"}))
        assert response.status_code == 403
        assert rounds_state() == before


def _submitted(zone):
    round_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                              expected_version=0,
                                              rows=[row("patents", "120"), row("achievements", "2")])
    return services.round_set_submit(round_set=round_set, user=zone["science_user"], expected_version=round_set.version)


def test_the_administrator_returns_with_a_comment_per_row_and_the_audit_shows_it(client, zone):
    round_set = _submitted(zone)
    client.force_login(zone["admin"])
    page = client.get(reverse("reporting:round", args=["2021-annual"])).content.decode()
    assert 'name="patents-comment"' in page and "Approve the set of" in page
    response = client.post(reverse("reporting:set_return", args=["2021-annual", "kjj"]),
                           {"version": round_set.version, "patents-comment": "The report says 112.",
                            "achievements-comment": ""})
    assert response.status_code == 302
    entry = RoundEntry.objects.get(set=round_set, indicator__code="patents")
    assert (entry.state, entry.return_comment) == (State.RETURNED, "The report says 112.")
    page = client.get(reverse("reporting:round", args=["2021-annual"])).content.decode()
    assert "The report says 112." in page and "zone-admin" in page  # who, and the comment
    client.force_login(zone["science_user"])
    page = client.get(reverse("reporting:set", args=["2021-annual", "kjj"])).content.decode()
    assert "Returned:" in page and "The report says 112." in page


def test_returning_without_a_comment_changes_nothing(client, zone):
    round_set = _submitted(zone)
    client.force_login(zone["admin"])
    before = rounds_state()
    response = client.post(reverse("reporting:set_return", args=["2021-annual", "kjj"]),
                           {"version": round_set.version, "patents-comment": " "})
    assert response.status_code == 400 and "comment on at least one row" in response.content.decode()
    assert rounds_state() == before


def test_approve_publishes_and_approving_again_is_refused(client, zone):
    round_set = _submitted(zone)
    client.force_login(zone["admin"])
    url = reverse("reporting:set_approve", args=["2021-annual", "kjj"])
    assert client.post(url, {"version": round_set.version}).status_code == 302
    assert set(Observation.objects.values_list("status", flat=True)) == {Observation.Status.APPROVED}
    before = rounds_state()
    other_admin = type(zone["admin"]).objects.create_superuser("other-admin", "o@example.org", "pw-for-tests-only")
    client.force_login(other_admin)
    response = client.post(url, {"version": round_set.version + 1})
    assert response.status_code == 400 and "already approved" in response.content.decode()
    response = client.post(url, {"version": round_set.version})  # the version before someone approved it
    assert response.status_code == 409 and "Someone else acted first" in response.content.decode()
    assert rounds_state() == before


def test_members_and_viewers_cannot_approve_or_return(client, zone, viewer):
    round_set = _submitted(zone)
    for user in (zone["science_user"], zone["economy_user"], viewer):
        client.force_login(user)
        before = rounds_state()
        for action in ("set_approve", "set_return"):
            response = client.post(reverse(f"reporting:{action}", args=["2021-annual", "kjj"]),
                                   {"version": round_set.version, "patents-comment": "no"})
            assert response.status_code == 403
        assert rounds_state() == before
    client.logout()
    response = client.post(reverse("reporting:set_approve", args=["2021-annual", "kjj"]), {"version": 2})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_completeness_page_counts_and_draws_a_chart(client, zone, zone_day):
    round_set = _submitted(zone)
    services.round_set_approve(round_set=round_set, user=zone["admin"], expected_version=round_set.version)
    client.force_login(zone["admin"])
    zone_day(dt.date(2022, 2, 1))
    page = client.get(reverse("reporting:completeness", args=["2021-annual"])).content.decode()
    assert 'data-agency="kjj"' in page and 'data-approved-share="100"' in page
    assert 'data-approved-share="0"' in page  # the economy bureau has not reported
    assert "overdue" in page  # due 2022-01-31, past
    assert "plotly/plotly.min.js" in page and "chart-completeness" in page


# Queries per page, whatever the number of indicators (the first request warms the session).
# One of them is the second factor's (access.middleware): the administrator's verified device.
PINNED = {"rounds": 9, "set": 10, "round": 10, "completeness": 8, "template": 9}


@pytest.mark.parametrize("extra", [0, 15])
@pytest.mark.parametrize("page", sorted(PINNED))
def test_query_counts_are_pinned_at_two_sizes(client, roles, zone_day, django_assert_num_queries, page, extra):
    zone = make_zone(extra=extra)
    codes = ["patents", "achievements", *[f"more-{n}" for n in range(extra)]]
    round_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                              expected_version=0, rows=[row(code, "2") for code in codes])
    services.round_set_submit(round_set=round_set, user=zone["science_user"], expected_version=round_set.version)
    client.force_login(zone["admin"])
    url = _urls(zone)[page]
    assert client.get(url).status_code == 200
    with django_assert_num_queries(PINNED[page]):
        assert client.get(url).status_code == 200


def test_the_overview_shows_each_targets_latest_round_state_and_follows_it(client, zone):
    from snapshots.services import snapshots_recompute

    snapshots_recompute(as_of=zone["round"].period_end)
    url = reverse("dashboard:plan", args=[zone["plan"].code])
    page = client.get(url).content.decode()
    assert "2021 annual: awaiting S&amp;T bureau" in page
    _submitted(zone)  # the set changes, the plan's data does not: the cached page must not be served
    page = client.get(url).content.decode()
    assert "2021 annual: submitted, awaiting approval" in page
    assert "2021 annual: awaiting economy bureau" in page


def test_the_pages_are_in_chinese_too(client, zone):
    client.force_login(zone["science_user"])
    page = client.get(reverse("reporting:set", args=["2021-annual", "kjj"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "保存草稿" in text and "提交报送表" in text and "上期" in text


def test_submitting_an_empty_grid_saves_nothing(client, zone):
    client.force_login(zone["science_user"])
    before = rounds_state()
    response = client.post(reverse("reporting:set", args=["2021-annual", "kjj"]), _grid_post(0, action="submit"))
    assert response.status_code == 400 and "Enter at least one figure" in response.content.decode()
    assert rounds_state() == before  # the draft save before the refused submit is rolled back too


def test_a_form_without_its_version_is_a_bad_request(client, zone):
    client.force_login(zone["science_user"])
    before = rounds_state()
    data = _grid_post(0, patents={"value": "120", "source_title": "x"})
    del data["version"]
    assert client.post(reverse("reporting:set", args=["2021-annual", "kjj"]), data).status_code == 400
    assert rounds_state() == before


def test_the_target_page_shows_a_revision_beside_the_figure(client, zone):
    from snapshots.services import snapshots_recompute

    Observation.objects.create(indicator=zone["patents"].indicator, period_end="2021-12-31", value=100,
                               source_title="Preliminary")
    round_set = services.round_set_save_draft(
        round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
        rows=[row("patents", "112", revision_reason="final statistics")])
    round_set = services.round_set_submit(round_set=round_set, user=zone["science_user"],
                                          expected_version=round_set.version)
    services.round_set_approve(round_set=round_set, user=zone["admin"], expected_version=round_set.version,
                               without={"achievements": "not collected in 2021"})
    snapshots_recompute(as_of=zone["round"].period_end)
    page = client.get(reverse("dashboard:target", args=[zone["plan"].code, "patents"]),
                      {"as_of": "2021-12-31"}).content.decode()
    assert "revised from 100 patents to 112 patents on" in page and "final statistics" in page


# Two of them are the second factor's: whether data entry has enrolled a device (an authenticator
# app, or recovery codes: one query per kind of device).
MEMBER_PINNED = {"rounds": 10, "set": 12, "completeness": 11}


@pytest.mark.parametrize("extra", [0, 15])
@pytest.mark.parametrize("page", sorted(MEMBER_PINNED))
def test_a_members_query_counts_are_pinned_at_two_sizes(client, roles, zone_day, django_assert_num_queries, page, extra):
    zone = make_zone(extra=extra)
    codes = ["patents", "achievements", *[f"more-{n}" for n in range(extra)]]
    services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                  rows=[row(code, "2") for code in codes])
    client.force_login(zone["science_user"])
    url = _urls(zone)[page]
    assert client.get(url).status_code == 200
    with django_assert_num_queries(MEMBER_PINNED[page]):
        assert client.get(url).status_code == 200
