"""The abstract bases the bilingual models share."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.language import is_chinese


class BilingualTitleMixin(models.Model):
    """Chinese and English names, read in the active language."""

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        suffix = "zh" if is_chinese(language) else "en"
        return getattr(self, f"{field}_{suffix}") or getattr(self, f"{field}_en") or ""


class TranslationFlagMixin(models.Model):
    """Whether the Chinese text is this project's translation of an English source rather than
    the official wording: the pages say so beside it."""

    zh_is_translation = models.BooleanField(
        _("Chinese text is this project's translation"), default=False,
        help_text=_("Tick when no official Chinese wording was found and the Chinese text was translated here."),
    )

    class Meta:
        abstract = True
