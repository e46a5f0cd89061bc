"""Several plans fit: a later plan for the same zone is added without code changes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from targets import services
from targets.models import Plan, ProgressEntry, Target
from tests.factories import ObjectiveFactory, PlanFactory, TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_second_plan_holds_its_own_objectives_targets_and_dates(hangzhou_plan):
    later = PlanFactory(code="hz-ai-2025", baseline_date=dt.date(2022, 12, 31), target_date=dt.date(2025, 12, 31))
    objective = ObjectiveFactory(plan=later, number=1)
    target = TargetFactory(objective=objective, code="hz2025-patents", target_value=Decimal("1000"),
                           baseline_date=dt.date(2022, 12, 31))
    # Same objective number as the 2020 plan: numbers are per plan.
    assert Plan.objects.count() == 2
    assert hangzhou_plan.objectives.filter(number=1).exists() and later.objectives.filter(number=1).exists()
    # Period ranges follow each plan's own dates.
    services.progress_entry_create(target=target, period_end=dt.date(2030, 12, 31), value=Decimal("1"), source_title="S")
    with pytest.raises(ValidationError):
        services.progress_entry_create(target=target, period_end=dt.date(2021, 12, 31), value=Decimal("1"), source_title="S")
    assert ProgressEntry.objects.filter(target=target).count() == 1
    assert Target.objects.filter(objective__plan=hangzhou_plan).count() == 16


def test_an_administrator_adds_a_plan_in_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:targets_plan_add"), {
        "code": "hz-ai-2025", "zone": "Hangzhou", "title_zh": "新计划", "title_en": "New plan",
        "issuing_body": "Bureau", "published_on": "2023-01-01", "baseline_date": "2022-12-31",
        "target_date": "2025-12-31", "source_url": "", "source_note": "",
        "on_track_threshold": "0.9", "acceleration_threshold": "0.5",
        "objectives-TOTAL_FORMS": "1", "objectives-INITIAL_FORMS": "0",
        "objectives-0-number": "1", "objectives-0-title_zh": "目标一", "objectives-0-title_en": "Objective one",
    })
    assert response.status_code == 302
    plan = Plan.objects.get(code="hz-ai-2025")
    assert plan.on_track_threshold == Decimal("0.9") and plan.objectives.count() == 1


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
        "code": "p", "zone": "Z", "title_zh": "计划", "title_en": "Plan", "issuing_body": "B",
        "published_on": "2023-01-01", "baseline_date": "2022-12-31", "target_date": "2025-12-31",
        "on_track_threshold": "0.95", "acceleration_threshold": "0.6",
        "objectives-TOTAL_FORMS": "0", "objectives-INITIAL_FORMS": "0",
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
