"""The write side of the REST API: entries and measure updates through the services,
who may write, and bad input (a clear 400 and nothing written)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from measures.models import Measure, MeasureUpdate
from snapshots.models import Snapshot
from targets.models import Agency, Indicator, Observation, Target
from tests.factories import MeasureFactory, MeasureUpdateFactory, ObservationFactory, SnapshotFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]


def _client_for(user) -> APIClient:
    # Messages are asserted in English; without the header they come in Chinese.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def clerk_of_every_agency(hangzhou_plan, data_entry_user):
    """A data-entry user belonging to every agency of the plan's fixture: may enter every figure
    (their figures wait for approval)."""
    for agency in Agency.objects.all():
        agency.members.add(data_entry_user)
    return data_entry_user


@pytest.fixture
def entry_clerk(clerk_of_every_agency):
    return _client_for(clerk_of_every_agency)


@pytest.fixture
def measure(hangzhou_plan):
    return Measure.objects.filter(area__plan=hangzhou_plan).order_by("number").first()


def _entries():
    return list(Observation.objects.order_by("pk").values())


def _updates():
    return list(MeasureUpdate.objects.order_by("pk").values()), list(Measure.objects.order_by("pk").values())


NEW_ENTRY = {
    "indicator": "ai-industry-revenue",
    "period_end": "2021-12-31",
    "value": "1800.5",
    "qualifier": "exact",
    "source_title": "Hangzhou statistical bulletin 2021",
    "source_url": "https://tjj.hangzhou.gov.cn/example",
    "quote": "人工智能产业营收1800.5亿元",
    "confidence": "medium",
}


def test_it_creates_an_entry_through_the_service(entry_clerk, data_entry_user, hangzhou_plan):
    response = entry_clerk.post("/api/v1/observations/", NEW_ENTRY, format="json")

    assert response.status_code == 201, response.json()
    entry = Observation.objects.get(pk=response.json()["id"])
    assert entry.indicator.code == "ai-industry-revenue"
    assert entry.scope == ""  # the indicator's own definition
    assert entry.period_end == dt.date(2021, 12, 31)
    assert entry.value == Decimal("1800.5")
    assert entry.confidence == "medium"
    assert entry.entered_by == data_entry_user
    assert entry.is_synthetic is False
    assert response.json()["is_synthetic"] is False


def test_it_accepts_the_indicator_by_id(entry_clerk, hangzhou_plan):
    indicator = Indicator.objects.get(code="ai-industry-revenue")

    response = entry_clerk.post("/api/v1/observations/", {**NEW_ENTRY, "indicator": indicator.pk}, format="json")

    assert response.status_code == 201
    assert Observation.objects.filter(indicator=indicator, period_end="2021-12-31").exists()


@pytest.mark.parametrize("key", ["industry-size", "id"])
def test_the_deprecated_target_key_means_its_indicator(entry_clerk, hangzhou_plan, key):
    """For one release a client of the old /entries/ may still name the target."""
    target = Target.objects.get(code="industry-size")
    body = {k: v for k, v in NEW_ENTRY.items() if k != "indicator"}

    response = entry_clerk.post("/api/v1/observations/", {**body, "target": target.pk if key == "id" else key},
                                format="json")

    assert response.status_code == 201, response.json()
    assert Observation.objects.get(pk=response.json()["id"]).indicator == target.indicator


def test_the_old_entries_address_redirects_with_method_and_query_kept(entry_clerk, hangzhou_plan):
    before = _entries()

    listing = entry_clerk.get("/api/v1/entries/?page=1")
    posted = entry_clerk.post("/api/v1/entries/", NEW_ENTRY, format="json")

    assert listing.status_code == 308
    assert listing["Location"] == "/api/v1/observations/?page=1"
    assert listing["Deprecation"] == "true"
    assert posted.status_code == 308  # the client repeats the POST at the new address
    assert posted["Location"] == "/api/v1/observations/"
    assert _entries() == before
    followed = entry_clerk.post("/api/v1/entries/", NEW_ENTRY, format="json", follow=True)
    assert followed.status_code == 201


@pytest.fixture
def entry_admin(zone_admin, hangzhou_plan):
    return _client_for(zone_admin)


def test_a_zone_administrator_changes_an_entry_in_place(entry_admin, hangzhou_plan):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")

    response = entry_admin.patch(f"/api/v1/observations/{entry.pk}/", {"value": 1550, "confidence": "medium"}, format="json")

    assert response.status_code == 200, response.json()
    entry.refresh_from_db()
    assert entry.value == Decimal("1550")
    assert entry.confidence == "medium"
    assert entry.qualifier == "at_least"  # untouched
    assert entry.status == "approved"
    assert entry.revisions.get().previous_value == Decimal("1500")


def test_a_clerks_change_is_a_proposal_beside_the_approved_entry(entry_clerk, hangzhou_plan):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")

    response = entry_clerk.patch(f"/api/v1/observations/{entry.pk}/", {"value": 1550, "confidence": "medium"}, format="json")

    assert response.status_code == 200, response.json()
    proposal = Observation.objects.get(pk=response.json()["id"])
    assert proposal.pk != entry.pk
    assert (proposal.status, proposal.value, proposal.confidence, proposal.qualifier) == (
        "submitted", Decimal("1550"), "medium", "at_least")
    entry.refresh_from_db()
    assert (entry.value, entry.status) == (Decimal("1500"), "approved")  # still what is published


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"indicator": "hnte-enterprises"}, "indicator", "stays with its indicator"),
    ({"period_end": "2019-12-31"}, "period_end", "keeps the figure's period"),
])
def test_a_clerks_proposal_keeps_indicator_and_period(entry_clerk, hangzhou_plan, change, field, message):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    before = _entries()

    response = entry_clerk.patch(f"/api/v1/observations/{entry.pk}/", change, format="json")

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert _entries() == before


def test_a_zone_administrator_deletes_an_entry(entry_admin, hangzhou_plan):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")

    response = entry_admin.delete(f"/api/v1/observations/{entry.pk}/")

    assert response.status_code == 204
    assert not Observation.objects.filter(pk=entry.pk).exists()
    assert Observation.objects.count() == 5 - 1  # 3 in the 2020 plan's fixture, 2 in the 2025 plan's


def test_a_clerk_may_not_delete_an_approved_entry_only_a_pending_one(entry_clerk, hangzhou_plan):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    before = _entries()

    refused = entry_clerk.delete(f"/api/v1/observations/{entry.pk}/")
    assert refused.status_code == 403
    assert _entries() == before
    proposal = entry_clerk.post("/api/v1/observations/", NEW_ENTRY, format="json").json()
    assert proposal["status"] == "submitted"
    assert entry_clerk.delete(f"/api/v1/observations/{proposal['id']}/").status_code == 204
    assert _entries() == before


def test_it_offers_no_put(entry_clerk, hangzhou_plan):
    entry = Observation.objects.first()

    response = entry_clerk.put(f"/api/v1/observations/{entry.pk}/", NEW_ENTRY, format="json")

    assert response.status_code == 405


def test_a_write_through_the_api_shows_up_in_the_snapshot(
    entry_admin, hangzhou_plan, django_capture_on_commit_callbacks
):
    """Through the eager worker (no broker in tests): the recompute is queued on commit. A
    zone administrator's figure is approved at once (a clerk's waits for approval)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = entry_admin.post(
            "/api/v1/observations/", {**NEW_ENTRY, "period_end": "2023-12-31", "value": "2100"}, format="json"
        )
    assert response.status_code == 201

    target = entry_admin.get("/api/v1/targets/industry-size/").json()

    assert target["snapshot"] is not None
    assert target["snapshot"]["data_date"] == "2023-12-31"
    assert target["snapshot"]["attained"] == 2100.0
    assert target["snapshot"]["status"] == Snapshot.Status.ACHIEVED


