"""Parameter patterns and readers every API view uses: ids and codes in addresses, dates in
query strings."""

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.lookups import by_code_or_id

# Database ids; anything longer could not be one (and would overflow the column).
ID_PATTERN = r"[0-9]{1,18}"
CODE_OR_ID_PATTERN = r"[-a-zA-Z0-9_]+"


def date_param(request, name: str) -> dt.date | None:
    """An optional YYYY-MM-DD query parameter; a malformed one is a 400 naming it."""
    text = request.query_params.get(name)
    if text in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise serializers.ValidationError(
            {name: [_("Enter a date as YYYY-MM-DD, for example 2023-12-31.")]}
        ) from None


def as_of_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter("as_of", OpenApiTypes.DATE, description=description)


class CodeOrIdLookupMixin:
    """Detail addresses take the stable code (`/targets/industry-size/`) or the id."""

    lookup_url_kwarg = "code_or_id"
    lookup_value_regex = CODE_OR_ID_PATTERN

    def get_object(self):
        found = by_code_or_id(self.get_queryset(), self.kwargs[self.lookup_url_kwarg])
        if found is None:
            raise Http404(_("Nothing has this code or id."))
        self.check_object_permissions(self.request, found)
        return found
