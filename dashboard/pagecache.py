"""Pages served from a cache keyed by the data they show, and answered with 304 while it
has not changed.

A page is two parts. The body — `<main>`, the page's title, whether it draws charts — is the
same for every reader of one plan version, as-of date, filter and language, and is what
costs the database reads and most of the rendering. The shell around it (base.html: the
header with who is signed in, the language form with its CSRF token, the demo banner) is
rendered for each request, because it differs per reader. Only the body is cached, and it is
rendered without the request, so no reader is ever served another's CSRF token or name.

The body's key: page, plan, the plan's data version, the page's parsed parameters, language,
today's date in Hangzhou (the measures page's statuses depend on it) and the code (a hash of
the templates, Python sources and translations, so a deployment never serves bodies of the
old code). Every change to a plan's data bumps its version in the change's own transaction
(`targets.services.locks.versions_bump`), so a change means new keys: nothing is invalidated
and nothing can be stale; old entries age out (TIMEOUT, culling).

Two levels (`edge.memocache`): a small memo in each process (an entry never changes, so a copy cannot be stale)
in front of the `pages` cache that every worker shares (a database table by default, Redis
when configured). A cache that fails is logged and skipped: the page is rendered instead.
A body missing from both is rendered by one worker at a time (`VersionedCache.claim`): the
others that miss it meanwhile wait for that body, of the same key, instead of rendering it too.

For readers who are not signed in, the whole page is kept too (in the process's memo): their
frame differs only by the CSRF token, so it is rendered once with a placeholder where the
token goes, and each response puts a freshly masked token of its reader's own in its place.
Signed-in readers get their frame rendered for them (their name, the admin link).

The ETag hashes the body's key and the shell's state (user, CSRF cookie, banner, address):
a 304 costs the plan's version, which the page reads anyway (with the banner's state).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import get_language

from edge import memocache
from site_shell.context_processors import banner_shown
from targets.progress.dates import zone_today

MEMO_SIZE = 256
# What the pages' output depends on besides the data: the code that renders them.
CODE_FOLDERS = ("dashboard", "site_shell", "targets", "measures", "hangzhou_ai_zone", "locale")
CODE_SUFFIXES = (".py", ".html", ".mo")


@dataclass(frozen=True)
class PageBody:
    """A page without its shell: what `dashboard/page.html` puts inside the site's frame."""

    status: int
    main: str  # the HTML of <main>, safe (rendered by a template)
    title: str = ""
    charts: bool = False  # whether the shell loads Plotly and charts.js
    cacheable: bool = True  # False for answers to input that should not fill the cache


# Where each response's CSRF token goes in a page kept for readers not signed in. Random per
# process (those pages live in its memory only), so that no address or input can contain it
# and have a reader's token written in its place.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"

_bodies = memocache.VersionedCache(alias="pages", memo_size=MEMO_SIZE, name="page")
_pages = memocache.VersionedCache(alias=None, memo_size=MEMO_SIZE, name="page")  # whole pages for readers not signed in


def memo_clear() -> None:
    _bodies.clear()
    _pages.clear()


def code_version() -> str:
    """A hash of the sources that render the pages, computed once per process."""
    return memocache.code_version(CODE_FOLDERS, CODE_SUFFIXES)


def body_key(*, page: str, plan_id: int, version: int, params: dict) -> str:
    parts = [
        page, plan_id, version, get_language(), zone_today().isoformat(), code_version(),
        *(f"{name}={value}" for name, value in sorted(params.items()) if value not in (None, "")),
    ]
    return "page:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _etag(request, key: str) -> str:
    user = request.user
    shell = (
        request.get_full_path(),  # the sign-in link and the language form's return address
        user.pk if user.is_authenticated else "", user.is_staff,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),  # the form's token belongs to it
        banner_shown(request),
    )
    text = "|".join(map(str, (key, *shell)))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _frame(request, body: PageBody, context: dict) -> str:
    return render_to_string("dashboard/page.html", {"body": body, **context}, request=request)


def _anonymous_page(request, key: str, body: PageBody, context: dict) -> str:
    """The page for a reader who is not signed in: the frame is the same for all of them but
    for the CSRF token, so the page is rendered once with a placeholder in its place."""
    page_key = "|".join((key, request.get_full_path(), str(banner_shown(request))))
    html = _pages.get(page_key)
    if html is None:
        html = _frame(request, body, {**context, "csrf_token": CSRF_PLACEHOLDER})
        if body.cacheable and body.status == 200:
            _pages.set(page_key, html)
    # As the csrf_token tag does: this reader's secret, masked anew, and the cookie set.
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def page_response(request, *, plan_id: int, version: int, page: str, params: dict,
                  build: Callable[[], PageBody], as_of_requested=None, plan_code: str = ""):
    """The page of a plan at a data version: 304 when the reader's copy is current, else its
    body from the cache (or built and cached) inside a frame for this request."""
    key = body_key(page=page, plan_id=plan_id, version=version, params=params)
    etag = _etag(request, key)
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        response["ETag"] = etag
    else:
        body = _bodies.get(key) or _bodies.claim(key)  # another worker's, if it was making it
        if body is None:
            try:
                body = build()
                if body.cacheable and body.status == 200:
                    _bodies.set(key, body)
            finally:
                _bodies.release(key)
        # The frame's menu points at the pages of the plan shown.
        context = {"as_of": {"requested": as_of_requested}, "nav_plan_code": plan_code}
        if request.user.is_authenticated:
            html = _frame(request, body, context)
        else:
            html = _anonymous_page(request, key, body, context)
        response = HttpResponse(html, status=body.status)
        if body.status == 200:
            response["ETag"] = etag
    # Each reader's copy (it holds their CSRF token), checked with the server on every view.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response
