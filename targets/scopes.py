"""Readable names of statistical scopes (统计口径).

A scope is stored as a short code on indicators, targets and observations; where a page or a
sentence names one, an official reads these words instead. A scope not listed here is shown
as its code with spaces.
"""

from django.utils.translation import gettext_lazy as _

SCOPE_NAMES = {
    "ai-industry": _("the AI industry as the city's work reports count it"),
    "ai-core-industry": _("the AI core industry (人工智能核心产业)"),
    "above-designated-size": _("AI enterprises above designated size in the provincial statistics"),
}


def scope_name(scope: str) -> str:
    """Words for `scope`, in the active language."""
    name = SCOPE_NAMES.get(scope)
    return str(name) if name is not None else scope.replace("-", " ")
