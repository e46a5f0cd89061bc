"""Strict filters every API list uses: a value a filter cannot use (a boolean other than
true/false, an id that is not a whole number) is a 400 naming the parameter (api.query),
never a filter silently left out."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from api.lookups import as_id


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
