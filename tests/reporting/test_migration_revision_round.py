"""The revision's round moves from the core to reporting (issue 17) with nothing lost: each
revision's round becomes a `RevisionRound`, and migrating back puts it on the revision again."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.migrations import latest, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("targets", "0011_observation_own_scope_index"), ("reporting", "0003_round_closing_not_reported")]
AFTER = [("targets", "0012_remove_observationrevision_round")]


@pytest.fixture
def old_apps():
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to(latest())


def test_each_revision_keeps_its_round_across_the_move_and_back(old_apps):
    Plan = old_apps.get_model("targets", "Plan")
    Indicator = old_apps.get_model("targets", "Indicator")
    Observation = old_apps.get_model("targets", "Observation")
    Revision = old_apps.get_model("targets", "ObservationRevision")
    Round = old_apps.get_model("reporting", "Round")
    plan = Plan.objects.create(
        code="hz", zone_zh="杭州", zone_en="Hangzhou", title_zh="方案", title_en="Action plan", issuing_body_zh="局",
        issuing_body_en="Bureau",
        published_on=dt.date(2020, 11, 8), baseline_date=dt.date(2019, 12, 31), target_date=dt.date(2023, 12, 31),
    )
    patents = Indicator.objects.create(code="patents", name_zh="专利", name_en="Patents", unit="patent")
    figure = Observation.objects.create(indicator=patents, period_end=dt.date(2021, 12, 31), value=Decimal("131"),
                                        source_title="Bulletin", status="approved")
    final = Round.objects.create(code="2021-final", name_zh="2021 年终", name_en="2021 final", plan=plan,
                                 period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31),
                                 opens_on=dt.date(2022, 3, 1), due_on=dt.date(2022, 3, 31))
    at = dt.datetime(2022, 3, 2, tzinfo=dt.UTC)
    in_round = Revision.objects.create(observation=figure, previous_value=Decimal("120"), previous_qualifier="exact",
                                       new_value=Decimal("131"), new_qualifier="exact", revised_at=at, round=final)
    by_hand = Revision.objects.create(observation=figure, previous_value=Decimal("118"), previous_qualifier="exact",
                                      new_value=Decimal("120"), new_qualifier="exact", revised_at=at)

    apps = migrate_to(AFTER)
    links = apps.get_model("reporting", "RevisionRound").objects.values_list("revision_id", "round_id")
    assert list(links) == [(in_round.pk, final.pk)]  # the revision made by hand has no round

    apps = migrate_to(BEFORE)
    rounds = apps.get_model("targets", "ObservationRevision").objects.order_by("pk").values_list("pk", "round_id")
    assert list(rounds) == [(in_round.pk, final.pk), (by_hand.pk, None)]
