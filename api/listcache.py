"""API lists served from the version-keyed cache of the pages (`dashboard.pagecache`).

A list is the same bytes for every reader who may see the same rows, at one version of the
data it shows: the key is that version (each list says what it is, `ListMixin.list_version`:
the plans' data versions, or the figures' own), the address asked for (scheme, host and path:
the pages' `next` links are absolute; the query string, its parameters sorted), the media type
(JSON, CSV), the language, and a hash of the code that writes it. Every change bumps the
version in the change's own transaction, so a change means new keys: nothing is invalidated and
nothing can be stale; old entries age out.

Only readers who see what an anonymous reader sees share it: the version function answers
None for a reader who may see unapproved figures (a zone administrator, an agency's data entry),
and their list is read and written for them, as before. A hit costs the version's read (one
query, which the ETag reads anyway) and a copy of the bytes.

Two levels, as the pages: a small memo in each process in front of the `pages` cache that the
workers share. Only 200s are kept; a whole table as CSV is kept as it streams, up to
MAX_BODY_BYTES. A cache that fails is logged and skipped: the list is read instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import get_language

from edge import memocache

MAX_BODY_BYTES = 4 * 1024 * 1024
# What the lists' bytes depend on besides the data: the code that writes them.
CODE_FOLDERS = ("api", "exports", "targets", "measures", "reporting", "hangzhou_ai_zone", "locale")
CODE_SUFFIXES = (".py", ".mo")
SHARED_MEDIA_TYPES = ("application/json", "text/csv")

_lists = memocache.VersionedCache(alias="pages", memo_size=128, name="list")


@dataclass(frozen=True)
class CachedList:
    content: bytes
    content_type: str

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, content_type=self.content_type)


def memo_clear() -> None:
    _lists.clear()


def code_version() -> str:
    """A hash of the sources that write the lists, computed once per process."""
    return memocache.code_version(CODE_FOLDERS, CODE_SUFFIXES)


def list_key(request, version: tuple) -> str:
    query = sorted((name, value) for name, values in request.query_params.lists() for value in values)
    parts = (
        request.scheme, request.get_host(), request.path, query, getattr(request, "accepted_media_type", ""),
        get_language(), code_version(), version,
    )
    return "api-list:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _kept_as_streamed(key: str, response: StreamingHttpResponse) -> None:
    content_type = response["Content-Type"]
    pieces = response.streaming_content

    def stream() -> Iterator[bytes]:
        kept: list[bytes] | None = []
        size = 0
        try:
            for piece in pieces:
                if kept is not None:
                    size += len(piece)
                    if size <= MAX_BODY_BYTES:
                        kept.append(piece)
                    else:
                        kept = None
                yield piece
            # Only a table streamed to its end is kept (a client that hangs up leaves none).
            if kept is not None:
                _lists.set(key, CachedList(b"".join(kept), content_type))
        finally:
            _lists.release(key)

    response.streaming_content = stream()


def list_cached(request, version: Callable[[object], tuple | None] | None,
                read: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """The list `read()` answers, from the cache when it holds it for this reader, version and
    representation; else read, and kept once it is written (200s only)."""
    # The browsable API's HTML carries the reader's name and CSRF token: never shared.
    shared = getattr(request, "accepted_media_type", "").startswith(SHARED_MEDIA_TYPES)
    parts = version(request) if version is not None and shared else None
    if parts is None:
        return read()
    key = list_key(request, parts)
    found = _lists.get(key) or _lists.claim(key)  # another worker's, if it was making it
    if found is not None:
        return found.response()
    try:
        response = read()
    except BaseException:
        _lists.release(key)
        raise
    if response.status_code != 200:
        _lists.release(key)
        return response
    if isinstance(response, StreamingHttpResponse):
        _kept_as_streamed(key, response)
    elif hasattr(response, "add_post_render_callback"):  # DRF's Response, rendered after the view

        def keep(rendered) -> None:
            if rendered.status_code == 200:
                _lists.set(key, CachedList(rendered.content, rendered["Content-Type"]))
            _lists.release(key)

        response.add_post_render_callback(keep)
    else:
        _lists.release(key)
    return response
