"""How the API reports errors: always JSON, never a 500 for bad input.

The rules themselves live in `targets.validation` and `measures.validation`; the
services raise Django's ValidationError, which `service_errors` turns into DRF's
400 with field → messages, the same shape as a serializer's own errors.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# A service's refusals that are about the record's state, not the input: 409, with the message.
# "under_review": the figure is held by a submitted reporting set (targets.review).
CONFLICT_CODES = frozenset({"under_review"})


def conflict_or_none(error: DjangoValidationError) -> Conflict | None:
    """The 409 for a service refusal whose code says the record is not in a state to change."""
    if getattr(error, "code", None) in CONFLICT_CODES:
        return Conflict(" ".join(error.messages))
    return None


def validation_error_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as DRF's field → messages mapping."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in error.message_dict.items()
    }


@contextmanager
def service_errors() -> Iterator[None]:
    """Wrap a service call: its ValidationError becomes a DRF 400 with the same messages, or
    a 409 when it refuses the record's state (`CONFLICT_CODES`)."""
    try:
        yield
    except DjangoValidationError as error:
        raise (conflict_or_none(error) or exceptions.ValidationError(validation_error_detail(error))) from error


def exception_handler(exc, context):
    """DRF's handler, plus the errors Django raises below DRF.

    An oversized body raises RequestDataTooBig while DRF reads it, and a write racing
    another for the same (target, period) hits the database constraint after validation
    passed; both would otherwise leave DRF as a plain-text 400 or a 500.
    """
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is too large. Send at most %(size)s bytes.") % {
            "size": _max_body_size()
        })
    elif isinstance(exc, IntegrityError):
        exc = Conflict(_("Another change to the same record was saved at the same time. Reload and try again."))
    elif isinstance(exc, DjangoValidationError):
        exc = conflict_or_none(exc) or exceptions.ValidationError(validation_error_detail(exc))
    return drf_exception_handler(exc, context)


def _max_body_size() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

