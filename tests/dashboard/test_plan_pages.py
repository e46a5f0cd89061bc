"""Several plans on the officials' pages: `/` shows the plan in force (else the newest) with a
picker for the others, `/plans/` lists them all, each plan has its own overview, measures
and target addresses, the old addresses redirect, a target links to the other plans'
targets on its indicator, and an indicator page shows its whole series with every plan's
targets."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils.html import escape

from snapshots.services import snapshots_recompute
from targets.models import Plan, Target
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

HZ = "/plans/hz-ai-zone-2020"
LATER = "/plans/hz-ai-2025"
AS_OF = dt.date(2021, 12, 31)


def get(client, url, language="en", **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture
def computed(hangzhou_plan):
    snapshots_recompute(as_of=AS_OF)
    snapshots_recompute(as_of=dt.date(2026, 11, 27))
    return hangzhou_plan


def test_the_front_page_shows_the_newest_plan_once_every_plan_has_ended_with_a_picker(client, computed):
    html = get(client, "/").content.decode()

    assert "Implementation plan for accelerating Hangzhou as an AI innovation highland" in html
    picker = html.split('class="plan-picker"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{HZ}/"' in picker and "ended" in picker
    assert f'href="{LATER}/"' not in picker  # the plan shown is not offered again


def test_the_front_page_shows_the_plan_in_force(client, computed):
    PlanFactory(code="hz-ai-2027", title_en="Plan in force", stage="adopted", published_on=dt.date(2026, 1, 1),
                baseline_date=dt.date(2025, 12, 31), target_date=dt.date(2027, 12, 31))
    PlanFactory(code="hz-ai-2030-draft", title_en="A newer draft", stage="draft", published_on=dt.date(2026, 6, 1),
                baseline_date=dt.date(2026, 12, 31), target_date=dt.date(2030, 12, 31))

    html = get(client, "/").content.decode()

    assert "<h1>Plan in force" in html
    assert 'href="/plans/hz-ai-2030-draft/"' in html and "draft" in html


def test_the_list_of_plans_gives_each_its_period_and_status(client, computed):
    html = get(client, "/plans/").content.decode()

    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 2
    assert f'href="{LATER}/"' in rows[0] and "ended" in rows[0] and ">6<" in rows[0]
    assert f'href="{HZ}/"' in rows[1] and "ended" in rows[1] and ">16<" in rows[1]
    assert "31 Dec 2019 – 31 Dec 2023" in rows[1]
    assert f'href="{HZ}/measures/"' in rows[1] and "7 work areas" in rows[1]
    assert "none entered" in rows[0]


def test_each_plan_has_its_own_overview_measures_and_targets(client, computed):
    old, new = get(client, f"{HZ}/").content.decode(), get(client, f"{LATER}/").content.decode()

    assert escape("Core invention patents obtained") in old and "AI core industry annual revenue" not in old
    assert "AI core industry annual revenue" in new and "Core invention patents" not in new
    assert f'href="{HZ}/targets/industry-size/"' in old
    assert f'href="{LATER}/targets/ai-core-industry-revenue/"' in new
    assert get(client, f"{HZ}/measures/").status_code == 200
    assert get(client, "/plans/no-such-plan/").status_code == 404
    assert get(client, f"{LATER}/targets/industry-size/").status_code == 404  # codes are per plan


def test_a_plan_without_work_areas_says_so(client, computed):
    html = get(client, f"{LATER}/measures/").content.decode()

    assert "No work areas have been entered for this plan." in html


def test_the_old_addresses_redirect_keeping_the_date(client, computed):
    target = get(client, "/targets/industry-size/", as_of="2021-12-31")
    measures = get(client, "/measures/", as_of="2021-12-31")

    assert target.status_code == 301
    assert target["Location"] == f"{HZ}/targets/industry-size/?as_of=2021-12-31"
    assert measures.status_code == 302  # the plan shown at / changes over time
    assert measures["Location"] == f"{LATER}/measures/?as_of=2021-12-31"
    assert get(client, "/targets/no-such-target/").status_code == 404


def test_every_as_of_address_keeps_working_on_the_plans_pages(client, computed):
    for url in (f"{HZ}/", f"{HZ}/measures/", f"{HZ}/targets/industry-size/"):
        response = get(client, url, as_of="2021-12-31")
        assert response.status_code == 200, url
        assert 'value="2021-12-31" selected' in response.content.decode()


def test_a_target_links_the_other_plans_target_on_its_indicator(client, computed):
    html = get(client, f"{HZ}/targets/industry-size/").content.decode()

    also = html.split('class="also-tracked"', 1)[1].split("</section>", 1)[0]
    assert f'href="{LATER}/targets/ai-core-industry-revenue/"' in also
    assert "at least RMB 390 billion by 31 Dec 2025" in also
    assert "counts the AI core industry" in also
    assert 'href="/indicators/ai-industry-revenue/"' in html


def test_the_indicator_page_draws_the_whole_series_with_every_plans_targets(client, computed):
    html = get(client, "/indicators/ai-industry-revenue/").content.decode()

    figure = json.loads(html.split('id="chart-indicator-ai-industry-revenue-figure" type="application/json">', 1)[1]
                        .split("</script>", 1)[0])
    stars = [trace for trace in figure["data"] if trace["marker"]["symbol"] == "star"]
    assert [(trace["x"], trace["y"]) for trace in stars] == [(["2023-12-31"], [200.0]), (["2025-12-31"], [390.0])]
    points = sorted(x for trace in figure["data"] if trace["marker"]["symbol"] != "star" for x in trace["x"])
    assert points == ["2019-12-31", "2020-12-31", "2024-12-31"]  # the 2024 figure once, for both plans
    assert html.count("<tr") == 1 + 3  # header and one row per figure
    assert "AI enterprises above designated size in the provincial statistics" in html
    caption = html.split("<figcaption>", 1)[1].split("</figcaption>", 1)[0]
    assert "each star is a plan&#x27;s target" in caption and "brown crosses" in caption
    assert get(client, "/indicators/no-such-indicator/").status_code == 404


def test_means_say_how_many_targets_they_cover(client, computed):
    html = get(client, f"{HZ}/", as_of="2021-12-31").content.decode()

    freshness = html.split('class="freshness"', 1)[1].split("</section>", 1)[0]
    assert "— of 1 target with data; 15 without, left out of the mean" in freshness


def test_a_qualitative_target_without_reports_has_no_status_and_its_items_are_not_reported(client, computed):
    html = get(client, f"{HZ}/targets/leading-sectors/", as_of="2021-12-31").content.decode()

    status = html.split('class="status-line"', 1)[1].split("</p>", 1)[0]
    assert "no data" in status and "off track" not in status
    items = html.split('class="items cards"', 1)[1].split("</table>", 1)[0]
    assert items.count("not reported") == 4 and "not started" not in items


def test_chinese_pages_use_one_word_for_each_term_and_flag_this_projects_translations(client, computed):
    Target.objects.filter(code="entrepreneurs").update(zh_is_translation=True)
    Plan.objects.filter(pk=computed.pk).update(data_version=computed.data_version + 1)

    overview = get(client, f"{HZ}/", language="zh-hans").content.decode()
    target = get(client, f"{HZ}/targets/entrepreneurs/", language="zh-hans").content.decode()

    assert "杭州国家新一代人工智能创新发展试验区" in overview
    assert "主要目标" in overview  # an objective; a target is 指标
    assert "本项目译" in target


@pytest.mark.parametrize("url", ["/plans/", "/indicators/ai-industry-revenue/"])
def test_the_new_pages_cost_a_fixed_number_of_queries(client, computed, url, django_assert_num_queries):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert get(client, url).status_code == 200
        return len(captured)

    before = queries()
    indicator = Target.objects.get(code="industry-size").indicator
    for number in range(30):  # 30 more plans, each with a target on the indicator
        plan = PlanFactory(code=f"extra-{number}", published_on=dt.date(2019, 1, 1) + dt.timedelta(days=number))
        objective = plan.objectives.create(number=1, title_zh="主要目标", title_en="Objective")
        Target.objects.create(plan=plan, objective=objective, code="t", name_zh="指标", name_en="Target",
                              target_value=Decimal("1"), indicator=indicator, baseline_date=dt.date(2019, 12, 31))

    assert queries() == before <= 4


def test_a_plan_added_or_a_shared_target_changed_refreshes_the_other_plans_cached_pages(client, computed):
    """The picker lists every plan and a target page links the other plans' targets: a change
    to either shows on the other plans' pages at once (their data versions move)."""
    from targets.services import plan_save, target_save

    before = get(client, f"{HZ}/").content.decode()
    target_before = get(client, f"{HZ}/targets/industry-size/").content.decode()
    plan_save(plan=PlanFactory.build(code="hz-ai-2027", title_en="A plan added by hand", stage="adopted",
                                     published_on=dt.date(2026, 1, 1), baseline_date=dt.date(2025, 12, 31),
                                     target_date=dt.date(2027, 12, 31)))
    core = Target.objects.get(code="ai-core-industry-revenue")
    core.target_value = Decimal("4000")
    target_save(target=core)

    after = get(client, f"{HZ}/").content.decode()
    target_after = get(client, f"{HZ}/targets/industry-size/").content.decode()
    assert "A plan added by hand" not in before and "A plan added by hand" in after
    assert "RMB 390 billion" in target_before and "RMB 400 billion" in target_after


