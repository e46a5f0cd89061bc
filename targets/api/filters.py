"""Filters for the API lists. Plans and targets are given by code or id everywhere.

A value a filter cannot use (an unknown choice, a boolean other than true/false, an id
that is not a whole number) is a 400 naming the parameter (targets.api.query), never a
filter silently left out.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from targets.api.lookups import as_id, code_or_id_q
from targets.models import Objective, Plan, ProgressEntry, Snapshot, Target


class _StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error. django-filter's own boolean reads
    `?is_synthetic=yes` as "no filter" and returns every row."""

    widget = forms.Select(choices=[("", "---------"), ("true", "true"), ("false", "false")])
    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class _IdField(forms.CharField):
    default_error_messages = {"invalid": _("Enter an id: a whole number from 1.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        number = as_id(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """A row's id, checked before it reaches the database (where a number over 2^63 is an
    error, not "not found")."""

    field_class = _IdField


def _code_or_id(prefix: str):
    def method(queryset, name, value):
        return queryset.filter(code_or_id_q(value, prefix=prefix))

    return method


def plan_filter(prefix: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(method=_code_or_id(prefix), label=_("Plan code or id"))


def objective_filter(field: str) -> IdFilter:
    return IdFilter(field_name=field, label=_("Objective id"))


def target_filter(prefix: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(method=_code_or_id(prefix), label=_("Target code or id"))


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


class TargetFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(label=_("Target code"))
    plan = plan_filter("objective__plan__")
    objective = objective_filter("objective_id")
    kind = django_filters.ChoiceFilter(choices=Target.Kind.choices)
    unit = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(
        choices=Snapshot.Status.choices, method="filter_status",
        label=_("Status on the as-of date"),
    )

    class Meta:
        model = Target
        fields = ["code", "plan", "objective", "kind", "unit", "status"]

    def filter_status(self, queryset, name, value):
        # The status is the one on the list's as-of date, which the view decides.
        as_of = self.request.parser_context["view"].as_of
        if as_of is None:  # no snapshots at all: no target has any status yet
            return queryset.none()
        return queryset.filter(snapshots__as_of=as_of, snapshots__status=value)


class EntryFilter(django_filters.FilterSet):
    target = target_filter("target__")
    plan = plan_filter("target__objective__plan__")
    objective = objective_filter("target__objective_id")
    period_end = django_filters.DateFromToRangeFilter(label=_("Period end (period_end_after, period_end_before)"))
    qualifier = django_filters.ChoiceFilter(choices=ProgressEntry.Qualifier.choices)
    confidence = django_filters.ChoiceFilter(choices=ProgressEntry.Confidence.choices)
    is_synthetic = BooleanFilter()

    class Meta:
        model = ProgressEntry
        fields = ["target", "plan", "objective", "period_end", "qualifier", "confidence", "is_synthetic"]


class SnapshotFilter(django_filters.FilterSet):
    target = target_filter("target__")
    plan = plan_filter("target__objective__plan__")
    objective = objective_filter("target__objective_id")
    status = django_filters.ChoiceFilter(choices=Snapshot.Status.choices)
    method = django_filters.ChoiceFilter(choices=Snapshot.Method.choices)
    has_synthetic = BooleanFilter()

    class Meta:
        model = Snapshot
        fields = ["target", "plan", "objective", "status", "method", "has_synthetic"]