def test_it_records_a_measure_update_that_moves_the_measure(entry_clerk, measure, data_entry_user):
    response = entry_clerk.post(
        f"/api/v1/measures/{measure.pk}/updates/",
        {"date": "2022-03-31", "note": "Platform opened", "status": "completed"}, format="json",
    )

    assert response.status_code == 201, response.json()
    update = MeasureUpdate.objects.get(pk=response.json()["id"])
    assert update.measure == measure
    assert update.entered_by == data_entry_user
    measure.refresh_from_db()
    assert measure.status == Measure.Status.COMPLETED
    assert measure.completed_on == dt.date(2022, 3, 31)


def test_it_changes_and_deletes_a_measure_update(entry_clerk, measure):
    update = MeasureUpdateFactory(measure=measure, note="First note")

    changed = entry_clerk.patch(f"/api/v1/measures/{measure.pk}/updates/{update.pk}/", {"note": "Better note"}, format="json")
    deleted = entry_clerk.delete(f"/api/v1/measures/{measure.pk}/updates/{update.pk}/")

    assert changed.status_code == 200
    assert changed.json()["note"] == "Better note"
    assert deleted.status_code == 204
    assert not MeasureUpdate.objects.filter(pk=update.pk).exists()


def test_a_measure_update_of_another_measure_is_not_found(entry_clerk, measure):
    update = MeasureUpdateFactory(measure=MeasureFactory(area=measure.area, number=200))

    response = entry_clerk.patch(f"/api/v1/measures/{measure.pk}/updates/{update.pk}/", {"note": "x"}, format="json")

    assert response.status_code == 404
    update.refresh_from_db()
    assert update.note != "x"


