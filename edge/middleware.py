"""Refuses requests whose address, query string or form body carries a control character.

Runs before any view, so that no lookup, filter or search ever sends a NUL to the database
(PostgreSQL refuses NUL in text and the request would end in a 500) and no form stores an
invisible control character. Form bodies may hold tab and line breaks (multi-line text
areas); addresses and query strings may not. JSON bodies are not read here: the API's
fields check their own text and name the field (`edge.fields`, `edge.text`).
"""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseBadRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from edge import text


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
