"""The inputs the pages take, all in the query string: the as-of date (`?as_of=YYYY-MM-DD`)
on every page, and on the overview a filter by objective and status, and a page number."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboard.selectors import STATUSES


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, for example 2023-12-31.")},
    )


class OverviewForm(AsOfForm):
    objective = forms.IntegerField(
        label=_("Objective"), required=False, min_value=1, max_value=32767,
        error_messages={
            "invalid": _("Choose an objective by its number."),
            "min_value": _("Choose an objective by its number."),
            "max_value": _("Choose an objective by its number."),
        },
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any status")), *STATUSES],
        error_messages={"invalid_choice": _("Choose one of the statuses offered.")},
    )
    page = forms.IntegerField(
        label=_("Page"), required=False, min_value=1, max_value=1_000_000,
        error_messages={
            "invalid": _("Enter a page number: a whole number from 1."),
            "min_value": _("Enter a page number: a whole number from 1."),
            "max_value": _("Enter a page number: a whole number from 1."),
        },
    )
