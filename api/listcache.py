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

import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
MEMO_SIZE = 128
MAX_BODY_BYTES = 4 * 1024 * 1024
# What the lists' bytes depend on besides the data: the code that writes them.
CODE_FOLDERS = ("api", "exports", "targets", "measures", "reporting", "hangzhou_ai_zone", "locale")
CODE_SUFFIXES = (".py", ".mo")
SHARED_MEDIA_TYPES = ("application/json", "text/csv")


@dataclass(frozen=True)
class CachedList:
    content: bytes
    content_type: str

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, content_type=self.content_type)


_memo: OrderedDict[str, CachedList] = OrderedDict()
_memo_lock = threading.Lock()


def memo_clear() -> None:
    with _memo_lock:
        _memo.clear()


@functools.cache
def code_version() -> str:
    """A hash of the sources that write the lists, computed once per process."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in CODE_FOLDERS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def list_key(request, version: tuple) -> str:
    query = sorted((name, value) for name, values in request.query_params.lists() for value in values)
    parts = (
        request.scheme, request.get_host(), request.path, query, getattr(request, "accepted_media_type", ""),
        get_language(), code_version(), version,
    )
    return "api-list:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _get(key: str) -> CachedList | None:
    with _memo_lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
            return found
    try:
        found = caches[CACHE_ALIAS].get(key)
    except Exception:
        logger.warning("The list cache could not be read; reading the list instead", exc_info=True)
        return None
    if found is not None:
        _memo_put(key, found)
    return found


def _memo_put(key: str, found: CachedList) -> None:
    with _memo_lock:
        _memo[key] = found
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)


def _set(key: str, found: CachedList) -> None:
    _memo_put(key, found)
    try:
        caches[CACHE_ALIAS].set(key, found)
    except Exception:
        logger.warning("The list cache could not be written; the list was served uncached", exc_info=True)


def _kept_as_streamed(key: str, response: StreamingHttpResponse) -> None:
    content_type = response["Content-Type"]
    pieces = response.streaming_content

    def stream() -> Iterator[bytes]:
        kept: list[bytes] | None = []
        size = 0
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
            _set(key, CachedList(b"".join(kept), content_type))

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
    found = _get(key)
    if found is not None:
        return found.response()
    response = read()
    if response.status_code != 200:
        return response
    if isinstance(response, StreamingHttpResponse):
        _kept_as_streamed(key, response)
    elif hasattr(response, "add_post_render_callback"):  # DRF's Response, rendered after the view

        def keep(rendered) -> None:
            if rendered.status_code == 200:
                _set(key, CachedList(rendered.content, rendered["Content-Type"]))

        response.add_post_render_callback(keep)
    return response
