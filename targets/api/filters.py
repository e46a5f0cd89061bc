"""Filters for the targets API lists. Plans and targets are given by code or id everywhere;
values a filter cannot use are a 400 naming the parameter (api.query, api.filters).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.filters import BooleanFilter, IdFilter
from api.lookups import code_or_id_q
from targets.models import Indicator, Objective, Observation, Plan, Target


def code_or_id_method(prefix: str):
    def method(queryset, name, value):
        return queryset.filter(code_or_id_q(value, prefix=prefix))

    return method


def plan_filter(prefix: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(method=code_or_id_method(prefix), label=_("Plan code or id"))


def objective_filter(field: str) -> IdFilter:
    return IdFilter(field_name=field, label=_("Objective id"))


def target_filter(prefix: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(method=code_or_id_method(prefix), label=_("Target code or id"))


class PlanFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(label=_("Plan code"))

    class Meta:
        model = Plan
        fields = ["code"]


class ObjectiveFilter(django_filters.FilterSet):
    plan = plan_filter("plan__")

    class Meta:
        model = Objective
        fields = ["plan"]


def _of_target(queryset, name, value):
    """The figures of the indicator a target (given by code or id) is judged on."""
    return queryset.filter(indicator__targets__in=Target.objects.filter(code_or_id_q(value))).distinct()


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(method=code_or_id_method("indicator__"), label=_("Indicator code or id"))
    target = django_filters.CharFilter(method=_of_target, label=_("Target code or id: its indicator's figures"))
    period_end = django_filters.DateFromToRangeFilter(label=_("Period end (period_end_after, period_end_before)"))
    qualifier = django_filters.ChoiceFilter(choices=Observation.Qualifier.choices)
    confidence = django_filters.ChoiceFilter(choices=Observation.Confidence.choices)
    scope = django_filters.CharFilter()
    is_synthetic = BooleanFilter()
    status = django_filters.ChoiceFilter(
        choices=Observation.Status.choices,
        label=_("Approval status; drafts and submitted figures are listed only for readers who may change figures"),
    )

    class Meta:
        model = Observation
        fields = ["indicator", "target", "period_end", "qualifier", "confidence", "scope", "is_synthetic", "status"]


class IndicatorFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(label=_("Indicator code"))
    kind = django_filters.ChoiceFilter(choices=Indicator.Kind.choices)
    unit = django_filters.CharFilter()

    class Meta:
        model = Indicator
        fields = ["code", "kind", "unit"]
