"""Reporting rounds through their services: opening a round, drafts, submit, return, approve,
revisions, and that every bad input or stale action changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from reporting import services
from reporting.models import Round, RoundEntry, RoundSet, State, StateChange
from snapshots.models import Snapshot
from snapshots.services import snapshots_recompute
from targets.models import Agency, Indicator, Observation, ObservationRevision
from tests.factories import TargetFactory, UserFactory
from tests.reporting_zone import rounds_state
from tests.reporting_zone import row as _row

# Messages are matched in English (the site's default language is Chinese).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_it_opens_a_round_with_a_set_per_agency_and_a_row_per_indicator(zone):
    round_ = zone["round"]
    assert sorted(round_.indicators.values_list("code", flat=True)) == ["achievements", "patents", "revenue"]
    assert sorted(s.agency.code for s in round_.sets.all()) == ["jxj", "kjj"]
    assert sorted(zone["science_set"].entries.values_list("indicator__code", flat=True)) == ["achievements", "patents"]
    assert set(RoundEntry.objects.values_list("state", flat=True)) == {State.NOT_STARTED}


def test_it_refuses_a_round_from_a_data_entry_user_and_one_with_an_indicator_without_agency(zone):
    before = Round.objects.count()
    with pytest.raises(PermissionDenied):
        services.round_create(code="x", name_zh="x", name_en="x", plan=zone["plan"], period_start=dt.date(2022, 1, 1),
                              period_end=dt.date(2022, 12, 31), opens_on=dt.date(2023, 1, 1),
                              due_on=dt.date(2023, 1, 31), user=zone["science_user"])
    orphan = TargetFactory(objective=zone["patents"].objective, code="orphan")
    with pytest.raises(ValidationError, match=orphan.indicator.code):
        services.round_create(code="x", name_zh="x", name_en="x", plan=zone["plan"], period_start=dt.date(2022, 1, 1),
                              period_end=dt.date(2022, 12, 31), opens_on=dt.date(2023, 1, 1),
                              due_on=dt.date(2023, 1, 31), user=zone["admin"])
    assert Round.objects.count() == before


def test_the_whole_round_drafts_submit_return_correct_approve(zone, django_capture_on_commit_callbacks):
    science_set, user, admin = zone["science_set"], zone["science_user"], zone["admin"]
    science_set = services.round_set_save_draft(
        round_set=science_set, rows=[_row("patents", "120"), _row("achievements", "2")], user=user,
        expected_version=0)
    assert science_set.state == State.DRAFT and science_set.version == 1
    drafts = Observation.objects.filter(indicator__code__in=["patents", "achievements"])
    assert set(drafts.values_list("status", flat=True)) == {Observation.Status.DRAFT}

    science_set = services.round_set_submit(round_set=science_set, user=user, expected_version=1)
    assert science_set.state == State.SUBMITTED and science_set.submitted_by == user
    assert set(drafts.values_list("status", flat=True)) == {Observation.Status.SUBMITTED}

    science_set = services.round_set_return(round_set=science_set, user=admin, expected_version=2,
                                            comments={"patents": "The bureau's report says 112.", "achievements": ""})
    assert science_set.state == State.RETURNED
    patents_entry = science_set.entries.get(indicator__code="patents")
    assert (patents_entry.state, patents_entry.return_comment) == (State.RETURNED, "The bureau's report says 112.")
    assert science_set.entries.get(indicator__code="achievements").state == State.DRAFT
    assert StateChange.objects.filter(entry=patents_entry, comment="The bureau's report says 112.").exists()

    science_set = services.round_set_save_draft(round_set=science_set, rows=[_row("patents", "112")], user=user,
                                                expected_version=3)
    science_set = services.round_set_submit(round_set=science_set, user=user, expected_version=4)
    with django_capture_on_commit_callbacks(execute=True):
        science_set = services.round_set_approve(round_set=science_set, user=admin, expected_version=5)
    assert science_set.state == State.APPROVED and science_set.approved_by == admin
    assert dict(Observation.objects.filter(indicator__code__in=["patents", "achievements"])
                .values_list("indicator__code", "value")) == {"patents": Decimal("112"), "achievements": Decimal("2")}
    assert set(drafts.values_list("status", flat=True)) == {Observation.Status.APPROVED}
    assert list(science_set.changes.filter(entry__isnull=True).values_list("from_state", "to_state")) == [
        (State.NOT_STARTED, State.DRAFT), (State.DRAFT, State.SUBMITTED), (State.SUBMITTED, State.RETURNED),
        (State.RETURNED, State.DRAFT), (State.DRAFT, State.SUBMITTED), (State.SUBMITTED, State.APPROVED),
    ]
    # The approved figures count: the snapshot of the end of 2021 sums them.
    snapshots_recompute(as_of=dt.date(2022, 1, 31))
    assert Snapshot.objects.get(target=zone["patents"], as_of=dt.date(2022, 1, 31)).attained == Decimal("112")


def test_a_bad_row_among_good_ones_saves_nothing_and_names_row_and_field(zone):
    before = rounds_state()
    with pytest.raises(ValidationError) as caught:
        services.round_set_save_draft(
            round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
            rows=[_row("patents", "120"), _row("achievements", "-3"), _row("revenue", "5")],
        )
    errors = services.row_errors(caught.value)
    assert "value" in errors["achievements"]
    assert "indicator" in errors["revenue"]  # another agency's indicator is not in this set
    assert "patents" not in errors
    assert rounds_state() == before


def test_an_outlier_needs_its_rows_confirmation(zone):
    before = rounds_state()
    with pytest.raises(ValidationError) as caught:
        services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                      rows=[_row("patents", "5000")])
    assert "value" in services.row_errors(caught.value)["patents"]
    assert rounds_state() == before
    services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                  rows=[_row("patents", "5000", confirm_outlier=True)])
    assert Observation.objects.get(indicator__code="patents").value == Decimal("5000")


def test_a_stale_version_is_refused_two_administrators_at_once(zone):
    science_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                                expected_version=0, rows=[_row("patents", "120")])
    science_set = services.round_set_submit(round_set=science_set, user=zone["science_user"], expected_version=1)
    other_admin = UserFactory(is_staff=True, is_superuser=True)
    seen = RoundSet.objects.get(pk=science_set.pk)  # both administrators loaded version 2
    services.round_set_approve(round_set=seen, user=zone["admin"], expected_version=2, without={"achievements": "not collected in 2021"})
    before = rounds_state()
    with pytest.raises(ValidationError, match="Someone else acted on this set first"):
        services.round_set_return(round_set=seen, user=other_admin, expected_version=2, comments={"patents": "No."})
    assert rounds_state() == before


def test_approving_an_approved_set_is_refused_but_the_same_request_repeated_is_a_no_op(zone):
    science_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                                expected_version=0, rows=[_row("patents", "120")])
    science_set = services.round_set_submit(round_set=science_set, user=zone["science_user"], expected_version=1)
    services.round_set_approve(round_set=science_set, user=zone["admin"], expected_version=2,
                               without={"achievements": "not collected in 2021"})
    before = rounds_state()
    # The same administrator's request sent again (a retry): answered unchanged.
    again = services.round_set_approve(round_set=science_set, user=zone["admin"], expected_version=2)
    assert (again.state, again.version) == (State.APPROVED, 3)
    # Approving the approved set at its current version: a clear error.
    with pytest.raises(ValidationError, match="already approved"):
        services.round_set_approve(round_set=science_set, user=zone["admin"], expected_version=3)
    # Another administrator repeating it with the old version: told someone acted first.
    with pytest.raises(ValidationError, match="Someone else acted"):
        services.round_set_approve(round_set=science_set, user=UserFactory(is_superuser=True), expected_version=2)
    assert rounds_state() == before


def test_returning_needs_a_comment_and_known_rows(zone):
    science_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                                expected_version=0, rows=[_row("patents", "120")])
    science_set = services.round_set_submit(round_set=science_set, user=zone["science_user"], expected_version=1)
    before = rounds_state()
    for comments in ({}, {"patents": "  "}, {"revenue": "wrong"}, "fix it"):
        with pytest.raises(ValidationError):
            services.round_set_return(round_set=science_set, user=zone["admin"], expected_version=2,
                                      comments=comments)
    assert rounds_state() == before


def test_only_members_and_administrators_act_on_a_set(zone, viewer):
    before = rounds_state()
    for user in (zone["economy_user"], viewer):
        with pytest.raises(PermissionDenied):
            services.round_set_save_draft(round_set=zone["science_set"], user=user, expected_version=0,
                                          rows=[_row("patents", "120")])
    science_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["admin"], expected_version=0,
                                                rows=[_row("patents", "120")])
    science_set = services.round_set_submit(round_set=science_set, user=zone["science_user"], expected_version=1)
    before = rounds_state()
    for action in (services.round_set_approve, services.round_set_return):
        extra = {"comments": {"patents": "x"}} if action is services.round_set_return else {}
        with pytest.raises(PermissionDenied):
            action(round_set=science_set, user=zone["science_user"], expected_version=2, **extra)
    assert rounds_state() == before


def test_an_approved_figure_changed_in_a_later_round_is_a_revision_and_old_snapshots_keep_it(
    zone, django_capture_on_commit_callbacks
):
    science_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                                expected_version=0, rows=[_row("patents", "120")])
    science_set = services.round_set_submit(round_set=science_set, user=zone["science_user"], expected_version=1)
    services.round_set_approve(round_set=science_set, user=zone["admin"], expected_version=2,
                               without={"achievements": "not collected in 2021"})
    snapshots_recompute(as_of=dt.date(2022, 2, 28))

    correction = services.round_create(
        code="2021-final", name_zh="2021 年终", name_en="2021 final", plan=zone["plan"],
        period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31), opens_on=dt.date(2022, 3, 1),
        due_on=dt.date(2022, 3, 31), indicators=[Indicator.objects.get(code="patents")], user=zone["admin"])
    final_set = correction.sets.get()
    final_set = services.round_set_save_draft(
        round_set=final_set, user=zone["science_user"], expected_version=0,
        rows=[_row("patents", "131", revision_reason="final statistics")])
    # The approved figure stays published while the revision waits.
    assert Observation.objects.get(indicator__code="patents", status="approved").value == Decimal("120")
    final_set = services.round_set_submit(round_set=final_set, user=zone["science_user"], expected_version=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_set_approve(round_set=final_set, user=zone["admin"], expected_version=2)

    figure = Observation.objects.get(indicator__code="patents")  # one row left: the approved one
    assert figure.value == Decimal("131")
    # As if approved on 2 March 2022 (Hangzhou time), for the history below.
    ObservationRevision.objects.update(revised_at=dt.datetime(2022, 3, 2, 2, tzinfo=dt.UTC))
    revision = figure.revisions.get()
    assert (revision.previous_value, revision.new_value, revision.reason, revision.revision_round.round) == (
        Decimal("120"), Decimal("131"), "final statistics", correction)
    assert "final statistics" in revision.describe() and "2022-03-02" in revision.describe()
    snapshots_recompute(as_of=dt.date(2022, 2, 28))
    snapshots_recompute(as_of=dt.date(2022, 3, 31))
    # Before the revision day the snapshot keeps the value known then; after it, the new one.
    assert Snapshot.objects.get(target=zone["patents"], as_of=dt.date(2022, 2, 28)).attained == Decimal("120")
    assert Snapshot.objects.get(target=zone["patents"], as_of=dt.date(2022, 3, 31)).attained == Decimal("131")


def test_the_engine_ignores_drafts_and_submitted_figures(zone):
    services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                  rows=[_row("patents", "120")])
    snapshots_recompute(as_of=dt.date(2022, 1, 31))
    assert Snapshot.objects.get(target=zone["patents"], as_of=dt.date(2022, 1, 31)).attained is None
    services.round_set_submit(round_set=zone["science_set"], user=zone["science_user"], expected_version=1)
    snapshots_recompute(as_of=dt.date(2022, 1, 31))
    assert Snapshot.objects.get(target=zone["patents"], as_of=dt.date(2022, 1, 31)).attained is None


def test_the_agencies_fixture_assigns_every_indicator_of_both_plans(db):
    call_command("load_plan", verbosity=0)
    assert Agency.objects.count() == 4
    assert set(Agency.objects.values_list("name_zh", flat=True)) == {
        "杭州市科学技术局", "杭州市经济和信息化局", "杭州市人力资源和社会保障局", "杭州市发展和改革委员会"}
    assert not Indicator.objects.filter(agency__isnull=True).exists()
    assert Indicator.objects.get(code="core-invention-patents").agency.code == "kjj"
    assert Indicator.objects.get(code="globally-leading-talents").agency.code == "rsj"
    assert not Indicator.objects.filter(agency_provisional=False).exists()  # the plans name no bureau
    # Idempotent, and an administrator's assignment survives a reload.
    Indicator.objects.filter(code="core-invention-patents").update(agency=Agency.objects.get(code="fgw"))
    call_command("load_plan", verbosity=0)
    assert Agency.objects.count() == 4
    assert Indicator.objects.get(code="core-invention-patents").agency.code == "fgw"


@pytest.mark.parametrize(("row", "field"), [
    ({"value": ["1"]}, "value"),
    ({"value": True}, "value"),
    ({"value": "twelve"}, "value"),
    ({"value": "NaN"}, "value"),
    ({"value": "1e30"}, "value"),
    ({"value": "5", "source_url": ["https://example.org"]}, "source_url"),
    ({"value": "5", "qualifier": "roughly"}, "qualifier"),
    ({"value": "5", "period_end": "2020-12-31"}, "period_end"),
    ({"value": "5", "source_title": ""}, "source_title"),
])
def test_each_malformed_row_is_refused_by_row_and_field_and_nothing_is_saved(zone, row, field):
    before = rounds_state()
    with pytest.raises(ValidationError) as caught:
        services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
                                      rows=[_row("achievements", "3"), {"source_title": "S", **row, "indicator": "patents"}])
    assert field in services.row_errors(caught.value)["patents"]
    assert rounds_state() == before


def test_a_round_of_all_plans_in_force_collects_their_yearly_indicators_from_each_agency(hangzhou_plan, superuser):
    round_ = services.round_create(
        code="2025-annual", name_zh="2025 年度", name_en="2025 annual", plan=None, period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31), opens_on=dt.date(2026, 1, 5), due_on=dt.date(2026, 2, 28), user=superuser)

    # The 2025 plan is adopted and in force in 2025; the 2020 plan is a draft that ended in 2023.
    from targets.models import Target

    expected = set(Target.objects.filter(plan__code="hz-ai-2025", indicator__isnull=False)
                   .values_list("indicator__code", flat=True))
    assert set(round_.indicators.values_list("code", flat=True)) == expected
    assert {s.agency.code for s in round_.sets.all()} == set(
        Indicator.objects.filter(code__in=expected).values_list("agency__code", flat=True))
    assert RoundEntry.objects.filter(set__round=round_).count() == len(expected)
    # A half year: no yearly indicator has a period ending on 30 June.
    with pytest.raises(ValidationError, match="No indicator to collect"):
        services.round_create(
            code="2025-h1", name_zh="2025 上半年", name_en="2025 H1", plan=None, period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 6, 30), opens_on=dt.date(2025, 7, 1), due_on=dt.date(2025, 7, 31),
            user=superuser)
    assert not Round.objects.filter(code="2025-h1").exists()


@pytest.mark.parametrize("change", [
    {"code": "2021-annual"},  # taken
    {"code": "not a slug"},
    {"due_on": dt.date(2021, 12, 1)},  # before it opens
    {"period_start": dt.date(2022, 1, 1)},  # after the period's end
])
def test_a_bad_round_writes_nothing(zone, change):
    before = (list(Round.objects.values()), list(RoundSet.objects.values()), list(RoundEntry.objects.values()))
    fields = {"code": "2021-again", "name_zh": "x", "name_en": "x", "plan": zone["plan"],
              "period_start": dt.date(2021, 1, 1), "period_end": dt.date(2021, 12, 31),
              "opens_on": dt.date(2022, 1, 1), "due_on": dt.date(2022, 1, 31), **change}
    with pytest.raises(ValidationError):
        services.round_create(**fields, user=zone["admin"])
    assert (list(Round.objects.values()), list(RoundSet.objects.values()), list(RoundEntry.objects.values())) == before


def test_a_version_sent_as_text_is_read_as_a_number_and_nonsense_is_refused_with_nothing_written(zone):
    # A form sends the version as text: "1" is version 1; "one", None or [] is a clear error.
    science_set = services.round_set_save_draft(round_set=zone["science_set"], user=zone["science_user"],
                                                expected_version="0", rows=[_row("patents", "120")])
    before = rounds_state()
    for nonsense in ("one", None, [], "1.5"):
        for action in (services.round_set_submit, services.round_set_approve):
            with pytest.raises(ValidationError, match="whole number"):
                action(round_set=science_set, user=zone["admin"], expected_version=nonsense)
    assert rounds_state() == before
    submitted = services.round_set_submit(round_set=science_set, user=zone["science_user"], expected_version="1")
    assert submitted.state == State.SUBMITTED
    # The set is now in the state the action leads to: a repeat is recognised from a text version
    # too, and nonsense is still a clear error rather than a crash.
    before = rounds_state()
    again = services.round_set_submit(round_set=submitted, user=zone["science_user"], expected_version="1")
    assert (again.state, again.version) == (State.SUBMITTED, submitted.version)
    with pytest.raises(ValidationError, match="whole number"):
        services.round_set_submit(round_set=submitted, user=zone["science_user"], expected_version="one")
    assert rounds_state() == before
