"""Redirects for addresses that moved, keeping the rest of the path, the query string and
(with 308) the method and body."""

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.views import View


class QueryKeepingRedirect(View):
    """Redirects `<old prefix><rest>?<query>` to `<pattern><rest>?<query>`, relative to the
    old prefix's parent: 308 (permanent, method kept) or 307."""

    pattern = ""
    permanent = True

    def dispatch(self, request, *args, rest="", **kwargs):
        base = request.path[: len(request.path) - len(rest)]
        parent = base.rstrip("/").rsplit("/", 1)[0] + "/"
        location = f"{parent}{self.pattern}{rest}"
        if request.META.get("QUERY_STRING"):
            location += "?" + request.META["QUERY_STRING"]
        response = (HttpResponsePermanentRedirect if self.permanent else HttpResponseRedirect)(location)
        response.status_code = 308 if self.permanent else 307
        response["Deprecation"] = "true"
        return response