def test_a_signed_in_clerk_writes_by_session(clerk_of_every_agency):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(clerk_of_every_agency)

    response = client.post("/api/v1/observations/", NEW_ENTRY, format="json")

    assert response.status_code == 201
    assert Observation.objects.get(pk=response.json()["id"]).entered_by == clerk_of_every_agency


def test_a_session_write_needs_the_csrf_token(hangzhou_plan, data_entry_user):
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(data_entry_user)
    before = _entries()

    response = client.post("/api/v1/observations/", NEW_ENTRY, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert _entries() == before


# Bad input: each gives 400 naming the field and the reason, and writes nothing.
BAD_ENTRIES = [
    ("non-number", {"value": "twelve"}, "value", "A valid number is required."),
    ("NaN", {"value": "NaN"}, "value", "A valid number is required."),
    ("Infinity", {"value": "Infinity"}, "value", "A valid number is required."),
    ("negative count", {"value": "-5"}, "value", "cannot be negative"),
    ("too many digits", {"value": "1e30"}, "value", "no more than 20 digits"),
    ("unknown indicator", {"indicator": "no-such-indicator"}, "indicator", "no indicator with the code or id “no-such-indicator”"),
    ("indicator of the wrong type", {"indicator": ["ai-industry-revenue"]}, "indicator", "code (text) or id"),
    ("unknown target", {"indicator": None, "target": "no-such-target"}, "target", "no target with the code or id “no-such-target”"),
    ("qualitative target", {"indicator": None, "target": "leading-sectors"}, "target", "is qualitative"),
    # A clerk's figure beside an approved one is a proposed revision; a second proposal is refused.
    ("duplicate period", {"period_end": "2019-12-31"}, "period_end", "waiting for approval"),
    ("date in the future", {"period_end": "2031-12-31"}, "period_end", "in the future"),
    ("bad scope", {"scope": "AI core!"}, "scope", "letters, numbers, underscores or hyphens"),
    ("implausible jump", {"value": "9000"}, "value", "confirm_outlier"),
    ("malformed date", {"period_end": "31.12.2021"}, "period_end", "Date has wrong format"),
    ("unknown qualifier", {"qualifier": "roughly"}, "qualifier", "is not a valid choice"),
    ("partial period for a level", {"qualifier": "partial_period"}, "qualifier", "part of a period cannot stand for it"),
    ("unknown confidence", {"confidence": "certain"}, "confidence", "is not a valid choice"),
    ("malformed source address", {"source_url": "not an address"}, "source_url", "Enter a valid URL"),
]


@pytest.mark.parametrize(("change", "field", "message"), [case[1:] for case in BAD_ENTRIES], ids=[c[0] for c in BAD_ENTRIES])
def test_it_refuses_a_bad_entry_and_writes_nothing(entry_clerk, hangzhou_plan, change, field, message):
    ObservationFactory(indicator=Indicator.objects.get(code="ai-industry-revenue"), period_end=dt.date(2019, 12, 31),
                       value=Decimal("1200"), status="submitted")
    before = _entries()

    body = {key: value for key, value in {**NEW_ENTRY, **change}.items() if value is not None}
    response = entry_clerk.post("/api/v1/observations/", body, format="json")

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert _entries() == before


BAD_CHANGES = [
    ("another indicator", {"indicator": "hnte-enterprises"}, "indicator", "stays with its indicator"),
    ("duplicate period", {"period_end": "2019-12-31"}, "period_end", "already has a figure"),
    ("negative value", {"value": -1}, "value", "cannot be negative"),
    ("NaN", {"value": "NaN"}, "value", "A valid number is required."),
    ("null value", {"value": None}, "value", "This field may not be null."),
]


@pytest.mark.parametrize(("change", "field", "message"), [c[1:] for c in BAD_CHANGES], ids=[c[0] for c in BAD_CHANGES])
def test_it_refuses_a_bad_change_and_leaves_the_entry(entry_admin, hangzhou_plan, change, field, message):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    before = _entries()

    response = entry_admin.patch(f"/api/v1/observations/{entry.pk}/", change, format="json")

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert _entries() == before


# Only `generate_demo_data` makes demo figures: the key is refused whatever its value,
# rather than dropped while the figure is stored as official.
SYNTHETIC_VALUES = [True, False, "true", None]


@pytest.mark.parametrize("value", SYNTHETIC_VALUES, ids=repr)
def test_it_refuses_is_synthetic_on_create_and_writes_nothing(entry_clerk, hangzhou_plan, value):
    before = _entries()

    response = entry_clerk.post("/api/v1/observations/", {**NEW_ENTRY, "is_synthetic": value}, format="json")

    assert response.status_code == 400
    assert "generate_demo_data" in response.json()["is_synthetic"][0]
    assert _entries() == before


@pytest.mark.parametrize("value", SYNTHETIC_VALUES, ids=repr)
def test_it_refuses_is_synthetic_on_change_and_leaves_the_entry(entry_clerk, hangzhou_plan, value):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    before = _entries()

    response = entry_clerk.patch(f"/api/v1/observations/{entry.pk}/", {"is_synthetic": value, "quote": "x"}, format="json")

    assert response.status_code == 400
    assert "generate_demo_data" in response.json()["is_synthetic"][0]
    assert _entries() == before


def test_it_speaks_chinese_unless_asked_for_english(clerk_of_every_agency):
    client = _client_for(clerk_of_every_agency)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")

    response = client.post("/api/v1/observations/", {**NEW_ENTRY, "value": "-5"}, format="json")

    assert response.status_code == 400
    message = response.json()["value"][0]
    assert any("\u4e00" <= character <= "\u9fff" for character in message), message


def test_a_write_racing_another_answers_409(entry_clerk, hangzhou_plan, monkeypatch):
    """Two clients adding the same period at once: both pass validation, the database's
    unique constraint stops the second."""
    from django.db import IntegrityError

    from targets import services

    def lose_the_race(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: targets_observation.target_id, period_end")

    monkeypatch.setattr(services, "observation_create", lose_the_race)

    response = entry_clerk.post("/api/v1/observations/", NEW_ENTRY, format="json")

    assert response.status_code == 409
    assert "at the same time" in response.json()["detail"]


def test_it_names_every_missing_field(entry_clerk, hangzhou_plan):
    before = _entries()

    response = entry_clerk.post("/api/v1/observations/", {}, format="json")

    assert response.status_code == 400
    errors = response.json()
    for field in ("indicator", "period_end", "value", "source_title"):
        assert errors[field] == ["This field is required."]
    assert _entries() == before


@pytest.mark.parametrize(
    "body",
    ['{"value": ', '{"value": NaN, "target": "industry-size"}', '{"value": Infinity}', "[1, 2", "\xff"],
    ids=["truncated", "NaN literal", "Infinity literal", "unclosed list", "not UTF-8"],
)
def test_it_refuses_malformed_json(entry_clerk, hangzhou_plan, body):
    before = _entries()

    response = entry_clerk.post("/api/v1/observations/", body.encode("latin-1"), content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert _entries() == before


DEEP = "[" * 5000 + "]" * 5000  # 10 kB; about 1,000 levels already overflow Python's parser
JUST_TOO_DEEP = '{"quote": ' + "[" * 32 + "]" * 32 + "}"  # 33 levels


@pytest.mark.parametrize("body", [DEEP, JUST_TOO_DEEP], ids=["5000-levels", "33-levels"])
@pytest.mark.parametrize("method", ["post", "patch"])
@pytest.mark.parametrize("resource", ["entries", "updates"])
def test_it_refuses_deeply_nested_json_and_writes_nothing(entry_clerk, measure, resource, method, body):
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    update = MeasureUpdateFactory(measure=measure)
    url = {
        ("entries", "post"): "/api/v1/observations/",
        ("entries", "patch"): f"/api/v1/observations/{entry.pk}/",
        ("updates", "post"): f"/api/v1/measures/{measure.pk}/updates/",
        ("updates", "patch"): f"/api/v1/measures/{measure.pk}/updates/{update.pk}/",
    }[resource, method]
    before = _entries(), _updates()

    response = getattr(entry_clerk, method)(url, body, content_type="application/json")

    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
    assert (_entries(), _updates()) == before


def test_nesting_up_to_the_limit_reaches_validation(entry_clerk, hangzhou_plan):
    """32 levels pass the parser; the serializer then names the field that is wrong."""
    body = '{"quote": ' + "[" * 31 + "]" * 31 + "}"

    response = entry_clerk.post("/api/v1/observations/", body, content_type="application/json")

    assert response.status_code == 400
    assert "quote" in response.json()


def test_brackets_inside_strings_are_text_not_nesting(entry_clerk, hangzhou_plan):
    response = entry_clerk.post(
        "/api/v1/observations/", {**NEW_ENTRY, "quote": "[" * 100 + '\\" {{{'}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert Observation.objects.get(pk=response.json()["id"]).quote == "[" * 100 + '\\" {{{'


def test_it_refuses_a_json_list_instead_of_an_object(entry_clerk, hangzhou_plan):
    response = entry_clerk.post("/api/v1/observations/", [NEW_ENTRY], format="json")

    assert response.status_code == 400
    assert "Expected a dictionary" in str(response.json())


def test_it_refuses_an_oversized_body_with_413(entry_clerk, hangzhou_plan, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = _entries()

    response = entry_clerk.post("/api/v1/observations/", {**NEW_ENTRY, "quote": "字" * 10_000}, format="json")

    assert response.status_code == 413
    assert "at most 10000 bytes" in response.json()["detail"]
    assert _entries() == before


def test_it_refuses_an_unsupported_media_type(entry_clerk, hangzhou_plan):
    response = entry_clerk.post("/api/v1/observations/", "value=1", content_type="text/plain")

    assert response.status_code == 415


BAD_UPDATES = [
    ("date out of range", {"date": "2035-01-01"}, "date", "must lie between"),
    ("missing note", {"note": ""}, "note", "may not be blank"),
    ("unknown status", {"status": "abandoned"}, "status", "is not a valid choice"),
    ("malformed date", {"date": "soon"}, "date", "Date has wrong format"),
]


@pytest.mark.parametrize(("change", "field", "message"), [c[1:] for c in BAD_UPDATES], ids=[c[0] for c in BAD_UPDATES])
def test_it_refuses_a_bad_measure_update_and_writes_nothing(entry_clerk, measure, change, field, message):
    before = _updates()

    response = entry_clerk.post(
        f"/api/v1/measures/{measure.pk}/updates/", {"date": "2022-03-31", "note": "Opened", **change}, format="json"
    )

    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert _updates() == before


# The permission matrix: every endpoint × method × role. Read-only resources answer
# 405 to every write, the same for everyone; entries and measure updates need the
# data-entry permissions.
ROLES = ["anonymous", "viewer", "data_entry", "zone_admin", "superuser"]
READ_ONLY = [
    "/api/v1/", "/api/v1/plans/", "/api/v1/plans/hz-ai-zone-2020/", "/api/v1/objectives/",
    "/api/v1/objectives/{objective}/", "/api/v1/targets/", "/api/v1/targets/industry-size/",
    "/api/v1/targets/industry-size/observations/", "/api/v1/targets/industry-size/snapshots/", "/api/v1/snapshots/",
    "/api/v1/snapshots/{snapshot}/", "/api/v1/areas/", "/api/v1/areas/{area}/", "/api/v1/measures/",
    "/api/v1/measures/{measure}/",
]
WRITERS = {"anonymous": 401, "viewer": 403, "data_entry": None, "zone_admin": None, "superuser": None}
WRITABLE = {
    # url: {method: status for a writer}
    "/api/v1/observations/": {"get": 200, "post": 201, "patch": 405, "delete": 405},
    "/api/v1/observations/{observation}/": {"get": 200, "post": 405, "patch": 200, "delete": 204},
    "/api/v1/measures/{measure}/updates/": {"get": 200, "post": 201, "patch": 405, "delete": 405},
    "/api/v1/measures/{measure}/updates/{update}/": {"get": 200, "post": 405, "patch": 200, "delete": 204},
}
BODIES = {
    "entries": {"post": NEW_ENTRY, "patch": {"quote": "changed"}},
    "updates": {"post": {"date": "2022-03-31", "note": "Opened"}, "patch": {"note": "changed"}},
}


def _matrix():
    for url in READ_ONLY:
        for method in ("get", "post", "patch", "delete"):
            for role in ROLES:
                yield url, method, role, 200 if method == "get" else 405
    for url, statuses in WRITABLE.items():
        for method, writer_status in statuses.items():
            for role in ROLES:
                denied = WRITERS[role]
                expected = writer_status if method == "get" or writer_status == 405 or denied is None else denied
                if (role, method, url) == ("data_entry", "delete", "/api/v1/observations/{observation}/"):
                    expected = 403  # the figure is approved: only a zone administrator withdraws it
                yield url, method, role, expected


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request, hangzhou_plan, roles, role):
    """One test per role (loading the plan is the slow part): every endpoint and method,
    in the order GET, POST, PATCH, DELETE so that a deletion comes last."""
    user = None if role == "anonymous" else request.getfixturevalue(
        {"data_entry": "clerk_of_every_agency", "zone_admin": "zone_admin"}.get(role, role)
    )
    client = _client_for(user)
    measure = Measure.objects.order_by("pk").first()
    ids = {
        "objective": hangzhou_plan.objectives.first().pk,
        "snapshot": SnapshotFactory(target=Target.objects.get(code="industry-size")).pk,
        "area": measure.area_id,
        "measure": measure.pk,
        "observation": Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31").pk,
        "update": MeasureUpdateFactory(measure=measure).pk,
    }
    wrong = []
    for url, method, row_role, expected in _matrix():
        if row_role != role:
            continue
        body = BODIES["updates" if "/updates/" in url else "entries"].get(method)
        response = getattr(client, method)(url.format(**ids), body, format="json")
        if response.status_code != expected:
            wrong.append((method.upper(), url, expected, response.status_code))

    assert wrong == []


def test_throttling_answers_429(hangzhou_plan, settings, data_entry_user):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"}}
    cache.clear()
    anonymous, clerk = _client_for(None), _client_for(data_entry_user)

    anonymous_statuses = [anonymous.get("/api/v1/targets/").status_code for _ in range(4)]
    clerk_statuses = [clerk.get("/api/v1/targets/").status_code for _ in range(6)]

    assert anonymous_statuses == [200, 200, 200, 429]
    assert clerk_statuses == [200] * 5 + [429]
    throttled = anonymous.get("/api/v1/targets/")
    assert "Request was throttled" in throttled.json()["detail"]
    assert int(throttled["Retry-After"]) > 0
    cache.clear()


def test_tokens_are_managed_in_the_admin(client, superuser):
    client.force_login(superuser)

    response = client.get("/admin/authtoken/tokenproxy/")

    assert response.status_code == 200


def test_an_update_body_must_be_json_object(entry_clerk, measure):
    response = entry_clerk.post(f"/api/v1/measures/{measure.pk}/updates/", json.dumps([1]), content_type="application/json")

    assert response.status_code == 400
