"""What an API list accepts in its query string; a 400 for anything else.

Every list answers 400, keyed by the parameter exactly as it was sent, for:
- a parameter it does not know, with the list of those it does (a filter that does not
  exist used to be ignored, and the list came back whole, as if it had been applied);
- a filter value that is not one of its choices, not true/false, not a date, not an id;
- an ordering by a field it cannot be ordered by;
- a `page` or `page_size` that is not a whole number from 1 (a page past the last stays 404).

The filter and ordering checks run in the filter backends below; the check for unknown
parameters runs in the pagination class (api.pagination), because every list is
paginated — also those without filters, such as a target's entries or a measure's updates.
A view names the parameters it reads itself (such as `as_of`) in `query_parameters`.
"""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import SuffixedMultiWidget
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


def _parameter_names(name: str, field: forms.Field) -> list[str]:
    """The query parameters a filter's form field reads: a range reads two
    (`period_end_after`, `period_end_before`), not its own name."""
    widget = field.widget
    if isinstance(widget, SuffixedMultiWidget):
        return [widget.suffixed(name, suffix) for suffix in widget.suffixes]
    if isinstance(widget, forms.MultiWidget):
        return [name + suffix for suffix in widget.widgets_names]
    return [name]


def _errors_by_parameter(form: forms.Form, params) -> dict[str, list[str]]:
    """A filter form's errors keyed by the parameters sent, not by the filters' names."""
    errors = {}
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        names = _parameter_names(name, field) if field is not None else [name]
        if len(names) == 1:
            errors[names[0]] = list(messages)
            continue
        # A range: find which of the parameters sent is wrong by cleaning each alone.
        for part_name, part_field in zip(names, field.fields, strict=True):
            if part_name in params:
                try:
                    part_field.clean(params[part_name])
                except DjangoValidationError as error:
                    errors[part_name] = error.messages
        if not any(part in errors for part in names):
            for part_name in [part for part in names if part in params] or names:
                errors[part_name] = list(messages)
    return errors


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with errors keyed by the parameter sent."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(_errors_by_parameter(filterset.form, request.query_params))
        return filterset.qs

    def parameter_names(self, request, view) -> list[str]:
        filterset_class = self.get_filterset_class(view)
        if filterset_class is None:
            return []
        form = filterset_class(request=request).form
        return [parameter for name, field in form.fields.items() for parameter in _parameter_names(name, field)]


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, refusing fields it cannot order by instead of ignoring them."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]
        terms = [term for term in fields if term]
        invalid = [term for term in terms if term.removeprefix("-") not in valid]
        if invalid:
            raise ValidationError({self.ordering_param: [_(
                "This list cannot be ordered by %(fields)s. Order by one or more of: %(valid)s "
                "(comma-separated; a leading minus sign reverses the order)."
            ) % {"fields": ", ".join(invalid), "valid": ", ".join(valid)}]})
        return terms

    def parameter_names(self, request, view) -> list[str]:
        return [self.ordering_param]


def accepted_parameters(request, view, *, own: Iterable[str] = ()) -> set[str]:
    """Every query parameter the list `view` reads: its filters, ordering, the paginator's
    (`own`), the format override and the view's own `query_parameters`."""
    accepted = {api_settings.URL_FORMAT_OVERRIDE, *own, *getattr(view, "query_parameters", ())}
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if hasattr(backend, "parameter_names"):
            accepted.update(backend.parameter_names(request, view))
        else:  # a backend of another library: the parameters it documents
            accepted.update(parameter["name"] for parameter in backend.get_schema_operation_parameters(view))
    accepted.discard(None)
    return accepted


def check_query_parameters(request, view, *, own: Iterable[str] = ()) -> None:
    """Raises a 400 naming each query parameter the list does not know."""
    accepted = accepted_parameters(request, view, own=own)
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        message = _("Unknown parameter. This list accepts: %(accepted)s.") % {"accepted": ", ".join(sorted(accepted))}
        raise ValidationError({name: [message] for name in unknown})
