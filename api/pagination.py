"""Pages for JSON; whole tables for CSV unless a page is asked for.

Every list passes through here, so this is also where a list refuses query parameters it
does not know (see api.query).
"""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.query import check_query_parameters


def _is_whole_number_from_1(text: str) -> bool:
    # Without int(): Python refuses to convert more than 4,300 digits (a ValueError), and
    # a page number that long is merely past the last page (404), which Django reports.
    return text.isascii() and text.isdigit() and text.strip("0") != ""


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        check_query_parameters(request, view, own=(self.page_query_param, self.page_size_query_param))
        self._check_page_parameters(request)
        # `pandas.read_csv(url)` should get the whole table, not its first page with no
        # sign that more exist. The tables are small (a plan has tens of targets).
        wants_page = self.page_query_param in request.query_params or self.page_size_query_param in request.query_params
        if getattr(request, "accepted_media_type", "").startswith("text/csv") and not wants_page:
            return None
        return super().paginate_queryset(queryset, request, view)

    def _check_page_parameters(self, request) -> None:
        # DRF answers 404 for a page that is not a number and silently uses the default for
        # a page size that is not one; both are malformed requests, not missing pages.
        page = request.query_params.get(self.page_query_param, "")
        if page and page not in self.last_page_strings and not _is_whole_number_from_1(page):
            raise ValidationError({self.page_query_param: [
                _("Enter a page number: a whole number from 1, or “last”.")
            ]})
        size = request.query_params.get(self.page_size_query_param, "")
        if size and not _is_whole_number_from_1(size):
            raise ValidationError({self.page_size_query_param: [
                _("Enter a page size: a whole number from 1 (larger than %(max)s gives %(max)s).") % {
                    "max": self.max_page_size
                }
            ]})


class AsOfPagination(PageNumberPagination):
    """Pages that also say which as-of date they show (the default is the newest one)."""

    as_of = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        return Response({"as_of": self.as_of, **response.data})

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"] = {
            "as_of": {"type": "string", "format": "date", "nullable": True,
                      "description": "The as-of date shown; null when there are no snapshots at all."},
            **envelope["properties"],
        }
        envelope["required"] = ["as_of", *envelope.get("required", [])]
        return envelope
