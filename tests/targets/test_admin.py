"""The admin opens for each role as it should; a viewer can look but not change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from access.roles import ROLE_DATA_ENTRY, ROLE_VIEWER, ROLE_ZONE_ADMINISTRATOR, roles_sync
from measures.models import Measure, MeasureUpdate
from targets.models import Observation, Target

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:targets_plan_changelist", "admin:targets_objective_changelist", "admin:targets_target_changelist",
    "admin:targets_indicator_changelist", "admin:targets_targetitem_changelist", "admin:targets_itemupdate_changelist",
    "admin:targets_observation_changelist", "admin:snapshots_snapshot_changelist",
    "admin:snapshots_rollup_changelist", "admin:measures_area_changelist", "admin:measures_measure_changelist",
    "admin:measures_measureupdate_changelist", "admin:targets_agency_changelist",
    "admin:targets_observationrevision_changelist", "admin:reporting_round_changelist",
    "admin:reporting_remindersent_changelist", "admin:reporting_revisionround_changelist",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_every_list_opens_for_a_zone_administrator(client, zone_admin, hangzhou_plan, name):
    client.force_login(zone_admin)
    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse(name), {"q": "patent"}).status_code == 200


def test_change_pages_open_and_show_units(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    industry = Target.objects.get(code="industry-size")
    page = client.get(reverse("admin:targets_target_change", args=[industry.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "1157.69" in page.content.decode() and "100 million RMB" in page.content.decode()
    listing = client.get(reverse("admin:targets_target_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "RMB 200 billion" in listing and "unknown" in listing  # the unit beside every value
    chinese = client.get(reverse("admin:targets_target_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2,000 亿元" in chinese
    for name, obj in [
        ("admin:targets_plan_change", hangzhou_plan),
        ("admin:measures_measure_change", Measure.objects.first()),
        ("admin:targets_observation_change", Observation.objects.first()),
    ]:
        assert client.get(reverse(name, args=[obj.pk])).status_code == 200


def test_list_filters_by_plan_objective_and_unit(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    url = reverse("admin:targets_target_changelist")
    response = client.get(url, {"indicator__unit__exact": "yi_yuan", "plan__id__exact": hangzhou_plan.pk})
    assert [t.code for t in response.context["cl"].result_list] == ["industry-size"]
    both_plans = client.get(url, {"indicator__unit__exact": "yi_yuan"})
    assert sorted(t.code for t in both_plans.context["cl"].result_list) == [
        "ai-core-industry-revenue", "ai-industry-fund-capital", "industry-size"]


def test_measure_status_is_not_editable_from_the_list(client, zone_admin, hangzhou_plan):
    """A status comes from a dated update with its evidence, never from a click in a list."""
    client.force_login(zone_admin)

    page = client.get(reverse("admin:measures_measure_changelist"))

    assert page.status_code == 200
    assert "form-0-status" not in page.content.decode()
    assert page.context["cl"].list_editable == ()


def test_a_viewer_can_read_but_not_change(client, viewer, hangzhou_plan):
    client.force_login(viewer)
    target = Target.objects.get(code="core-invention-patents")
    assert client.get(reverse("admin:targets_target_changelist")).status_code == 200
    assert client.get(reverse("admin:targets_observation_add")).status_code == 403
    response = client.post(
        reverse("admin:targets_observation_add"),
        {"indicator": target.indicator_id, "period_end": "2021-12-31", "value": "1", "qualifier": "exact",
         "source_title": "x", "confidence": "high"},
    )
    assert response.status_code == 403
    response = client.post(reverse("admin:targets_target_change", args=[target.pk]), {"name_en": "Hacked"})
    assert response.status_code == 403
    entry = Observation.objects.first()
    assert client.post(reverse("admin:targets_observation_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert Target.objects.get(pk=target.pk).name_en == "Core invention patents obtained"
    assert Observation.objects.count() == 5


def test_data_entry_may_add_figures_and_updates_but_not_change_targets(client, data_entry_user, hangzhou_plan):
    client.force_login(data_entry_user)
    target = Target.objects.get(code="core-invention-patents")
    target.indicator.agency.members.add(data_entry_user)  # the S&T bureau's clerk
    response = client.post(
        reverse("admin:targets_observation_add"),
        {"indicator": target.indicator_id, "period_end": "2021-12-31", "value": "120", "qualifier": "exact",
         "source_title": "Bureau statistics", "confidence": "high"},
    )
    assert response.status_code == 302
    # Entered, and waiting for a zone administrator's approval.
    assert Observation.objects.get(indicator=target.indicator, value=Decimal("120")).status == "submitted"
    measure = Measure.objects.first()
    response = client.post(
        reverse("admin:measures_measureupdate_add"),
        {"measure": measure.pk, "date": "2021-06-30", "note": "Started", "status": "in_progress"},
    )
    assert response.status_code == 302
    assert MeasureUpdate.objects.filter(measure=measure, date=dt.date(2021, 6, 30)).exists()
    assert client.post(reverse("admin:targets_target_change", args=[target.pk]), {}).status_code == 403
    assert client.get(reverse("admin:measures_measure_change", args=[measure.pk])).status_code == 200


def test_roles_hold_exactly_their_permissions(roles):
    def perms(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    viewer, entry, admin = perms(ROLE_VIEWER), perms(ROLE_DATA_ENTRY), perms(ROLE_ZONE_ADMINISTRATOR)
    assert all(code.startswith("view_") for code in viewer - {"export_measure"})
    assert {"view_target", "view_snapshot", "view_measure", "export_measure"} <= viewer
    assert {"add_observation", "change_observation", "delete_observation", "add_measureupdate"} <= entry
    assert not {"change_target", "add_plan", "change_measure", "delete_target", "import_measure"} & entry
    assert "import_measure" not in viewer
    assert {"change_target", "add_plan", "change_measure", "add_token", "change_periodictask"} <= admin
    assert {"import_measure", "export_measure", "view_accessattempt", "delete_accessattempt"} <= admin
    # The role's own permission (access), which only the zone administrators hold.
    assert "administer_zone" in admin and "administer_zone" not in entry | viewer


def test_syncing_roles_twice_is_idempotent(roles):
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles_sync()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after and len(after) == 3


def test_a_stranger_is_sent_to_the_login_page(client, hangzhou_plan):
    response = client.get(reverse("admin:targets_target_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_figure_stays_with_its_indicator_in_the_admin(client, zone_admin, hangzhou_plan):
    """The change form does not offer the indicator (targets.validation keeps a figure with its
    indicator); a hand-made post naming another indicator moves nothing."""
    client.force_login(zone_admin)
    entry = Observation.objects.filter(indicator__code="ai-industry-revenue", period_end="2020-12-31").first()
    other = Target.objects.get(code="core-invention-patents")
    url = reverse("admin:targets_observation_change", args=[entry.pk])
    assert 'name="indicator"' not in client.get(url).content.decode()

    response = client.post(url, {
        "indicator": other.indicator_id, "period_end": entry.period_end.isoformat(), "value": "1600", "qualifier": entry.qualifier,
        "source_title": entry.source_title, "source_url": entry.source_url, "quote": entry.quote,
        "definition_note": entry.definition_note, "confidence": entry.confidence,
        "confidence_note": entry.confidence_note,
    })

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.indicator.code == "ai-industry-revenue" and entry.value == Decimal("1600")


def _indicator_post_with_new_rows(client, indicator, rows):
    """The indicator's change form as the browser sends it, plus new figure rows in its inline."""
    from tests.admin_forms import admin_form_data

    url = reverse("admin:targets_indicator_change", args=[indicator.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    data = admin_form_data(page)
    inline = next(i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Observation)
    first = int(data[f"{inline.prefix}-TOTAL_FORMS"])
    for number, row in enumerate(rows, start=first):
        base = {"value": "", "qualifier": "exact", "scope": "", "source_title": "A report", "source_url": "",
                "quote": "", "definition_note": "", "confidence": "medium", "confidence_note": ""}
        data.update({f"{inline.prefix}-{number}-{name}": value for name, value in {**base, **row}.items()})
    data[f"{inline.prefix}-TOTAL_FORMS"] = str(first + len(rows))
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


def test_two_new_rows_for_one_period_get_the_projects_message_and_nothing_is_written(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    indicator = Target.objects.get(code="industry-size").indicator
    before = Observation.objects.count()

    response = _indicator_post_with_new_rows(client, indicator, [
        {"period_end": "2023-12-31", "value": "1800"}, {"period_end": "2023-12-31", "value": "1900"},
    ])

    assert response.status_code == 200
    html = response.content.decode()
    assert "already has a figure for the period ending 31 Dec 2023 in another row of this form (value 1800)" in html
    assert "period_end" not in html.split('id="content-main"', 1)[1].split("<form", 1)[0]
    assert "Please correct the duplicate data" not in html
    assert Observation.objects.count() == before


def test_a_new_row_beside_another_error_still_points_at_the_existing_figure(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    existing = Observation.objects.filter(indicator__code="ai-industry-revenue", period_end="2020-12-31").first()
    before = Observation.objects.count()

    response = _indicator_post_with_new_rows(client, existing.indicator, [
        {"period_end": "2020-12-31", "value": "-5"},
    ])

    assert response.status_code == 200
    html = response.content.decode()
    assert f"(#{existing.pk}, value" in html and "Edit that figure instead" in html
    assert "cannot be negative" in html  # the other error, beside it
    assert "Please correct the duplicate data" not in html and "already exists" not in html
    assert Observation.objects.count() == before


def test_the_admin_menu_names_targets_and_measures_without_a_counter_word(client, zone_admin, hangzhou_plan):
    client.force_login(zone_admin)
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert ">指标<" in html and ">举措<" in html
    assert "项指标" not in html and "项举措" not in html


def test_a_service_admin_naming_a_missing_service_fails_the_system_check():
    from django.contrib import admin

    from targets import services
    from targets.admin.base import ServiceAdmin, Writes
    from targets.models import Agency

    class Misnamed(ServiceAdmin):
        service_module = services
        writes = {Agency: Writes("agency", "agency_sav")}

    assert [error.id for error in Misnamed(Agency, admin.site).check()] == ["targets.E001"]
