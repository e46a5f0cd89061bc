"""The data migration from progress entries to observations loses nothing: the same counts,
values, sources and confidence, each under an indicator of its own target, with their
change history; and the measures' default "not started" becomes "not reported"."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.migrations import latest, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("targets", "0005_calendar_outbox_version"), ("measures", "0004_measure_import_export_permissions")]
AFTER = [("targets", "0006_indicators_observations"), ("measures", "0005_measure_status_not_reported")]


@pytest.fixture
def old_apps():
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to(latest())


def test_entries_become_observations_with_nothing_lost(old_apps):
    Plan = old_apps.get_model("targets", "Plan")
    Objective = old_apps.get_model("targets", "Objective")
    Target = old_apps.get_model("targets", "Target")
    TargetItem = old_apps.get_model("targets", "TargetItem")
    Entry = old_apps.get_model("targets", "ProgressEntry")
    HistoricalEntry = old_apps.get_model("targets", "HistoricalProgressEntry")
    Area = old_apps.get_model("measures", "Area")
    Measure = old_apps.get_model("measures", "Measure")
    plan = Plan.objects.create(
        code="hz", zone="Hangzhou", title_zh="方案", title_en="Action plan (draft for comments)",
        issuing_body="Hangzhou Municipal Science and Technology Bureau", published_on=dt.date(2020, 11, 8),
        baseline_date=dt.date(2019, 12, 31), target_date=dt.date(2023, 12, 31),
    )
    objective = Objective.objects.create(plan=plan, number=1, title_zh="目标", title_en="Objective")
    patents = Target.objects.create(objective=objective, code="patents", name_zh="专利", name_en="Patents",
                                    unit="patent", target_value=Decimal("300"), aggregation="sum",
                                    baseline_value=Decimal("0"), baseline_date=dt.date(2019, 12, 31),
                                    method_note="Counted by the bureau.")
    size = Target.objects.create(objective=objective, code="size", name_zh="规模", name_en="Size", unit="yi_yuan",
                                 target_value=Decimal("2000"), aggregation="latest", baseline_date=dt.date(2019, 12, 31))
    fields = Target.objects.create(objective=objective, code="fields", name_zh="领域", name_en="Fields",
                                   kind="qualitative", baseline_date=dt.date(2019, 12, 31))
    TargetItem.objects.create(target=fields, code="chips", name_zh="芯片", name_en="Chips", status="achieved",
                              evidence="Reported in the 2022 work report")
    TargetItem.objects.create(target=fields, code="robots", name_zh="机器人", name_en="Robots")
    rows = [
        (patents, dt.date(2020, 12, 31), Decimal("120"), "exact", "high", "Bureau 2020"),
        (patents, dt.date(2021, 12, 31), Decimal("80"), "at_least", "medium", "Bureau 2021"),
        (size, dt.date(2020, 12, 31), Decimal("1500"), "at_least", "high", "Work report 2021"),
    ]
    for target, period_end, value, qualifier, confidence, title in rows:
        entry = Entry.objects.create(target=target, period_end=period_end, value=value, qualifier=qualifier,
                                     confidence=confidence, source_title=title, source_url="https://example.org/",
                                     quote="原文", definition_note="definition")
        HistoricalEntry.objects.create(
            id=entry.pk, target=target, period_end=period_end, value=value, qualifier=qualifier,
            confidence=confidence, source_title=title, source_url="https://example.org/", quote="原文",
            definition_note="definition", entered_at=entry.entered_at, updated_at=entry.updated_at,
            history_date=entry.entered_at, history_type="+", is_synthetic=False,
        )
    area = Area.objects.create(plan=plan, number=1, title_zh="领域", title_en="Area")
    Measure.objects.create(area=area, number=1, title_zh="措施", title_en="Measure")
    before = sorted(Entry.objects.values_list("target__code", "period_end", "value", "qualifier", "confidence",
                                              "source_title", "source_url", "quote", "definition_note"))

    new_apps = migrate_to(AFTER)

    Observation = new_apps.get_model("targets", "Observation")
    HistoricalObservation = new_apps.get_model("targets", "HistoricalObservation")
    Indicator = new_apps.get_model("targets", "Indicator")
    NewTarget = new_apps.get_model("targets", "Target")
    after = sorted(Observation.objects.values_list(
        "indicator__targets__code", "period_end", "value", "qualifier", "confidence", "source_title", "source_url",
        "quote", "definition_note"))
    assert after == before
    assert HistoricalObservation.objects.count() == 3
    assert set(HistoricalObservation.objects.values_list("indicator__code", flat=True)) == {"patents", "size"}
    assert dict(Indicator.objects.values_list("code", "kind")) == {"patents": "flow", "size": "stock"}
    assert NewTarget.objects.get(code="fields").indicator_id is None
    assert {t.plan_id for t in NewTarget.objects.all()} == {plan.pk}
    assert NewTarget.objects.get(code="patents").method_note_en == "Counted by the bureau."
    new_plan = new_apps.get_model("targets", "Plan").objects.get()
    assert (new_plan.zone_zh, new_plan.issuing_body_zh, new_plan.stage) == (
        "杭州国家新一代人工智能创新发展试验区", "杭州市科学技术局", "draft")
    # A status recorded by hand is kept as a dated update; the default "not started" is no report.
    updates = new_apps.get_model("targets", "ItemUpdate").objects.values_list("item__code", "status", "evidence")
    assert list(updates) == [("chips", "achieved", "Reported in the 2022 work report")]
    assert new_apps.get_model("measures", "Measure").objects.get().status == "not_reported"
