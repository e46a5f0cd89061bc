"""Synthetic demo figures: created only where no figure exists, flagged, removable."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from operations import demo
from operations.demo import demo_entries_generate, demo_entries_remove
from snapshots.models import Snapshot
from snapshots.services import plan_calendar
from targets.models import Observation, Target

UNTIL = dt.date(2024, 3, 31)


def published():
    return list(Observation.objects.filter(is_synthetic=False).order_by("pk").values_list("pk", "value"))


def test_it_creates_flagged_figures_only_for_quantitative_targets_without_any(hangzhou_plan):
    before = published()

    created = demo_entries_generate(until=UNTIL)

    synthetic = Observation.objects.filter(is_synthetic=True)
    # The indicators without any figure: 13 of the 2020 plan's (industry size has published
    # ones); the 2025 plan's year end is after UNTIL, so it gets none.
    empty = Target.objects.filter(kind=Target.Kind.QUANTITATIVE, indicator__observations__is_synthetic=False)
    empty_targets = Target.objects.filter(kind=Target.Kind.QUANTITATIVE, plan=hangzhou_plan).exclude(pk__in=empty)
    assert created["targets"] == empty_targets.count() == 13
    assert created["entries"] == synthetic.count() == 13 * 4  # year ends 2020–2023
    assert set(synthetic.values_list("indicator__targets__code", flat=True)) == set(
        empty_targets.values_list("code", flat=True))
    in_2020_plan = synthetic.filter(indicator__targets__plan=hangzhou_plan)
    assert set(in_2020_plan.values_list("period_end", flat=True)) == {dt.date(y, 12, 31) for y in range(2020, 2024)}
    assert set(synthetic.values_list("confidence", flat=True)) == {Observation.Confidence.LOW}
    assert all(entry.value >= 0 for entry in synthetic)
    assert published() == before  # the published industry-size figures are untouched
    assert not Observation.objects.filter(indicator__targets__kind=Target.Kind.QUALITATIVE).exists()


def test_it_recomputes_a_monthly_history_with_the_synthetic_flag(hangzhou_plan):
    demo_entries_generate(until=UNTIL)

    dates = set(Snapshot.objects.filter(target__plan=hangzhou_plan).values_list("as_of", flat=True))
    # The plan's calendar: 31 Dec 2019, every month end since, and today.
    assert dates == set(plan_calendar(hangzhou_plan))
    assert dt.date(2019, 12, 31) in dates and dt.date(2022, 6, 30) in dates and UNTIL in dates
    on_until = Snapshot.objects.filter(as_of=UNTIL, target__plan=hangzhou_plan)
    assert on_until.count() == 16
    assert on_until.filter(has_synthetic=True).count() == 13
    assert on_until.get(target__code="industry-size").has_synthetic is False


def test_running_it_twice_adds_nothing_and_the_same_seed_gives_the_same_figures(hangzhou_plan):
    demo_entries_generate(until=UNTIL, seed=7)
    first = list(Observation.objects.filter(is_synthetic=True).values_list("indicator__code", "period_end", "value"))

    again = demo_entries_generate(until=UNTIL, seed=7)
    assert again["entries"] == 0
    assert Observation.objects.filter(is_synthetic=True).count() == len(first)

    demo_entries_remove()
    demo_entries_generate(until=UNTIL, seed=7)
    assert list(Observation.objects.filter(is_synthetic=True).values_list(
        "indicator__code", "period_end", "value")) == first


def test_remove_deletes_only_synthetic_figures_and_recomputes(hangzhou_plan):
    before = published()
    demo_entries_generate(until=UNTIL)

    removed = demo_entries_remove()

    assert removed["entries"] == 52
    assert not Observation.objects.filter(is_synthetic=True).exists()
    assert published() == before
    assert not Snapshot.objects.filter(has_synthetic=True).exists()
    assert Snapshot.objects.get(as_of=UNTIL, target__code="core-invention-patents").status == Snapshot.Status.NO_DATA


def test_a_refused_figure_writes_nothing(hangzhou_plan, monkeypatch):
    monkeypatch.setattr(demo, "_demo_values", lambda target, periods, rng: [Decimal("-1")] * len(periods))

    with pytest.raises(CommandError, match="refused"):
        call_command("generate_demo_data")

    assert not Observation.objects.filter(is_synthetic=True).exists()
    assert not Snapshot.objects.exists()


def test_commands_report_what_they_did(hangzhou_plan, capsys):
    call_command("generate_demo_data")
    assert "Created 57 synthetic figures for 18 targets" in capsys.readouterr().out

    call_command("generate_demo_data")
    assert "nothing to add" in capsys.readouterr().out

    call_command("remove_demo_data")
    assert "Deleted 57 synthetic figures" in capsys.readouterr().out
    assert Observation.objects.filter(is_synthetic=False).count() == 5


def test_the_banner_follows_the_demo_data(client, hangzhou_plan):
    demo_entries_generate(until=UNTIL)
    assert "not official statistics" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    demo_entries_remove()
    assert "not official statistics" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
