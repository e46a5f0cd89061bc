"""The one input the pages take: the as-of date in `?as_of=YYYY-MM-DD`."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, for example 2023-12-31.")},
    )
