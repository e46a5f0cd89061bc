"""Several plans fit: a later plan for the same zone is added without code changes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from targets import services
from targets.models import Plan, Target
from tests.admin_forms import admin_form_data
from tests.factories import ObjectiveFactory, TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_both_plans_hold_their_own_objectives_targets_and_dates(hangzhou_plan):
    later = Plan.objects.get(code="hz-ai-2025")

    assert (later.baseline_date, later.target_date) == (dt.date(2024, 12, 31), dt.date(2025, 12, 31))
    # Objective numbers and target codes are per plan.
    assert hangzhou_plan.objectives.filter(number=1).exists() and later.objectives.filter(number=1).exists()
    assert Target.objects.filter(plan=hangzhou_plan).count() == 16
    assert Target.objects.filter(plan=later).count() == 6
    assert {t.plan_id for t in Target.objects.filter(objective__plan=later)} == {later.pk}


def test_a_target_code_is_unique_within_its_plan_only(hangzhou_plan):
    later = Plan.objects.get(code="hz-ai-2025")
    same_code = TargetFactory(objective=later.objectives.first(), code="industry-size")
    assert Target.objects.filter(code="industry-size").count() == 2

    clash = Target(plan=later, objective=later.objectives.first(), code="industry-size", name_zh="重复",
                   name_en="Duplicate", indicator=same_code.indicator, target_value=Decimal("1"))
    with pytest.raises(ValidationError, match="already"):
        services.target_save(target=clash)
    assert Target.objects.filter(code="industry-size").count() == 2


def test_a_target_belongs_to_the_plan_of_its_objective(hangzhou_plan):
    later = Plan.objects.get(code="hz-ai-2025")
    wrong = Target(plan=later, objective=hangzhou_plan.objectives.first(), code="wrong", name_zh="错",
                   name_en="Wrong", indicator=Target.objects.get(code="industry-size").indicator,
                   target_value=Decimal("1"))

    with pytest.raises(ValidationError) as caught:
        services.target_save(target=wrong)

    assert "objective" in caught.value.message_dict
    assert not Target.objects.filter(code="wrong").exists()


def test_an_administrator_adds_a_plan_with_its_objectives_and_targets_in_the_admin(
    client, superuser, hangzhou_plan, django_capture_on_commit_callbacks
):
    """Entered by hand on the plan's page: its record has a full history, its targets are
    computed, and it sits beside the loaded plans."""
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:targets_plan_add"), {
            "code": "hz-ai-2027", "zone_zh": "杭州国家新一代人工智能创新发展试验区",
            "zone_en": "Hangzhou National New-Generation AI Innovation and Development Pilot Zone",
            "title_zh": "新计划", "title_en": "New plan", "issuing_body_zh": "杭州市人民政府",
            "issuing_body_en": "Hangzhou Municipal People's Government", "stage": "adopted",
            "published_on": "2026-01-01", "baseline_date": "2025-12-31", "target_date": "2027-12-31",
            "source_url": "", "source_note": "", "on_track_threshold": "0.9", "acceleration_threshold": "0.5",
            "objectives-TOTAL_FORMS": "1", "objectives-INITIAL_FORMS": "0",
            "objectives-0-number": "1", "objectives-0-title_zh": "目标一", "objectives-0-title_en": "Objective one",
            "targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0",
        })
    assert response.status_code == 302, response.context and response.context["errors"]
    plan = Plan.objects.get(code="hz-ai-2027")
    url = reverse("admin:targets_plan_change", args=[plan.pk])
    data = admin_form_data(client.get(url))
    data.update({
        "targets-TOTAL_FORMS": "1", "targets-0-objective": plan.objectives.get().pk, "targets-0-code": "revenue",
        "targets-0-order": "1", "targets-0-name_zh": "核心产业营业收入", "targets-0-name_en": "Core industry revenue",
        "targets-0-kind": "quantitative",
        "targets-0-indicator": Target.objects.get(code="industry-size").indicator_id,
        "targets-0-target_value": "5000", "targets-0-direction": "at_least", "targets-0-baseline_date": "2025-12-31",
    })
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    target = Target.objects.get(plan=plan, code="revenue")
    assert plan.history.count() >= 1 and plan.objectives.get().history.count() == 1
    assert target.history.count() == 1
    assert target.snapshots.exists()
    assert plan.on_track_threshold == Decimal("0.9")
    assert Plan.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_date": "2019-01-01"}, "target date must be after"),
        ({"acceleration_threshold": "0.96"}, "below the on-track threshold"),
    ],
)
def test_a_plan_with_inconsistent_dates_or_thresholds_is_refused(client, superuser, overrides, message):
    client.force_login(superuser)
    data = {
        "code": "p", "zone_zh": "区", "zone_en": "Z", "title_zh": "计划", "title_en": "Plan", "issuing_body_zh": "局",
        "issuing_body_en": "B", "stage": "adopted",
        "published_on": "2023-01-01", "baseline_date": "2022-12-31", "target_date": "2025-12-31",
        "on_track_threshold": "0.95", "acceleration_threshold": "0.6",
        "objectives-TOTAL_FORMS": "0", "objectives-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "0", "targets-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    response = client.post(reverse("admin:targets_plan_add"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_a_target_needs_a_value_unless_qualitative(client, superuser):
    objective = ObjectiveFactory()
    client.force_login(superuser)
    response = client.post(reverse("admin:targets_target_add"), {
        "objective": objective.pk, "code": "t", "order": "0", "name_zh": "指标", "name_en": "Target",
        "kind": "quantitative", "unit": "patent", "target_value": "", "direction": "at_least",
        "aggregation": "sum", "baseline_value": "-1", "baseline_date": "2019-12-31",
        "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0",
        "entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "needs a target value" in errors["target_value"][0]
    assert "cannot be negative" in errors["baseline_value"][0]
    assert not Target.objects.exists()
