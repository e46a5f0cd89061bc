"""The read side of the REST API: resources, lookups, filters, CSV, conditional GET,
query counts."""

import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pytest
from rest_framework.test import APIClient

from measures.models import Measure
from snapshots.models import Snapshot, SnapshotDate
from targets.models import Observation, Plan, Target
from targets.services import observation_update, target_save
from targets.services.locks import versions_bump
from tests.factories import (
    MeasureFactory,
    MeasureUpdateFactory,
    ObservationFactory,
    SnapshotFactory,
    TargetFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

OLD, NEW = dt.date(2021, 12, 31), dt.date(2022, 12, 31)


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def snapshots(hangzhou_plan):
    """A snapshot of every quantitative target on two dates; the newer ones on track (and no
    others: with a live server, loading the plan has computed its history)."""
    Snapshot.objects.all().delete()
    SnapshotDate.objects.all().delete()
    created = []
    for target in Target.objects.filter(objective__plan=hangzhou_plan, kind=Target.Kind.QUANTITATIVE):
        created.append(SnapshotFactory(target=target, as_of=OLD, status=Snapshot.Status.OFF_TRACK, progress=0.2))
        created.append(
            SnapshotFactory(
                target=target, as_of=NEW, status=Snapshot.Status.ON_TRACK, progress=0.6, expected=0.6,
                attained=Decimal("1500.0000"), data_date=dt.date(2020, 12, 31),
                computed_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
            )
        )
    return created


def _json(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_it_lists_exactly_the_resources_at_the_root(client, db):
    root = _json(client.get("/api/v1/"))

    assert sorted(root) == sorted(
        ["plans", "objectives", "targets", "indicators", "observations", "snapshots", "areas", "measures", "rounds"]
    )


def test_it_gives_each_target_its_snapshot_on_the_newest_date(client, snapshots):
    body = _json(client.get("/api/v1/targets/", {"plan": "hz-ai-zone-2020"}))

    assert body["count"] == 16
    by_code = {row["code"]: row for row in body["results"]}
    industry = by_code["industry-size"]["snapshot"]
    assert industry["as_of"] == "2022-12-31"
    assert industry["status"] == "on_track"
    assert industry["attained"] == 1500.0
    assert industry["unit"] == "yi_yuan"
    assert industry["data_date"] == "2020-12-31"
    assert {"progress", "expected", "forecast_value", "is_data_stale", "has_synthetic"} <= set(industry)
    # Qualitative targets have no snapshot in this fixture: the field is there, empty.
    assert by_code["leading-sectors"]["snapshot"] is None


def test_it_gives_the_snapshot_of_an_older_date_when_asked(client, snapshots):
    body = _json(client.get("/api/v1/targets/", {"as_of": "2021-12-31"}))

    statuses = {row["snapshot"]["status"] for row in body["results"] if row["snapshot"]}
    assert statuses == {"off_track"}


def test_it_finds_a_target_by_code_and_by_id(client, hangzhou_plan):
    target = Target.objects.get(code="industry-size")

    by_code = _json(client.get("/api/v1/targets/industry-size/"))
    by_id = _json(client.get(f"/api/v1/targets/{target.pk}/"))

    assert by_code == by_id
    assert by_code["code"] == "industry-size"
    assert by_code["target_value"] == 2000.0


def test_it_answers_404_in_json_for_an_unknown_target(client, hangzhou_plan):
    response = client.get("/api/v1/targets/no-such-target/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_it_lists_the_named_items_of_a_qualitative_target(client, hangzhou_plan):
    body = _json(client.get("/api/v1/targets/leading-sectors/"))

    assert body["kind"] == "qualitative"
    assert len(body["items"]) == Target.objects.get(code="leading-sectors").items.count() > 0


def test_it_finds_a_plan_by_code(client, hangzhou_plan):
    body = _json(client.get("/api/v1/plans/hz-ai-zone-2020/"))

    assert body["id"] == hangzhou_plan.pk
    assert body["target_date"] == "2023-12-31"


def test_it_lists_the_figures_of_a_targets_indicator_marking_other_scopes(client, hangzhou_plan):
    body = _json(client.get("/api/v1/targets/industry-size/observations/"))

    rows = body["results"]
    assert [row["period_end"] for row in rows] == ["2019-12-31", "2020-12-31", "2024-12-31"]
    assert [row["other_scope"] for row in rows] == [True, False, True]
    assert [row["scope"] for row in rows] == ["above-designated-size", "ai-industry", "ai-core-industry"]
    first = rows[0]
    assert first["indicator"] == "ai-industry-revenue"
    assert first["value"] == 1157.69
    assert first["qualifier"] == "exact"
    assert first["confidence"] == "low"
    assert first["is_synthetic"] is False
    assert first["source_url"].startswith("http")


def test_it_gives_a_targets_history_between_since_and_until(client, snapshots):
    everything = _json(client.get("/api/v1/targets/industry-size/snapshots/"))
    newest_only = _json(client.get("/api/v1/targets/industry-size/snapshots/", {"since": "2022-01-01"}))
    oldest_only = _json(client.get("/api/v1/targets/industry-size/snapshots/", {"until": "2022-01-01"}))

    assert [row["as_of"] for row in everything["results"]] == ["2021-12-31", "2022-12-31"]
    assert [row["as_of"] for row in newest_only["results"]] == ["2022-12-31"]
    assert [row["as_of"] for row in oldest_only["results"]] == ["2021-12-31"]


def test_it_lists_the_snapshots_of_the_newest_date_by_default(client, snapshots):
    body = _json(client.get("/api/v1/snapshots/"))

    assert body["as_of"] == "2022-12-31"
    assert body["count"] == 14
    assert {row["as_of"] for row in body["results"]} == {"2022-12-31"}
    assert body["results"][0]["plan"] == "hz-ai-zone-2020"


def test_it_answers_an_empty_list_with_the_date_for_a_date_without_snapshots(client, snapshots):
    body = _json(client.get("/api/v1/snapshots/", {"as_of": "2020-06-30"}))

    assert body == {"as_of": "2020-06-30", "count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("url", ["/api/v1/snapshots/", "/api/v1/targets/", "/api/v1/targets/industry-size/snapshots/"])
def test_it_refuses_a_malformed_date(client, hangzhou_plan, url):
    response = client.get(url, {"as_of": "31/12/2022", "since": "yesterday"})

    assert response.status_code == 400
    message = response.json()
    assert ("as_of" in message or "since" in message)
    assert "YYYY-MM-DD" in str(message)


def test_it_shows_a_snapshots_explanation(client, snapshots):
    snapshot = Snapshot.objects.filter(target__code="industry-size", as_of=NEW).get()

    body = _json(client.get(f"/api/v1/snapshots/{snapshot.pk}/"))

    assert body["target"] == "industry-size"
    assert isinstance(body["explanation"], list)


def test_it_filters_observations_by_target_or_indicator_code_or_id(client, hangzhou_plan):
    target = Target.objects.get(code="industry-size")
    ObservationFactory(target=TargetFactory(objective=target.objective))

    by_code = _json(client.get("/api/v1/observations/", {"target": "industry-size"}))
    by_id = _json(client.get("/api/v1/observations/", {"target": target.pk}))
    by_indicator = _json(client.get("/api/v1/observations/", {"indicator": "ai-industry-revenue"}))
    by_indicator_id = _json(client.get("/api/v1/observations/", {"indicator": target.indicator_id}))

    assert by_code["count"] == by_id["count"] == by_indicator["count"] == by_indicator_id["count"] == 3
    assert {row["indicator"] for row in by_code["results"]} == {"ai-industry-revenue"}


def test_one_observation_serves_both_plans_targets_on_the_indicator(client, hangzhou_plan):
    body = _json(client.get("/api/v1/indicators/ai-industry-revenue/"))

    assert body["kind"] == "stock"
    assert body["scope"] == "ai-industry"
    assert [(row["plan"], row["code"], row["scope"]) for row in body["targets"]] == [
        ("hz-ai-zone-2020", "industry-size", "ai-industry"),
        ("hz-ai-2025", "ai-core-industry-revenue", "ai-core-industry"),
    ]
    assert [row["period_end"] for row in body["observations"]].count("2024-12-31") == 1
    assert Observation.objects.filter(indicator__code="ai-industry-revenue", period_end="2024-12-31").count() == 1


def test_it_filters_entries_by_period(client, hangzhou_plan):
    body = _json(client.get("/api/v1/observations/", {"period_end_after": "2020-01-01", "period_end_before": "2023-12-31"}))

    assert [row["period_end"] for row in body["results"]] == ["2020-12-31"]


def test_it_filters_targets_by_plan_and_by_status_on_the_as_of_date(client, snapshots):
    SnapshotFactory(target=TargetFactory(), as_of=NEW, status=Snapshot.Status.ON_TRACK)  # another plan

    in_plan = _json(client.get("/api/v1/targets/", {"plan": "hz-ai-zone-2020", "status": "on_track"}))
    old_status = _json(client.get("/api/v1/targets/", {"plan": "hz-ai-zone-2020", "status": "on_track", "as_of": "2021-12-31"}))

    assert in_plan["count"] == 14
    everywhere = _json(client.get("/api/v1/targets/", {"status": "on_track"}))
    assert everywhere["count"] == 15
    assert old_status["count"] == 0


def test_it_refuses_an_unknown_status_filter(client, hangzhou_plan):
    response = client.get("/api/v1/snapshots/", {"status": "fine"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_it_filters_measures_by_target_and_status(client, hangzhou_plan):
    target = Target.objects.get(code="industry-size")
    serving = MeasureFactory(status=Measure.Status.DELAYED)
    serving.targets.add(target, Target.objects.get(code="hnte-enterprises"))
    MeasureFactory(status=Measure.Status.DELAYED)

    body = _json(client.get("/api/v1/measures/", {"target": "industry-size", "status": "delayed"}))

    assert [row["id"] for row in body["results"]] == [serving.pk]
    assert body["results"][0]["targets"] == ["hnte-enterprises", "industry-size"]


def test_it_filters_measures_by_area_and_due_date(client, hangzhou_plan):
    area = hangzhou_plan.areas.order_by("number").last()
    due = MeasureFactory(area=area, number=101, due_date=dt.date(2022, 6, 30))
    MeasureFactory(area=area, number=102, due_date=dt.date(2024, 6, 30))

    body = _json(client.get("/api/v1/measures/", {"area": area.pk, "due_date_before": "2023-12-31"}))

    assert [row["id"] for row in body["results"]] == [due.pk]


def test_it_orders_and_pages(client, hangzhou_plan):
    first = _json(client.get("/api/v1/targets/", {"ordering": "-code", "page_size": 5}))
    second = _json(client.get(first["next"]))

    codes = sorted(Target.objects.values_list("code", flat=True), reverse=True)
    assert [row["code"] for row in first["results"]] == codes[:5]
    assert [row["code"] for row in second["results"]] == codes[5:10]
    assert first["count"] == 16 + 6  # both plans


def test_it_caps_the_page_size_at_1000(client, db):
    TargetFactory.create_batch(3)
    response = client.get("/api/v1/targets/", {"page_size": 5000})

    assert len(_json(response)["results"]) == 3  # a cap, not an error


@pytest.mark.parametrize("how", ["format", "accept"])
def test_it_gives_the_same_columns_in_csv_as_in_json(client, snapshots, how):
    json_rows = _json(client.get("/api/v1/targets/", {"plan": "hz-ai-zone-2020"}))["results"]
    if how == "format":
        response = client.get("/api/v1/targets/", {"format": "csv", "plan": "hz-ai-zone-2020"})
    else:
        response = client.get("/api/v1/targets/", {"plan": "hz-ai-zone-2020"}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(response.getvalue().decode()))  # whole tables are streamed
    flat = pd.json_normalize(json_rows)
    # Nested snapshot fields become dotted columns; a null snapshot still has them.
    assert "snapshot.status" in table.columns
    assert set(table.columns) == set(flat.columns) - {"snapshot"}
    assert len(table) == 16


def test_it_gives_every_row_in_csv_not_the_first_page(client, db):
    TargetFactory.create_batch(120)

    table = pd.read_csv(io.StringIO(client.get("/api/v1/targets/", {"format": "csv"}).getvalue().decode()))
    paged = pd.read_csv(io.StringIO(client.get("/api/v1/targets/", {"format": "csv", "page_size": 50}).getvalue().decode()))

    assert len(table) == 120
    assert len(paged) == 50
    assert "results" not in table.columns


def test_pandas_reads_targets_and_snapshots_as_json_and_csv(live_server, snapshots, settings):
    settings.ALLOWED_HOSTS = ["*"]
    base = f"{live_server.url}/api/v1"
    # Outside a test transaction, loading the plan's entries already queued their recompute
    # for today: ask for the fixture's date.
    targets_csv = pd.read_csv(f"{base}/targets/?format=csv&plan=hz-ai-zone-2020&as_of={NEW}")
    targets_json = pd.json_normalize(
        pd.read_json(f"{base}/targets/?page_size=1000&plan=hz-ai-zone-2020&as_of={NEW}", typ="series")["results"]
    )
    snapshots_csv = pd.read_csv(f"{base}/snapshots/?format=csv&as_of={NEW}")
    snapshots_json = pd.DataFrame(pd.read_json(f"{base}/snapshots/?as_of={NEW}", typ="series")["results"])

    assert len(targets_csv) == len(targets_json) == 16
    industry_csv = targets_csv.set_index("code").loc["industry-size"]
    industry_json = targets_json.set_index("code").loc["industry-size"]
    assert industry_csv["snapshot.status"] == industry_json["snapshot.status"] == "on_track"
    assert industry_csv["snapshot.attained"] == industry_json["snapshot.attained"] == 1500.0
    assert targets_csv["target_value"].dtype == "float64"
    assert len(snapshots_csv) == len(snapshots_json) == 14
    assert list(snapshots_csv.columns) == list(snapshots_json.columns)
    assert (snapshots_csv["progress"] == 0.6).all()


@pytest.mark.parametrize("url", ["/api/v1/targets/", "/api/v1/snapshots/"])
def test_it_answers_304_while_nothing_changed(client, snapshots, url):
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    as_csv = client.get(url, {"format": "csv"}, HTTP_IF_NONE_MATCH=etag)
    versions_bump(Plan.objects.values_list("id", flat=True))  # what every recompute does
    after_recompute = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert first.has_header("Last-Modified")
    assert as_csv.status_code == 200  # another representation, another ETag
    assert "Accept" in first["Vary"]
    assert after_recompute.status_code == 200
    assert after_recompute["ETag"] != etag


def test_a_changed_entry_changes_the_entry_lists_etag(client, hangzhou_plan):
    urls = ["/api/v1/observations/", "/api/v1/targets/industry-size/observations/"]
    etags = [client.get(url)["ETag"] for url in urls]
    unchanged = [client.get(url, HTTP_IF_NONE_MATCH=etag).status_code for url, etag in zip(urls, etags, strict=True)]
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    # Through the service, as every entry point saves; its recompute has not run (a test's
    # transaction never commits): the save itself changes the ETag.
    observation_update(observation=entry, data={"quote": "changed"})

    changed = [client.get(url, HTTP_IF_NONE_MATCH=etag).status_code for url, etag in zip(urls, etags, strict=True)]

    assert unchanged == [304, 304]
    assert changed == [200, 200]


def test_it_answers_304_on_if_modified_since(client, snapshots):
    first = client.get("/api/v1/snapshots/")

    again = client.get("/api/v1/snapshots/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304


def test_a_changed_target_changes_the_target_lists_etag(client, snapshots):
    etag = client.get("/api/v1/targets/")["ETag"]
    target = Target.objects.get(code="industry-size")
    target.name_en = "AI industry size (revised)"
    target_save(target=target)

    response = client.get("/api/v1/targets/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert "AI industry size (revised)" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/", "/api/v1/targets/", "/api/v1/snapshots/", "/api/v1/observations/", "/api/v1/measures/", "/api/schema/", "/api/docs/"],
)
def test_reading_needs_a_login_when_public_read_is_off(client, hangzhou_plan, viewer, settings, url):
    settings.PUBLIC_READ = False

    anonymous = client.get(url)
    client.force_authenticate(viewer)
    signed_in = client.get(url)

    assert anonymous.status_code == 401
    assert signed_in.status_code == 200


# Query counts. Each list costs a fixed number of queries however many targets there
# are: the same at the real plan (16 targets) and at 200. The first time: the version the
# cached copy is kept under (api.listcache; the ETag's freshness where the list has one), then
# the list itself; the second time, from the cache, the version alone (CACHED_LISTS).
LIST_QUERIES = {
    "/api/v1/plans/": 3,  # version (the plans' data versions), count, page
    "/api/v1/objectives/": 3,
    "/api/v1/areas/": 3,
    "/api/v1/observations/": 3,  # freshness (the plans' and indicators' versions), count, page
    "/api/v1/measures/": 5,  # version, count, page, updates, targets
    "/api/v1/measures/{measure}/updates/": 3,  # measure, count, page
    "/api/v1/targets/": 5,  # freshness (the plans' data versions), newest date, count, page, snapshots
    "/api/v1/targets/?format=csv": 4,  # no count: the whole table
    "/api/v1/targets/industry-size/observations/": 3,  # freshness, target, the figures (one series: no count)
    "/api/v1/targets/industry-size/snapshots/": 4,  # freshness, target, count, page
    "/api/v1/snapshots/": 4,  # freshness, newest date, count, page
    "/api/v1/snapshots/?format=csv": 3,
}


def _many_targets(plan, n):
    objective = plan.objectives.first()
    targets = TargetFactory.create_batch(n, objective=objective)
    for target in targets:
        SnapshotFactory(target=target, as_of=NEW)
        ObservationFactory(target=target)
    measure = MeasureFactory(area=plan.areas.first(), number=100)
    measure.targets.add(*targets)
    MeasureUpdateFactory.create_batch(3, measure=measure)
    return measure


@pytest.mark.parametrize("extra_targets", [0, 200 - 16], ids=["real-plan", "200-targets"])
@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_each_list_costs_a_fixed_number_of_queries(
    client, hangzhou_plan, snapshots, django_assert_num_queries, url, extra_targets
):
    if extra_targets:
        measure = _many_targets(hangzhou_plan, extra_targets)
    else:
        measure = MeasureFactory(area=hangzhou_plan.areas.first(), number=100)
        MeasureUpdateFactory(measure=measure)
    url = url.format(measure=measure.pk)

    with django_assert_num_queries(LIST_QUERIES[url.replace(str(measure.pk), "{measure}")]):
        response = client.get(url, {"page_size": 1000} if "csv" not in url else {})
        first = response.getvalue()  # a whole CSV is streamed: its queries run as it is read
    cached = url.replace(str(measure.pk), "{measure}") in CACHED_LISTS
    with django_assert_num_queries(1 if cached else LIST_QUERIES[url.replace(str(measure.pk), "{measure}")]):
        again = client.get(url, {"page_size": 1000} if "csv" not in url else {})
        second = again.getvalue()

    assert response.status_code == again.status_code == 200
    assert second == first


# Served from the version-keyed cache (tests/api/test_api_list_cache.py): the version's read only.
CACHED_LISTS = {
    "/api/v1/plans/", "/api/v1/objectives/", "/api/v1/areas/", "/api/v1/observations/", "/api/v1/measures/",
    "/api/v1/targets/", "/api/v1/targets/?format=csv", "/api/v1/snapshots/", "/api/v1/snapshots/?format=csv",
}


# Conditional GET from the plans' data versions, and streamed CSV.


@pytest.mark.parametrize(("url", "table"), [
    ("/api/v1/targets/", "targets_plan"), ("/api/v1/snapshots/", "targets_plan"),
    ("/api/v1/targets/industry-size/snapshots/", "targets_plan"),
    # Approved figures (all an anonymous reader sees) bump their plans' versions, every plan's
    # when no target uses their indicator: their lists too are versioned by the plans table
    # (a reader who may see unapproved figures, by the figures they see: test_pending_visibility).
    ("/api/v1/observations/", "targets_plan"),
    ("/api/v1/targets/industry-size/observations/", "targets_plan"),
])
def test_a_304_costs_one_small_read(client, snapshots, url, table, django_assert_num_queries):
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(1) as captured:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert f'FROM "{table}"' in captured.captured_queries[0]["sql"]


def test_a_figure_saved_changes_its_plans_version_before_its_recompute_runs(client, hangzhou_plan):
    from targets.models import RecomputeRequest

    later = Plan.objects.get(code="hz-ai-2025")
    versions = {plan.pk: plan.data_version for plan in Plan.objects.all()}
    etags = {url: client.get(url)["ETag"] for url in ("/api/v1/targets/", "/api/v1/observations/")}
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")

    observation_update(observation=entry, data={"quote": "changed again"})

    industry = Target.objects.get(code="industry-size")
    assert RecomputeRequest.objects.filter(target=industry).exists()  # not recomputed yet
    # The indicator serves both plans: both are told.
    assert Plan.objects.get(pk=hangzhou_plan.pk).data_version > versions[hangzhou_plan.pk]
    assert Plan.objects.get(pk=later.pk).data_version > versions[later.pk]
    for url, etag in etags.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url


@pytest.mark.parametrize("url", ["/api/v1/targets/", "/api/v1/snapshots/"])
def test_a_streamed_csv_is_the_same_text_as_the_csv_of_one_page(client, hangzhou_plan, url):
    """Over 500 rows: the stream is written (and its rows fetched) in pieces."""
    objective = hangzhou_plan.objectives.first()
    indicator = Target.objects.get(code="core-invention-patents").indicator
    targets = Target.objects.bulk_create(
        TargetFactory.build(objective=objective, plan=hangzhou_plan, indicator=indicator, code=f"many-{i:03d}",
                            name_en=f"=Many {i}")
        for i in range(520)
    )
    Snapshot.objects.bulk_create(
        Snapshot(target=target, as_of=NEW, computed_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC), progress=i / 100,
                 status=Snapshot.Status.ON_TRACK)
        for i, target in enumerate(targets)
    )
    SnapshotDate.objects.create(plan=hangzhou_plan, as_of=NEW)

    streamed = client.get(url, {"format": "csv"})
    whole_page = client.get(url, {"format": "csv", "page_size": 1000})

    assert streamed.streaming and not whole_page.streaming
    text = streamed.getvalue()
    assert text == whole_page.content
    rows = Target.objects.count() if "targets" in url else Snapshot.objects.filter(as_of=NEW).count()
    assert rows >= 520 and text.count(b"\n") == 1 + rows
    if "targets" in url:
        assert b"'=Many 7" in text  # formulas written as text in the stream too
