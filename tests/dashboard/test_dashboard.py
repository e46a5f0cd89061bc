"""The officials' pages: overview, target detail, measures; as-of dates; access; banner."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from snapshots.models import Snapshot
from snapshots.services import snapshots_recompute
from tests.factories import (
    AreaFactory,
    MeasureFactory,
    MeasureUpdateFactory,
    ObjectiveFactory,
    ObservationFactory,
    PlanFactory,
    SnapshotFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The 2020 plan's pages (`/` shows the plan in force, else the newest: the 2025 plan).
HZ = "/plans/hz-ai-zone-2020"

AS_OF = dt.date(2021, 12, 31)
EARLIER = dt.date(2020, 12, 31)


def get(client, url, language="en", **params):
    # `/measures/` and `/targets/<code>/` moved under their plan: followed, as a browser does.
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language, follow=True)


def row_of(text, html):
    """The table row that starts with `text`."""
    return html.split(text, 1)[1].split("</tr>", 1)[0]


@pytest.fixture
def computed_plan(hangzhou_plan):
    """The real plan with snapshots computed by the engine on two dates."""
    snapshots_recompute(as_of=EARLIER)
    snapshots_recompute(as_of=AS_OF)
    return hangzhou_plan


# --- overview ------------------------------------------------------------------------

def test_overview_lists_every_target_with_status_words_and_amounts_in_english(client, computed_plan):
    response = get(client, f"{HZ}/")

    assert response.status_code == 200
    html = response.content.decode()
    for target in computed_plan.objectives.all().values_list("targets__name_en", flat=True):
        assert escape(target) in html
    assert "RMB 200 billion" in html  # the industry-size target, in English conventions
    assert "≥ RMB 150 billion" in html  # the 2020 "more than 1,500 亿元" figure is a lower bound
    assert "lower bound" in html
    statuses = dict(Snapshot.objects.filter(as_of=AS_OF).values_list("target__code", "status"))
    for status in set(statuses.values()):
        assert str(Snapshot.Status(status).label) in html
    assert "31 Dec 2021" in html and "Dec. 31" not in html  # the newest date is shown by default


def test_overview_in_chinese_shows_chinese_names_and_units(client, computed_plan):
    response = get(client, f"{HZ}/", language="zh-hans")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "核心发明专利" in html
    assert "2,000 亿元" in html
    assert "2021年12月31日" in html  # dates in Chinese conventions
    # The interface itself is translated, not only the data.
    assert ">概览</a>" in html and "各状态指标数" in html and "指标已达成" in html and "目标已达成" not in html
    assert "Targets per status" not in html


def test_overview_as_of_shows_that_dates_snapshots_only(client):
    target = TargetFactory(name_en="Patents obtained")
    SnapshotFactory(target=target, as_of=EARLIER, status=Snapshot.Status.OFF_TRACK, progress=0.1, expected=0.25)
    SnapshotFactory(target=target, as_of=AS_OF, status=Snapshot.Status.ON_TRACK, progress=0.6, expected=0.5)

    latest = get(client, "/").content.decode()
    earlier = get(client, "/", as_of="2020-12-31").content.decode()

    latest_row, earlier_row = (row_of("Patents obtained", html) for html in (latest, earlier))
    assert "on track" in latest_row and "60 %" in latest_row and "off track" not in latest_row
    assert "off track" in earlier_row and "10 %" in earlier_row and "on track" not in earlier_row
    assert 'value="2020-12-31" selected' in earlier


def test_a_date_without_snapshot_says_so_and_shows_no_other_dates_data(client):
    target = TargetFactory(name_en="Patents obtained")
    SnapshotFactory(target=target, as_of=AS_OF, status=Snapshot.Status.ON_TRACK, progress=0.6)

    response = get(client, "/", as_of="2021-06-30")

    html = response.content.decode()
    assert response.status_code == 200
    assert "No snapshot exists for 30 Jun 2021" in html
    assert "Patents obtained" not in html
    assert "60 %" not in html


@pytest.mark.parametrize("bad", ["yesterday", "2021-13-01", "2021-02-30", "31/12/2021", "2021-12-31'--"])
def test_a_bad_as_of_gives_a_clear_message_not_an_error(client, bad):
    SnapshotFactory(as_of=AS_OF)

    target = Snapshot.objects.get().target
    for url in ("/", "/measures/", reverse("dashboard:target", args=[target.plan.code, target.code])):
        response = get(client, url, as_of=bad)
        html = response.content.decode()
        assert response.status_code == 400
        assert "Enter the date as YYYY-MM-DD" in html
        assert 'value="2021-12-31"' in html  # the picker still offers the dates that exist
        assert "bar-legend" not in html and "Reported figures" not in html  # and no figures are shown


def test_a_plan_with_no_data_at_all_says_so(client):
    TargetFactory(name_en="Patents obtained")

    response = get(client, "/")

    assert response.status_code == 200
    assert "No progress has been computed yet" in response.content.decode()


def test_no_plan_at_all_explains_how_to_load_one(client):
    response = get(client, "/")

    assert response.status_code == 200
    assert "No plan loaded yet" in response.content.decode()


def test_progress_bar_shows_exceeded_and_moved_away_beyond_the_ends(client):
    objective = ObjectiveFactory()
    ahead = TargetFactory(objective=objective, name_en="Ahead")
    behind = TargetFactory(objective=objective, name_en="Behind")
    SnapshotFactory(target=ahead, status=Snapshot.Status.ACHIEVED, progress=1.8, expected=0.5)
    SnapshotFactory(target=behind, status=Snapshot.Status.MOVING_AWAY, progress=-0.4, expected=0.5)

    html = get(client, "/").content.decode()

    assert "bar-exceeded" in html and "180 %" in html and "exceeded" in html
    assert "bar-away" in html and "-40 %" in html and "moved away from the target" in html
    assert html.count('class="bar-beyond') == 2  # both lie beyond the drawn scale
    assert html.count('class="bar-expected"') == 2


def test_progress_from_a_bound_is_an_open_bar_marked_as_a_bound(client):
    """Issue 18: a progress bar drawn from a lower bound says "≥" and is open at its end; one
    from an exact figure says neither."""
    objective = ObjectiveFactory()
    bounded = TargetFactory(objective=objective, name_en="Bounded")
    exact = TargetFactory(objective=objective, name_en="Exact")
    SnapshotFactory(target=bounded, status=Snapshot.Status.NOT_DETERMINED, progress=0.75, expected=0.5,
                    attained_qualifier="at_least", inputs={"direction": "at_least"})
    SnapshotFactory(target=exact, status=Snapshot.Status.ON_TRACK, progress=0.6, expected=0.5,
                    attained_qualifier="exact", inputs={"direction": "at_least"})

    html = get(client, "/").content.decode()

    assert html.count("bar-open") == 1
    assert '<span class="progress-figure">≥ 75 %</span>' in html
    assert '<span class="progress-figure">60 %</span>' in html
    assert 'aria-label="Progress ≥75 %' in html


def test_attained_and_target_have_thousands_separators(client):
    target = TargetFactory(unit="person", target_value=Decimal("5000"), name_en="People")
    SnapshotFactory(target=target, attained=Decimal("7238"), status=Snapshot.Status.ACHIEVED, progress=1.45)

    assert "7,238 people" in get(client, "/").content.decode()
    assert "7,238 人" in get(client, "/", language="zh-hans").content.decode()


def test_overview_links_a_print_stylesheet(client):
    SnapshotFactory()

    html = get(client, "/").content.decode()

    assert 'href="/static/site_shell/print.css" media="print"' in html


def test_pages_are_read_only(client, computed_plan):
    assert client.post(f"{HZ}/").status_code == 405
    assert client.post(f"{HZ}/measures/").status_code == 405
    assert client.post(f"{HZ}/targets/industry-size/").status_code == 405


# --- target detail -----------------------------------------------------------------

def test_target_page_shows_chart_entries_sources_and_explanation(client, computed_plan):
    response = get(client, f"{HZ}/targets/industry-size/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-values-industry-size"' in html
    assert 'id="chart-history-industry-size"' in html
    assert "/static/plotly/plotly.min.js" in html
    assert 'href="http://zonghe.guhantai.com/zonghe/2020/0703/21.html"' in html  # source as a link
    assert "1157.69亿元" in html  # the quote, verbatim
    assert "Why this status" in html
    # Why no pace, in plain words: one figure, and a baseline of another definition (issue 18).
    assert "one figure shows where the value stands but not how fast it moves" in html
    assert "Baseline of another definition" in html  # the 2019 figure counts another scope
    assert "confidence: medium" in html  # beside the status
    assert "≥ RMB 150 billion" in html


def test_target_page_as_of_hides_figures_reported_for_later_periods(client, computed_plan):
    html = get(client, f"{HZ}/targets/industry-size/", as_of="2020-12-31").content.decode()

    assert "RMB 150 billion" in html
    assert "RMB 300 billion" not in html  # the 2024 figure is after the date


def test_unknown_target_is_404(client, computed_plan):
    assert get(client, f"{HZ}/targets/no-such-target/").status_code == 404


def test_target_page_of_a_qualitative_target_lists_its_items(client, computed_plan):
    html = get(client, f"{HZ}/targets/leading-sectors/").content.decode()

    assert "Intelligent robots" in html
    assert "Named items" in html


def test_target_page_marks_synthetic_figures(client):
    target = TargetFactory()
    ObservationFactory(target=target, is_synthetic=True, value=Decimal("120"))
    snapshots_recompute(as_of=AS_OF)

    html = get(client, f"/targets/{target.code}/").content.decode()

    assert "synthetic — not official" in html
    assert "Synthetic demo figure (not official)" in html  # the chart's legend


# --- measures ------------------------------------------------------------------------

def test_measures_page_shows_areas_status_agency_targets_and_updates(client, computed_plan):
    from measures.models import Measure

    measure = Measure.objects.get(number=7)
    measure.lead_agency_text = "Municipal Economy and IT Bureau"
    measure.save()
    measure.targets.add(computed_plan.objectives.get(number=3).targets.get(code="industry-size"))
    MeasureUpdateFactory(measure=measure, date=dt.date(2021, 6, 30), note="Fund launched", status="in_progress")
    snapshots_recompute(as_of=AS_OF)

    html = get(client, f"{HZ}/measures/").content.decode()

    assert "Municipal Economy and IT Bureau" in html
    assert f'href="{HZ}/targets/industry-size/"' in html
    assert "Fund launched" in html
    assert html.count("provisional — official wording not yet entered") == 35
    assert 'id="chart-measures"' in html
    assert html.count("<h2") >= 8  # the chart, then the seven areas


def test_measures_page_as_of_uses_the_status_of_that_date(client):
    area = AreaFactory(title_en="Research")
    measure = MeasureFactory(area=area, status="completed", title_en="Build the lab")
    MeasureUpdateFactory(measure=measure, date=dt.date(2020, 6, 30), status="in_progress", note="Started")
    MeasureUpdateFactory(measure=measure, date=dt.date(2022, 6, 30), status="completed", note="Finished")
    SnapshotFactory(target=TargetFactory(objective=ObjectiveFactory(plan=area.plan)), as_of=EARLIER)
    snapshots_recompute(as_of=EARLIER)

    html = get(client, "/measures/", as_of="2020-12-31").content.decode()

    row = row_of("Build the lab", html)
    assert "in progress" in row and "completed" not in row
    assert "Started" in row and "Finished" not in html


# --- banner, language, access ------------------------------------------------------------

def test_every_page_and_the_admin_show_the_banner_while_synthetic_figures_exist(client, computed_plan, superuser):
    pages = [f"{HZ}/", f"{HZ}/measures/", f"{HZ}/targets/industry-size/"]
    for url in pages:
        assert "not official statistics" not in get(client, url).content.decode()

    ObservationFactory(target=computed_plan.objectives.get(number=1).targets.get(code="core-invention-patents"),
                         is_synthetic=True)

    for url in pages:
        assert "not official statistics" in get(client, url).content.decode()
    client.force_login(superuser)
    assert "not official statistics" in get(client, "/admin/").content.decode()


def test_every_page_offers_the_language_switch(client, computed_plan):
    for url in [f"{HZ}/", f"{HZ}/measures/", f"{HZ}/targets/industry-size/"]:
        html = get(client, url).content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert '<label for="language-select">' in html


def test_switching_language_shows_chinese(client, computed_plan):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": f"{HZ}/"})

    html = client.get(f"{HZ}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="zh-hans">' in html
    assert "2,000 亿元" in html


@pytest.mark.parametrize("url", ["/", "/plans/", f"{HZ}/", f"{HZ}/measures/", f"{HZ}/targets/industry-size/",
                                 "/indicators/ai-industry-revenue/", "/targets/industry-size/", "/measures/"])
def test_without_public_read_pages_need_a_login(client, computed_plan, settings, url):
    settings.PUBLIC_READ = False

    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    client.force_login(UserFactory())
    assert get(client, url).status_code == 200


def test_plotly_javascript_is_served_from_the_installed_package():
    from django.contrib.staticfiles import finders

    found = finders.find("plotly/plotly.min.js")

    assert found is not None and found.endswith("plotly/package_data/plotly.min.js")
    listed = [path for finder in finders.get_finders() for path, _storage in finder.list([])]
    assert "plotly.min.js" in listed and not any("datasets" in path for path in listed)


def test_a_second_plan_is_not_mixed_into_the_default_one(client):
    old = PlanFactory(published_on=dt.date(2019, 1, 1))
    SnapshotFactory(target=TargetFactory(objective=ObjectiveFactory(plan=old), name_en="Old plan target"))
    new = PlanFactory(published_on=dt.date(2020, 11, 8))
    SnapshotFactory(target=TargetFactory(objective=ObjectiveFactory(plan=new), name_en="New plan target"))

    html = get(client, "/").content.decode()

    assert "New plan target" in html and "Old plan target" not in html


def test_the_chinese_catalogue_is_complete_and_compiled():
    import gettext
    import re
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    catalogue = (folder / "django.po").read_text(encoding="utf-8")
    entries = catalogue.split("\n\n")[1:]  # after the header
    assert entries and all(not re.search(r'^msgstr(\[0\])? ""$', entry, re.M) or '\n"' in entry.split("msgstr", 1)[1]
                           for entry in entries)
    assert "#, fuzzy" not in catalogue
    with open(folder / "django.mo", "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    assert len(translations._catalog) - 1 >= len(entries)  # every entry compiled (plus the header)


def test_a_target_without_snapshot_on_the_date_is_shown_and_counted_as_not_computed(client):
    objective = ObjectiveFactory()
    SnapshotFactory(target=TargetFactory(objective=objective), status=Snapshot.Status.ON_TRACK, progress=0.6)
    TargetFactory(objective=objective, name_en="Added later")

    html = get(client, "/").content.decode()

    assert "not computed on this date" in row_of("Added later", html)
    counts = html.split('id="status-counts"', 1)[1].split("</table>", 1)[0]
    assert '">1</a></td>' in row_of("not computed on this date</span>", counts)  # a link to that list


# --- a plan too large to list on one page ------------------------------------------------

def large_plan(targets_per_objective=40, objectives=2):
    """A plan above the overview's inline limit, every target with a snapshot on AS_OF: the
    first objective's targets on track, the second's off track, the last one not computed."""
    plan = PlanFactory()
    created = []
    for number in range(1, objectives + 1):
        objective = ObjectiveFactory(plan=plan, number=number, title_en=f"Objective number {number}")
        status = Snapshot.Status.ON_TRACK if number == 1 else Snapshot.Status.OFF_TRACK
        for i in range(targets_per_objective):
            target = TargetFactory(objective=objective, code=f"o{number}-t{i:02d}", name_en=f"Goal {number}-{i:02d}")
            created.append(target)
            if (number, i) != (objectives, targets_per_objective - 1):
                SnapshotFactory(target=target, as_of=AS_OF, status=status, progress=0.5, expected=0.5)
    return plan, created


def test_a_large_plan_sums_each_objective_up_with_its_targets_a_click_away(client):
    plan, _targets = large_plan()

    response = get(client, "/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Goal 1-00" not in html and 'class="targets cards"' not in html  # no target is listed
    assert "Objective number 1" in html and "Objective number 2" in html
    assert html.count("List its 40 targets") == 2
    assert f'href="/plans/{plan.code}/?objective=1"' in html
    assert f'href="/plans/{plan.code}/?objective=2&amp;status=off_track"' in html  # each count leads to its list
    counts = html.split('id="status-counts"', 1)[1].split("</table>", 1)[0]
    assert ">40</a>" in row_of("on track</span>", counts) and ">39</a>" in row_of("off track</span>", counts)
    assert ">1</a>" in row_of("not computed on this date</span>", counts)


def test_an_objective_lists_its_own_targets_a_page_at_a_time(client):
    plan, _targets = large_plan(targets_per_objective=60)

    first = get(client, "/", objective=1).content.decode()
    second = get(client, "/", objective=1, page=2).content.decode()

    assert "Targets 1–50 of 60" in first and "Page 1 of 2" in first
    assert "Goal 1-00" in first and "Goal 1-49" in first and "Goal 1-50" not in first
    assert "Goal 2-00" not in first  # only the chosen objective
    assert f'href="/plans/{plan.code}/?objective=1&amp;page=2" rel="next"' in first
    assert "Targets 51–60 of 60" in second and "Goal 1-50" in second and "Goal 1-59" in second
    assert f'href="/plans/{plan.code}/?objective=1" rel="prev"' in second


def test_a_status_lists_the_targets_in_it_across_objectives(client):
    large_plan()

    off_track = get(client, "/", status="off_track").content.decode()
    not_computed = get(client, "/", status="not_computed", as_of="2021-12-31").content.decode()

    assert "Targets 1–39 of 39" in off_track and "Goal 2-00" in off_track and "Goal 1-00" not in off_track
    assert "Targets 1–1 of 1" in not_computed and "Goal 2-39" in not_computed
    assert 'name="as_of" value="2021-12-31"' in not_computed  # the filter keeps the date


def test_a_page_past_the_last_shows_the_last_page(client):
    large_plan()

    html = get(client, "/", objective=1, page=7).content.decode()

    assert "Targets 1–40 of 40" in html and "Page" not in html.split("Targets 1–40", 1)[1].split("</section>")[0]


@pytest.mark.parametrize(("query", "message"), [
    ({"objective": 9}, "This plan has no objective 9."),
    ({"objective": "one"}, "Choose an objective by its number."),
    ({"status": "great"}, "Choose one of the statuses offered."),
    ({"page": 0}, "Enter a page number: a whole number from 1."),
    ({"page": "2'--"}, "Enter a page number: a whole number from 1."),
])
def test_a_bad_filter_gives_a_clear_message_not_an_error(client, query, message):
    large_plan()

    response = get(client, "/", **query)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Goal 1-00" not in html and "List its" not in html  # no figures on a refused request


def test_the_real_plan_still_lists_every_target_and_can_be_filtered(client, computed_plan):
    every = get(client, f"{HZ}/").content.decode()
    first = get(client, f"{HZ}/", objective=1).content.decode()

    assert every.count("<tr>") >= 16 and "List its" not in every
    names = list(computed_plan.objectives.get(number=1).targets.values_list("name_en", flat=True))
    assert all(escape(name) in first for name in names)
    assert escape(computed_plan.objectives.get(number=2).targets.first().name_en) not in first


# --- the date picker reads the plan's calendar ----------------------------------------------

def test_the_date_picker_offers_the_plans_calendar_read_in_one_query(client, django_assert_num_queries):
    from snapshots.models import SnapshotDate
    from snapshots.selectors import snapshot_dates, snapshot_latest_date

    target = TargetFactory()
    plan = target.objective.plan
    SnapshotFactory(target=target, as_of=EARLIER)
    SnapshotFactory(target=target, as_of=AS_OF)
    SnapshotDate.objects.filter(plan=plan, as_of=EARLIER).delete()  # off the calendar: not offered

    with django_assert_num_queries(2) as captured:
        dates, latest = snapshot_dates(plan=plan), snapshot_latest_date(plan=plan)

    assert dates == [AS_OF] and latest == AS_OF
    assert all("snapshots_snapshot\"" not in query["sql"] for query in captured.captured_queries)
    html = get(client, "/").content.decode()
    assert 'value="2021-12-31" selected' in html and 'value="2020-12-31"' not in html