def test_the_overview_shows_each_targets_confidence_beside_its_status(client, computed):
    html = get(client, f"{HZ}/", as_of="2021-12-31").content.decode()

    row = html.split('href="/plans/hz-ai-zone-2020/targets/industry-size/', 1)[1].split("</tr>", 1)[0]
    # "≥ 1,500": on track at the bound, achieved above 2,000, so not determined (issue 18).
    assert "not determined" in row and "confidence: medium" in row


def _bracket_depth(html: str) -> int:
    """The deepest nesting of round brackets (either script's) in a page's visible text."""
    import re

    text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    depth = deepest = 0
    for char in text:
        if char in "(（":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")）":
            depth = max(depth - 1, 0)
    return deepest


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_page_nests_brackets(client, computed, language):
    """“(counts the AI core industry (人工智能核心产业))” read as a riddle: one level at most."""
    for url in (f"{HZ}/", f"{HZ}/targets/industry-size/", f"{LATER}/targets/ai-core-industry-revenue/",
                "/indicators/ai-industry-revenue/"):
        response = get(client, url, language=language)
        assert response.status_code == 200, url
        assert _bracket_depth(response.content.decode()) <= 1, url
    assert str(Target.Direction.AT_LEAST.label) in ("at least; more is better", "至少；越多越好")
