"""Pages for JSON; whole tables for CSV unless a page is asked for."""

from rest_framework import pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        # `pandas.read_csv(url)` should get the whole table, not its first page with no
        # sign that more exist. The tables are small (a plan has tens of targets).
        wants_page = self.page_query_param in request.query_params or self.page_size_query_param in request.query_params
        if getattr(request, "accepted_media_type", "").startswith("text/csv") and not wants_page:
            return None
        return super().paginate_queryset(queryset, request, view)


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
