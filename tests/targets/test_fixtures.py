"""The fixtures hold the plan's targets exactly as the seed publishes them."""

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from measures.models import Area, Measure
from targets.models import Indicator, Objective, Observation, Plan, Target, TargetItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Figures read off ../shared/seeds/hangzhou-ai-zone-action-plan.txt, by target code.
SEED_TARGETS = {
    "core-invention-patents": (Decimal("300"), "patent"),
    "national-major-achievements": (Decimal("10"), "achievement"),
    "demonstration-projects": (Decimal("10"), "project"),
    "benchmark-enterprises": (Decimal("80"), "enterprise"),
    "major-platforms": (Decimal("5"), "platform"),
    "parks-and-towns": (Decimal("10"), "park"),
    "nationally-leading-enterprises": (Decimal("10"), "enterprise"),
    "niche-leaders": (Decimal("300"), "enterprise"),
    "hnte-enterprises": (Decimal("500"), "enterprise"),
    "industry-size": (Decimal("2000"), "yi_yuan"),  # 200 billion RMB
    "globally-leading-talents": (Decimal("40"), "person"),
    "entrepreneurs": (Decimal("300"), "person"),
    "leading-rd-scientists": (Decimal("800"), "person"),
    "senior-researchers": (Decimal("5000"), "person"),
}


def test_every_quantitative_target_has_the_seed_value_and_unit(hangzhou_plan):
    found = {
        t.code: (t.target_value, t.unit)
        for t in Target.objects.filter(objective__plan=hangzhou_plan, kind=Target.Kind.QUANTITATIVE)
    }
    assert found == SEED_TARGETS


def test_the_seed_figures_appear_in_the_source_wording(hangzhou_plan):
    # Guards against a fixture value drifting from the wording it quotes.
    wording = {
        "core-invention-patents": "300 core invention patents",
        "national-major-achievements": "10 national major achievements",
        "demonstration-projects": "at least 10 demonstration projects",
        "benchmark-enterprises": "80 key benchmark enterprises",
        "major-platforms": "5 AI major platforms",
        "parks-and-towns": "10 AI application/demonstration parks and towns",
        "nationally-leading-enterprises": "At least 10 enterprises",
        "niche-leaders": "300 enterprises will have become leaders",
        "hnte-enterprises": "500 AI enterprises will have obtained HNTE status",
        "industry-size": "200 billion RMB",
        "globally-leading-talents": "40 globally leading AI talents",
        "entrepreneurs": "300 entrepreneurs",
        "leading-rd-scientists": "800 leading R&D scientists",
        "senior-researchers": "5,000 senior researchers",
    }
    for code, phrase in wording.items():
        assert phrase in Target.objects.get(code=code).source_wording, code


