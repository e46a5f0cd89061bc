"""Pages for JSON; whole tables for CSV unless a page is asked for, streamed.

Every list passes through here, so this is also where a list refuses query parameters it
does not know (see api.query).

A whole table as CSV (5,000 targets: a second of serializing) is sent as it is written, a
few hundred rows at a time (`ListMixin`): the first rows leave at once, and the rows never
sit in memory all together. It is the same text as the CSV of a page (`api.renderers.
csv_text` writes both). The queries run while it streams: one for the rows (a server-side
cursor on PostgreSQL) and each prefetch once per CSV_ROWS_PER_QUERY rows.
"""

from collections.abc import Callable
from itertools import islice

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.listcache import list_cached
from api.query import check_query_parameters
from api.renderers import CSVRenderer, csv_text, serializer_columns

CSV_ROWS_PER_QUERY = 500


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
        if self.wants_whole_csv(request):
            return None
        return super().paginate_queryset(queryset, request, view)

    def wants_whole_csv(self, request) -> bool:
        wants_page = self.page_query_param in request.query_params or self.page_size_query_param in request.query_params
        return getattr(request, "accepted_media_type", "").startswith("text/csv") and not wants_page

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


class ListMixin:
    """DRF's list, with a whole table asked for as CSV streamed instead of built in memory,
    served from the version-keyed cache (`api.listcache`) where the list says how.

    `list_version(request)`: the version of what the list shows this reader (the parts its
    ETag hashes, read once per request with `api.conditional.freshness`), or None for a reader
    who may see rows that others do not (their list is never shared). None (the default): the
    list is not cached."""

    list_version: Callable[[Request], tuple | None] | None = None  # set with staticmethod()

    def list(self, request, *args, **kwargs):
        return list_cached(request, self.list_version,
                           lambda: self.list_response(self.filter_queryset(self.get_queryset())))

    def list_response(self, queryset):
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        paginator = self.paginator
        if paginator is not None and paginator.wants_whole_csv(self.request):
            return self._csv_stream(queryset)
        return Response(self.get_serializer(queryset, many=True).data)

    def _csv_stream(self, queryset) -> StreamingHttpResponse:
        def rows():
            # A list (one target's series, already read) is streamed as it is.
            found = iter(queryset) if isinstance(queryset, list) else queryset.iterator(chunk_size=CSV_ROWS_PER_QUERY)
            while chunk := list(islice(found, CSV_ROWS_PER_QUERY)):
                yield from self.get_serializer(chunk, many=True).data

        columns = serializer_columns(self.get_serializer())
        return StreamingHttpResponse(
            (text.encode(CSVRenderer.charset) for text in csv_text(rows(), columns, rows_per_piece=CSV_ROWS_PER_QUERY)),
            content_type=f"{CSVRenderer.media_type}; charset={CSVRenderer.charset}",
        )
