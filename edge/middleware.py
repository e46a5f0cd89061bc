"""The request-edge rules: a body larger than the address accepts is refused from its
Content-Length before it is read (`BodySizeMiddleware`), requests whose address, query
string or form body carries a control character are refused (`ControlCharacterMiddleware`),
and while the database cannot be reached every request gets a 503 instead of a 500
(`DatabaseUnavailableMiddleware`).

Control characters

Runs before any view, so that no lookup, filter or search ever sends a NUL to the database
(PostgreSQL refuses NUL in text and the request would end in a 500) and no form stores an
invisible control character. Form bodies may hold tab and line breaks (multi-line text
areas); addresses and query strings may not. JSON bodies are not read here: the API's
fields check their own text and name the field (`edge.fields`, `edge.text`).
"""

import json
import logging
import sys

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from edge import text, transactions

# --- the body's size ----------------------------------------------------------------------------

# The addresses that take a file: an agency's round upload and the admin's import of measures.
# They accept the upload cap (REPORTING_UPLOAD_MAX_BYTES) plus the multipart framing and the
# form's other fields; every other address the general cap, DATA_UPLOAD_MAX_MEMORY_SIZE.
UPLOAD_VIEWS = frozenset({"reporting:set_upload", "admin:measures_measure_import"})
MULTIPART_MARGIN_BYTES = 64 * 1024


def body_limit_bytes(path_info: str) -> int:
    """The largest body the address accepts."""
    try:
        view_name = resolve(path_info).view_name
    except Resolver404:
        view_name = None
    if view_name in UPLOAD_VIEWS:
        return settings.REPORTING_UPLOAD_MAX_BYTES + MULTIPART_MARGIN_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeMiddleware:
    """A body above the address's cap is a 413 from its Content-Length, before a byte of it is
    read. Django's own DATA_UPLOAD_MAX_MEMORY_SIZE check counts a multipart body's fields but
    not its files, which it streams to disk first: a 200 MB upload was read in full before the
    view refused it. First in MIDDLEWARE but for the security headers: nothing before it reads
    the body. A body without a Content-Length (chunked) is not read by Django at all (it
    reads Content-Length bytes), and gunicorn refuses a Content-Length it cannot parse."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > 0:
            limit = body_limit_bytes(request.path_info)
            if length > limit:
                return body_too_large(request, limit)
        return self.get_response(request)


def body_too_large(request, limit: int) -> HttpResponse:
    """The 413, without reading the body or touching the session or the database: JSON
    under /api/ (the API's own message), plain text elsewhere, in the reader's language."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _("The request body is too large. Send at most %(size)s bytes.") % {"size": limit}
    if request.path_info.startswith("/api/"):
        response = HttpResponse(json.dumps({"detail": message}, ensure_ascii=False), status=413,
                                content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = language
    return response


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem is not None:
            return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _problem(self, request) -> str | None:
        character = text.forbidden_character(request.path)
        if character is not None:
            return _refusal(_("the address"), character)
        for name, values in request.GET.lists():
            for value in (name, *values):
                character = text.forbidden_character(value)
                if character is not None:
                    return _refusal(_("the query parameter “%(name)s”") % {"name": _printable(name)}, character)
        if request.method == "POST":
            try:
                form = request.POST
            except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
                # Too large, too many fields, malformed: left to the view, which reports it
                # as it always has (413 in the API, 400 elsewhere).
                return None
            for name, values in form.lists():
                character = text.forbidden_character(name, multiline=True)
                if character is not None:
                    return _refusal(_("a form field's name"), character)
                for value in values:
                    character = text.forbidden_character(value, multiline=True)
                    if character is not None:
                        return _refusal(_("the form field “%(name)s”") % {"name": _printable(name)}, character)
        return None


def _printable(name: str) -> str:
    return "".join(c if text.forbidden_character(c) is None else "?" for c in name)[:100]


def _refusal(where: str, character: str) -> str:
    return _(
        "Bad request: %(where)s contains the control character %(character)s, which this site "
        "does not accept. Remove it and try again."
    ) % {"where": where, "character": text.describe(character)}


# --- the database unreachable ----------------------------------------------------------------

logger = logging.getLogger(__name__)

# What the database driver raises while the server is down, restarting, refusing connections
# or has dropped one (psycopg2's OperationalError, a closed connection's InterfaceError,
# SQLite's "database is locked" past its busy timeout): all pass by themselves, so the answer
# is "try again shortly", not "the site is broken". A programming error (ProgrammingError,
# IntegrityError) stays a 500 or the API's own 4xx.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# A PostgreSQL restart takes seconds, a fail-over about half a minute.
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, answers 503 with Retry-After: a plain page in the
    reader's language, or a JSON error under /api/, instead of a 500.

    Django turns an exception into a response at every layer of the middleware stack, so no
    middleware ever sees one raised below it as an exception. A view's exception (a query, the
    session or user loaded for the view, DRF's authentication, a template) reaches
    `process_exception` here; one raised by another middleware (the session saved after the
    view) reaches only the 500 handler, `server_error` below (hangzhou_ai_zone/urls.py). Both
    answer with `database_unavailable`. Early in MIDDLEWARE, so that its answer passes through
    the security headers and nothing else that needs the database.

    Recovering needs nothing here: with CONN_HEALTH_CHECKS (settings.py) each request checks a
    kept connection before using it and opens a new one after a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (*DATABASE_UNAVAILABLE, transactions.WriteConflict)):
            return database_unavailable(request, exception)
        return None


def server_error(request):
    """The 500 handler (handler500): a database that cannot be reached is a 503, whichever
    middleware ran into it; anything else is Django's own 500. Called inside Django's `except`
    block, so the exception is the one being handled. (With DEBUG on, Django shows its
    technical 500 page instead and never calls this.)"""
    exception = sys.exc_info()[1]
    if isinstance(exception, (*DATABASE_UNAVAILABLE, transactions.WriteConflict)):
        return database_unavailable(request, exception)
    return defaults.server_error(request)


def database_unavailable(request, exception) -> HttpResponse:
    """The 503. Built without the database: no session, no user, no context processors; the
    language comes from the reader's cookie or browser, as LocaleMiddleware would choose it.

    A write conflict (a deadlock or serialization failure, retried once by the services and
    met again, or met where nothing retries it) is not a database that is down: its 503 says
    that the change met another one and was not saved, and asks to send it again in a moment."""
    reason = str(exception).strip().partition("\n")[0]
    conflict = transactions.is_write_conflict(exception)
    if conflict:
        logger.warning("A write conflicted with another (%s: %s); answered %s with 503",
                       type(exception).__name__, reason, request.path)
    else:
        logger.warning("The database is unavailable (%s: %s); answered %s with 503",
                       type(exception).__name__, reason, request.path)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if conflict:
            message = _(
                "This change met another one made at the same moment and was not saved; nothing was "
                "changed. Please send it again in a few seconds."
            )
        else:
            message = _(
                "The database cannot be reached at the moment, so this request could not be completed. "
                "Please try again in a minute. If you were saving a change, check afterwards whether it "
                "was saved before entering it again."
            )
        if request.path_info.startswith("/api/"):
            response = HttpResponse(
                json.dumps({"detail": message}, ensure_ascii=False), status=503,
                content_type="application/json; charset=utf-8",
            )
        else:
            response = HttpResponse(
                render_to_string("edge/database_unavailable.html", {"message": message, "language": language}),
                status=503, content_type="text/html; charset=utf-8",
            )
    response["Retry-After"] = str(transactions.RETRY_AFTER_SECONDS if conflict else RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response