def test_the_plan_objectives_and_dates(hangzhou_plan):
    assert hangzhou_plan.published_on == dt.date(2020, 11, 8)
    assert hangzhou_plan.baseline_date == dt.date(2019, 12, 31)
    assert hangzhou_plan.target_date == dt.date(2023, 12, 31)
    assert hangzhou_plan.on_track_threshold == Decimal("0.95")
    assert hangzhou_plan.acceleration_threshold == Decimal("0.6")
    assert list(hangzhou_plan.objectives.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert Target.objects.filter(objective__plan=hangzhou_plan).count() == 16


def test_sums_start_at_zero_and_levels_without_a_source_are_unknown(hangzhou_plan):
    sums = Target.objects.filter(plan=hangzhou_plan, indicator__kind=Indicator.Kind.FLOW)
    assert sums.count() == 10
    assert set(sums.values_list("baseline_value", flat=True)) == {Decimal("0")}
    for code in ("nationally-leading-enterprises", "niche-leaders", "hnte-enterprises"):
        target = Target.objects.get(code=code)
        assert target.aggregation == "latest"
        assert target.baseline_value is None, f"{code}: no source gives a baseline; it must be unknown, not 0"
    industry = Target.objects.get(code="industry-size")
    assert (industry.aggregation, industry.baseline_value) == ("latest", Decimal("1157.69"))
    assert industry.baseline_date == dt.date(2019, 12, 31)
    # The published 2019 figure counts another scope: shown, never compared.
    assert industry.baseline_scope == "above-designated-size" != industry.effective_scope


def test_the_named_items(hangzhou_plan):
    def items(code):
        return list(TargetItem.objects.filter(target__code=code).values_list("name_en", flat=True))

    assert items("technology-breakthrough-fields") == [
        "Big data intelligence", "Cross-media intelligence", "Swarm intelligence",
        "Hybrid-enhanced intelligence", "Autonomous intelligence systems", "Intelligent chips",
    ]
    assert items("leading-sectors") == [
        "Intelligent security", "Intelligent vehicles", "Intelligent robots", "Intelligent software and hardware",
    ]
    assert items("demonstration-projects") == [
        "Hangzhou Asian Games 2022", "Future communities", "Urban governance", "Alibaba AI Application", "‘Urban Brain’",
    ]
    for code in ("technology-breakthrough-fields", "leading-sectors"):
        target = Target.objects.get(code=code)
        assert target.is_qualitative and target.target_value is None


def test_only_the_published_figures_are_observations_each_once(hangzhou_plan):
    rows = list(
        Observation.objects.order_by("indicator__code", "period_end").values_list(
            "indicator__code", "scope", "period_end", "value", "qualifier", "confidence", "is_synthetic"
        )
    )
    assert rows == [
        ("ai-companies-hosted", "", dt.date(2024, 12, 31), Decimal("500"), "at_least", "high", False),
        ("ai-core-enterprises", "", dt.date(2024, 12, 31), Decimal("700"), "at_most", "medium", False),
        ("ai-industry-revenue", "above-designated-size", dt.date(2019, 12, 31), Decimal("1157.69"), "exact", "low",
         False),
        ("ai-industry-revenue", "", dt.date(2020, 12, 31), Decimal("1500"), "at_least", "high", False),
        # The 2024 core-industry figure is in both reference files: entered once, serving both plans.
        ("ai-industry-revenue", "ai-core-industry", dt.date(2024, 12, 31), Decimal("3000"), "at_least", "high",
         False),
    ]
    for entry in Observation.objects.all():
        assert entry.source_url.startswith("http") and entry.quote and entry.definition_note
    # The five-month 2021 figure is not an annual level.
    assert not Observation.objects.filter(value=Decimal("707.66")).exists()


def test_seven_areas_and_thirty_five_provisional_measures(hangzhou_plan):
    assert Area.objects.count() == 7
    assert Measure.objects.count() == 35
    assert not Measure.objects.filter(is_provisional=False).exists()
    for area in Area.objects.all():
        numbers = list(area.measures.values_list("number", flat=True))
        assert numbers == list(range(area.number * 5 - 4, area.number * 5 + 1))
    for measure in Measure.objects.all():
        assert "Provisional" in measure.title_en and "暂定" in measure.title_zh


def _table_state():
    models = (Plan, Objective, Target, TargetItem, Observation, Area, Measure)
    return {m.__name__: sorted(m.objects.values_list("pk", flat=True)) for m in models}


def test_loading_twice_changes_nothing(hangzhou_plan):
    before = _table_state()
    call_command("load_plan", verbosity=0)
    assert _table_state() == before


def test_reloading_keeps_what_an_administrator_changed(hangzhou_plan):
    patents = Target.objects.get(code="core-invention-patents")
    patents.name_en = "Core invention patents (edited)"
    patents.save()
    measure = Measure.objects.get(number=1)
    measure.title_en, measure.is_provisional = "Official wording of measure 1", False
    measure.save()
    Observation.objects.filter(period_end=dt.date(2020, 12, 31)).update(value=Decimal("1600"))

    call_command("load_plan", verbosity=0)

    assert Target.objects.get(code="core-invention-patents").name_en == "Core invention patents (edited)"
    assert Measure.objects.get(number=1).title_en == "Official wording of measure 1"
    assert Observation.objects.get(period_end=dt.date(2020, 12, 31)).value == Decimal("1600")


def test_a_bad_fixture_is_refused_and_writes_nothing(db, tmp_path):
    data = json.loads(Path("fixtures/hangzhou_ai_zone_2020.json").read_text(encoding="utf-8"))
    data["objectives"][0]["targets"][0]["target_value"] = "-300"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("load_plan", str(bad), verbosity=0)
    assert not Plan.objects.exists() and not Target.objects.exists()


def test_a_malformed_file_is_refused(db, tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_plan", str(bad), verbosity=0)
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_plan", str(tmp_path / "missing.json"), verbosity=0)
    assert not Plan.objects.exists()


# --- the 2025 plan, read off ../shared/reference/later-plans.csv ---------------------------

LATER_PLANS = settings.BASE_DIR.parent / "shared" / "reference" / "later-plans.csv"
CODES_2025 = {
    "AI core industry annual revenue": "ai-core-industry-revenue",
    "Intelligent computing power": "intelligent-computing-power",
    "World-class AI foundation models": "world-class-foundation-models",
    "Industry-specific large models": "industry-large-models",
    "Above-designated-size AI core industry enterprises": "above-size-core-enterprises",
    "Industry fund capital directed to AI": "ai-industry-fund-capital",
}


@pytest.fixture
def later_plan_rows():
    if not LATER_PLANS.exists():
        pytest.skip("the reference files are not beside this checkout")
    with LATER_PLANS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_2025_target_has_the_published_value_quote_source_and_confidence(hangzhou_plan, later_plan_rows):
    plan = Plan.objects.get(code="hz-ai-2025")
    rows = [row for row in later_plan_rows if row["kind"] == "target"]
    assert Target.objects.filter(plan=plan).count() == len(rows) == 6
    for row in rows:
        target = Target.objects.get(plan=plan, code=CODES_2025[row["item"]])
        assert target.target_value == Decimal(row["value"]), target.code
        assert target.due_date == dt.date.fromisoformat(row["period_end"])
        assert target.direction == row["qualifier"]
        assert row["quote"] in target.source_wording and row["source_url"] in target.source_wording
        assert target.source_confidence == row["confidence"]
        assert target.method_note_en and target.method_note_zh  # the reasoning on the shared indicator
    # Where the source is a repost, the confidence is lower.
    reposted = {CODES_2025[row["item"]] for row in rows if "repost" in row["source_title"]}
    assert set(Target.objects.filter(plan=plan, source_confidence="medium").values_list("code", flat=True)) == reposted


def test_the_2025_plan_shares_the_revenue_indicator_with_the_2020_plan_on_another_scope(hangzhou_plan):
    core = Target.objects.get(code="ai-core-industry-revenue")
    industry = Target.objects.get(code="industry-size")

    assert core.indicator_id == industry.indicator_id
    assert (core.effective_scope, industry.effective_scope) == ("ai-core-industry", "ai-industry")
    assert "shared with the 2020 plan" in core.method_note_en


def test_the_2025_plan_and_its_zone(hangzhou_plan, later_plan_rows):
    plan = Plan.objects.get(code="hz-ai-2025")
    row = next(row for row in later_plan_rows if row["kind"] == "plan")
    assert plan.title_zh in row["item"] and plan.source_url == row["source_url"]
    assert (plan.published_on, plan.target_date) == (dt.date(2025, 6, 13), dt.date(2025, 12, 31))
    # The official name, the same in both plans.
    assert plan.zone_zh == hangzhou_plan.zone_zh == "杭州国家新一代人工智能创新发展试验区"
