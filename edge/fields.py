"""Model fields for free text that apply `edge.text`'s rules and a length a person would write.

The rules sit on the model fields, so every write path applies them through `full_clean()`:
the admin's forms, the API (DRF's model serializers copy a model field's validators, so a
bad value is a 400 naming the field before any service runs, and the services' `full_clean`
checks again), the measure import (`clean_model_instances`) and the management commands.

`clean()` — run only by `full_clean()` — strips whitespace and invisible characters from
both ends, so that a required field holding only a zero-width space is refused as empty.
Lookups and plain `save()` are left alone: the stored value changes only on a validated write.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from edge import text

BLANK_MESSAGE = _(
    "This field is required. Spaces and invisible characters (such as zero-width spaces) alone "
    "do not count as text."
)


class _StrippedTextMixin:
    default_error_messages = {"blank": BLANK_MESSAGE}

    def clean(self, value, model_instance):
        if isinstance(value, str):
            value = text.strip_invisible(value)
        return super().clean(value, model_instance)


class LineField(_StrippedTextMixin, models.CharField):
    """One line of text (a title, a name, a source): no control characters, no line breaks."""

    default_validators = [text.validate_line]


class LongTextField(_StrippedTextMixin, models.TextField):
    """Several lines of text (a quote, a note, a description), capped at `max_length`.

    Django's TextField passes `max_length` to the form's text area only; here the model
    enforces it too, so that the API and the import refuse longer text as the admin does.
    """

    default_validators = [text.validate_multiline]

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))


class LinkField(_StrippedTextMixin, models.URLField):
    """A web address. Django's URL validator lets a NUL through after the host (it only
    refuses whitespace there), and PostgreSQL cannot store one."""

    default_validators = [*models.URLField.default_validators, text.validate_line]
