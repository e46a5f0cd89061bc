"""The reporting selectors: what the grid, the completeness table and the overview's round
state show, and their query counts pinned at two sizes."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reporting import selectors, services
from reporting.models import State
from targets.models import Indicator
from tests.factories import ObservationFactory, TargetFactory

pytestmark = pytest.mark.django_db


def _row(code, value):
    return {"indicator": code, "value": value, "source_title": "Bureau statistics"}


def _more_indicators(zone, count):
    """`count` more indicators of the S&T bureau in a new round, each with last year's figure."""
    codes = []
    for number in range(count):
        target = TargetFactory(objective=zone["patents"].objective, code=f"extra-{number}",
                               indicator__code=f"extra-{number}")
        Indicator.objects.filter(pk=target.indicator_id).update(agency=zone["science"])
        ObservationFactory(target=target, period_end=dt.date(2020, 12, 31), value=Decimal("5"))
        codes.append(f"extra-{number}")
    return codes


def test_the_grid_shows_last_periods_approved_value_beside_this_rounds_pending_one(zone):
    ObservationFactory(target=zone["patents"], period_end=dt.date(2020, 12, 31), value=Decimal("90"))
    ObservationFactory(target=zone["patents"], period_end=dt.date(2019, 12, 31), value=Decimal("80"))
    services.round_set_save_draft(round_set=zone["science_set"], rows=[_row("patents", "120")],
                                  user=zone["science_user"], expected_version=0)

    rows = {row["indicator"].code: row for row in selectors.round_set_grid(zone["science_set"])}

    assert list(rows) == ["achievements", "patents"]
    patents = rows["patents"]
    assert (patents["previous"].value, patents["current"].value, patents["current"].status) == (
        Decimal("90"), Decimal("120"), "draft")
    assert (patents["unit"], patents["state"]) == ("patent", State.DRAFT)
    assert rows["achievements"]["previous"] is None and rows["achievements"]["current"] is None


@pytest.mark.parametrize("extra", [0, 12])
def test_the_grid_reads_in_three_queries_whatever_its_size(zone, extra, django_assert_num_queries):
    if extra:
        codes = _more_indicators(zone, extra)
        round_ = services.round_create(
            code="2021-big", name_zh="x", name_en="x", plan=zone["plan"], period_start=dt.date(2021, 1, 1),
            period_end=dt.date(2021, 12, 31), opens_on=dt.date(2022, 1, 1), due_on=dt.date(2022, 1, 31),
            indicators=list(Indicator.objects.filter(code__in=codes)), user=zone["admin"])
        round_set = round_.sets.get()
        services.round_set_save_draft(round_set=round_set, rows=[_row(code, "6") for code in codes],
                                      user=zone["science_user"], expected_version=0)
    else:
        round_set = zone["science_set"]
    with django_assert_num_queries(3):
        rows = selectors.round_set_grid(round_set)
        for row in rows:
            (row["indicator"].code, row["previous"] and row["previous"].value, row["current"] and row["current"].value)
    assert len(rows) == (extra or 2)


def test_completeness_counts_shares_and_overdue(zone):
    services.round_set_save_draft(round_set=zone["science_set"], rows=[_row("patents", "120")],
                                  user=zone["science_user"], expected_version=0)
    services.round_set_submit(round_set=zone["science_set"], user=zone["science_user"], expected_version=1)

    rows = {row["agency"].code: row for row in selectors.round_completeness(zone["round"], today=dt.date(2022, 2, 1))}

    science, economy = rows["kjj"], rows["jxj"]
    assert (science["total"], science["submitted"], science["approved"], science["submitted_share"]) == (2, 1, 0, 0.5)
    assert science["overdue"] is False  # its set is submitted
    assert (economy["total"], economy["submitted"], economy["open"], economy["overdue"]) == (1, 0, 1, True)
    before_due = selectors.round_completeness(zone["round"], today=dt.date(2022, 1, 31))
    assert not any(row["overdue"] for row in before_due)


@pytest.mark.parametrize("extra", [0, 12])
def test_completeness_reads_in_one_query(zone, extra, django_assert_num_queries):
    if extra:
        _more_indicators(zone, extra)
        round_ = services.round_create(
            code="2021-big", name_zh="x", name_en="x", plan=zone["plan"], period_start=dt.date(2021, 1, 1),
            period_end=dt.date(2021, 12, 31), opens_on=dt.date(2022, 1, 1), due_on=dt.date(2022, 1, 31),
            user=zone["admin"])
    else:
        round_ = zone["round"]
    with django_assert_num_queries(1):
        rows = selectors.round_completeness(round_, today=dt.date(2022, 2, 1))
        [str(row["agency"]) for row in rows]


def test_each_target_shows_its_latest_rounds_state(zone):
    services.round_set_save_draft(round_set=zone["science_set"], rows=[_row("patents", "120")],
                                  user=zone["science_user"], expected_version=0)
    services.round_set_submit(round_set=zone["science_set"], user=zone["science_user"], expected_version=1)

    from django.utils import translation

    with translation.override("en"):
        states = selectors.targets_round_state(zone["plan"])
    assert states[zone["patents"].pk] == "2021 annual: submitted, awaiting approval"
    # Submitted without a figure for it: the row still awaits the bureau.
    assert states[zone["achievements"].pk] == f"2021 annual: awaiting {zone['science'].short_name_en}"
    assert states[zone["revenue"].pk] == f"2021 annual: awaiting {zone['economy'].short_name_en}"


@pytest.mark.parametrize("extra", [0, 12])
def test_the_round_state_of_every_target_reads_in_two_queries(zone, extra, django_assert_num_queries):
    if extra:
        _more_indicators(zone, extra)
        services.round_create(
            code="2022-annual", name_zh="x", name_en="x", plan=zone["plan"], period_start=dt.date(2022, 1, 1),
            period_end=dt.date(2022, 12, 31), opens_on=dt.date(2023, 1, 1), due_on=dt.date(2023, 1, 31),
            user=zone["admin"])
    with django_assert_num_queries(2):
        states = selectors.targets_round_state(zone["plan"])
    assert len(states) == 3 + extra


def test_revisions_of_figures_read_in_one_query_and_say_what_changed(zone, django_assert_num_queries):
    from django.utils import translation

    from targets import services as target_services
    from targets.selectors import revisions_of

    published = ObservationFactory(target=zone["revenue"], period_end=dt.date(2021, 12, 31), value=Decimal("1480"))
    proposal = ObservationFactory(target=zone["revenue"], period_end=dt.date(2021, 12, 31), value=Decimal("1512"),
                                  status="submitted")
    target_services.observation_approve(observation=proposal, user=zone["admin"], reason="final statistics")
    other = ObservationFactory(target=zone["patents"], period_end=dt.date(2021, 12, 31))

    with django_assert_num_queries(1):
        found = revisions_of(observation_ids=[published.pk, other.pk])
        with translation.override("zh-hans"):
            text = found[published.pk][0].describe()
    assert other.pk not in found
    day = found[published.pk][0].revised_at.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert text == f"于 {day} 由 1,480 亿元 修订为 1,512 亿元：final statistics"
    with translation.override("en"):
        assert found[published.pk][0].describe() == (
            f"revised from RMB 148 billion to RMB 151.2 billion on {day}: final statistics")
