"""An administrator splits an indicator in two at a break in its definition: "AI industry
revenue" keeps the AI-industry figures and the 2020 target; "AI core industry revenue" takes
the core-industry figure and the 2025 target. Nothing else may do it, and bad input changes
nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from targets import services
from targets.models import Indicator, Observation, Target

pytestmark = pytest.mark.django_db

SPLIT = {"code": "ai-core-industry-revenue", "name_zh": "人工智能核心产业营业收入",
         "name_en": "AI core industry revenue", "scope": "ai-core-industry"}


def _state():
    return (list(Indicator.objects.order_by("pk").values()), list(Observation.objects.order_by("pk").values()),
            list(Target.objects.order_by("pk").values("pk", "indicator_id", "scope")))


@pytest.fixture
def revenue(hangzhou_plan):
    return Indicator.objects.get(code="ai-industry-revenue")


def test_the_break_gets_an_indicator_of_its_own_with_its_figures_and_targets(revenue, superuser,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new = services.indicator_split(indicator=revenue, user=superuser, **SPLIT)

    assert (new.scope, new.kind, new.unit) == ("ai-core-industry", "stock", "yi_yuan")
    assert list(new.observations.values_list("period_end", "value", "scope")) == [(dt.date(2024, 12, 31), 3000, "")]
    assert list(revenue.observations.values_list("scope", flat=True)) == ["above-designated-size", ""]
    core = Target.objects.get(code="ai-core-industry-revenue")
    assert core.indicator == new and core.effective_scope == "ai-core-industry"
    assert Target.objects.get(code="industry-size").indicator == revenue
    moved = new.observations.get()
    assert moved.history.first().history_change_reason == "split from ai-industry-revenue into ai-core-industry-revenue"
    assert core.snapshots.exists()  # recomputed on its new indicator


@pytest.mark.parametrize(("change", "field"), [
    ({"scope": "ai-industry"}, "scope"),  # the indicator's own scope
    ({"scope": ""}, "scope"),
    ({"code": "ai-industry-revenue"}, "code"),  # taken
    ({"code": "not a code"}, "code"),
    ({"name_en": ""}, "name_en"),
])
def test_a_bad_split_is_refused_and_changes_nothing(revenue, superuser, change, field):
    before = _state()

    with pytest.raises(ValidationError) as refused:
        services.indicator_split(indicator=revenue, user=superuser, **{**SPLIT, **change})

    assert field in refused.value.message_dict
    assert _state() == before


@pytest.mark.parametrize("role", ["viewer", "data_entry_user"])
def test_only_a_zone_administrator_may_split(request, revenue, role, client):
    user = request.getfixturevalue(role)
    before = _state()

    with pytest.raises(PermissionDenied):
        services.indicator_split(indicator=revenue, user=user, **SPLIT)
    client.force_login(user)
    page = client.get(reverse("admin:targets_indicator_split", args=[revenue.pk]))
    posted = client.post(reverse("admin:targets_indicator_split", args=[revenue.pk]), SPLIT)
    action = client.post(reverse("admin:targets_indicator_changelist"),
                         {"action": "split_indicator", "_selected_action": [revenue.pk]})

    assert page.status_code == posted.status_code == 403
    assert action.status_code in (200, 302, 403)  # the action is not offered to them...
    assert _state() == before  # ...and nothing changed


def test_a_zone_administrator_splits_in_the_admin(client, zone_admin, revenue):
    client.force_login(zone_admin)
    chosen = client.post(reverse("admin:targets_indicator_changelist"),
                         {"action": "split_indicator", "_selected_action": [revenue.pk]})
    assert chosen.status_code == 302 and chosen["Location"] == reverse("admin:targets_indicator_split",
                                                                        args=[revenue.pk])
    form = client.get(chosen["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200 and "ai-core-industry" in form.content.decode()

    refused = client.post(chosen["Location"], {**SPLIT, "code": "ai-industry-revenue"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and Indicator.objects.filter(code=SPLIT["code"]).count() == 0

    done = client.post(chosen["Location"], SPLIT)

    new = Indicator.objects.get(code=SPLIT["code"])
    assert done.status_code == 302 and done["Location"] == reverse("admin:targets_indicator_change", args=[new.pk])
    assert new.observations.count() == 1
