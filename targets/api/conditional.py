"""Conditional GET for the target, snapshot and entry lists.

The ETag is a hash of when the data last changed and which representation was asked
for (path, query, media type), so a polling client gets 304 with an empty body until a
recompute or an edit changes what it would download.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.utils.decorators import method_decorator
from django.views.decorators.http import condition

from targets import selectors


def snapshots_changed() -> tuple:
    return selectors.snapshots_last_computed()


def entries_changed() -> tuple:
    return selectors.entries_last_changed()


def targets_or_snapshots_changed() -> tuple:
    return (*selectors.snapshots_last_computed(), selectors.targets_last_changed())


def conditional_on(changed: Callable[[], tuple], *, name: str):
    """Method decorator for a viewset action; `changed` returns the freshness parts
    (datetimes and counts); the newest datetime is the Last-Modified."""

    def parts(request) -> tuple:
        # ETag and Last-Modified are asked for one after the other: read the database once.
        if not hasattr(request, "_freshness"):
            request._freshness = changed()
        return request._freshness

    def etag(request, *args, **kwargs) -> str:
        representation = (request.get_full_path(), getattr(request, "accepted_media_type", ""))
        text = "|".join(str(part) for part in (*parts(request), *representation))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def last_modified(request, *args, **kwargs) -> datetime | None:
        times = [part for part in parts(request) if isinstance(part, datetime)]
        return max(times) if times else None

    return method_decorator(condition(etag_func=etag, last_modified_func=last_modified), name=name)
