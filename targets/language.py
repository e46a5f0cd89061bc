"""Which language a text is read in: the one place that answers it."""

from django.conf import settings
from django.utils.translation import get_language


def active_language() -> str:
    """The language of this request (or of an `override`), else the site's default (Chinese):
    outside a request, e.g. in a task or a command, no language is active."""
    return get_language() or settings.LANGUAGE_CODE


def is_chinese(language: str | None = None) -> bool:
    return (language or active_language()).startswith("zh")
