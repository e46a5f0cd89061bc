"""Conditional GET: ETag and Last-Modified from a view's freshness, so a polling client
gets 304 with an empty body until a recompute or an edit changes what it would download.

The ETag is a hash of the freshness parts and of which representation was asked for
(path, query, media type, language). Each app says what "changed" means for its lists; it
should cost one small read (a version), not a scan of what it guards: a 304 is worth
answering only when it costs a fraction of the 200.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.http import condition


def freshness(request: HttpRequest, changed: Callable[[HttpRequest], tuple]) -> tuple:
    """`changed(request)`, read once per request: the ETag, the Last-Modified and the list
    cache's key (`api.listcache`) all ask for it, and it costs a query."""
    found = request.__dict__.setdefault("_freshness_of", {})
    if changed not in found:
        found[changed] = changed(request)
    return found[changed]


def conditional_on(changed: Callable[[HttpRequest], tuple], *, name: str):
    """Method decorator for a viewset action; `changed(request)` returns the freshness parts
    (datetimes, counts, text) of what this reader may see — never of rows hidden from them, or
    the ETag would tell that those changed; the newest datetime is the Last-Modified."""

    def parts(request) -> tuple:
        return freshness(request, changed)

    def etag(request, *args, **kwargs) -> str:
        representation = (request.get_full_path(), getattr(request, "accepted_media_type", ""), get_language())
        text = "|".join(str(part) for part in (*parts(request), *representation))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def last_modified(request, *args, **kwargs) -> datetime | None:
        times = [part for part in parts(request) if isinstance(part, datetime)]
        return max(times) if times else None

    return method_decorator(condition(etag_func=etag, last_modified_func=last_modified), name=name)
