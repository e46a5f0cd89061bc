"""Display helpers: quantities in the reader's conventions, status badges and progress bars."""

import re
from urllib.parse import urlencode, urlsplit

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dashboard.selectors import NOT_COMPUTED, NOT_COMPUTED_LABEL
from snapshots.models import Snapshot
from targets import progress
from targets.language import active_language, is_chinese
from targets.models import Observation, Plan, TargetItem
from targets.scopes import scope_name
from targets.units import format_quantity

register = template.Library()

# A symbol beside every status word, so that status never rests on colour alone.
STATUS_ICONS = {
    Snapshot.Status.ACHIEVED: "★",
    Snapshot.Status.ON_TRACK: "✔",
    Snapshot.Status.NEEDS_ACCELERATION: "⚠",
    Snapshot.Status.OFF_TRACK: "✖",
    Snapshot.Status.MOVING_AWAY: "↘",
    Snapshot.Status.NOT_ACHIEVED: "⊘",
    Snapshot.Status.NOT_DETERMINED: "…",
    Snapshot.Status.NO_DATA: "?",
}
MEASURE_ICONS = {"not_reported": "·", "not_started": "○", "in_progress": "◐", "completed": "●", "delayed": "⚠"}

QUALIFIER_SIGNS = {
    Observation.Qualifier.AT_LEAST: "≥ ",
    Observation.Qualifier.AT_MOST: "≤ ",
}

# The bar's scale runs from -25 % to 125 % of the way, so that a target that moved
# away (< 0) or was exceeded (> 100 %) is visible instead of clipped at the ends;
# values beyond the scale get an arrow and their number.
BAR_MIN, BAR_MAX = -0.25, 1.25


def _position(share: float) -> float:
    clamped = min(max(share, BAR_MIN), BAR_MAX)
    return round((clamped - BAR_MIN) / (BAR_MAX - BAR_MIN) * 100, 2)


@register.simple_tag
def quantity(value, unit, qualifier=""):
    """`2,000 亿元` or `RMB 200 billion`, with ≥ / ≤ for a bound."""
    if value is None or value == "":  # "" is what a template gives for a missing snapshot
        return "—"
    return QUALIFIER_SIGNS.get(qualifier, "") + format_quantity(value, unit, active_language())


@register.filter
def qualifier_note(qualifier):
    notes = {
        Observation.Qualifier.AT_LEAST: _("lower bound: the source says “more than”"),
        Observation.Qualifier.AT_MOST: _("upper bound: the source says “less than”"),
        Observation.Qualifier.PARTIAL_PERIOD: _("covers only part of the period"),
    }
    return notes.get(qualifier, "")


@register.filter
def percent(share):
    """0.5 → '50 %'; None → '—'. Thousands separators for large shares."""
    if share is None:
        return "—"
    from django.utils.formats import number_format

    return f"{number_format(share * 100, decimal_pos=0, use_l10n=True, force_grouping=True)} %"


@register.inclusion_tag("dashboard/_status.html")
def status_badge(snapshot_or_status):
    """The status's icon and words, from a snapshot (None means no data) or a status value."""
    if isinstance(snapshot_or_status, str):
        status = snapshot_or_status
    else:
        status = getattr(snapshot_or_status, "status", None) or NOT_COMPUTED
    if status == NOT_COMPUTED:
        return {"status": status, "icon": "–", "label": NOT_COMPUTED_LABEL}
    return {"status": status, "icon": STATUS_ICONS.get(status, "?"), "label": Snapshot.Status(status).label}


@register.inclusion_tag("dashboard/_measure_status.html")
def measure_status(status):
    from measures.models import Measure

    return {"status": status, "icon": MEASURE_ICONS.get(status, "?"), "label": Measure.Status(status).label}


@register.inclusion_tag("dashboard/_progress_bar.html")
def progress_bar(snapshot):
    """Geometry of the bar: where zero, 100 %, the attained share and the expected share sit."""
    progress = getattr(snapshot, "progress", None)
    expected = getattr(snapshot, "expected", None)
    context = {
        "progress": progress, "expected": expected, "zero": _position(0),
        "full": _position(1), "track_width": round(_position(1) - _position(0), 2),
    }
    if progress is not None:
        start, end = sorted((_position(0), _position(progress)))
        context.update(
            bar_left=start,
            bar_width=round(end - start, 2),
            exceeded=progress > 1,
            moved_away=progress < 0,
            beyond_scale=progress > BAR_MAX or progress < BAR_MIN,
        )
    if expected is not None:
        context["expected_at"] = _position(expected)
    context["bound"] = _progress_bound(snapshot)
    return context


def _progress_bound(snapshot) -> str:
    """"≥" where the progress shown is only a lower bound (the figure is one: the true value
    may lie further on), "≤" where it is an upper bound, "" where it is exact. A target that
    falls ("at most") turns a lower bound of its figure into an upper bound of its progress."""
    qualifier = getattr(snapshot, "attained_qualifier", "") or ""
    inputs = getattr(snapshot, "inputs", None) or {}
    if qualifier in ("at_least", "partial_period"):
        lower = True
    elif qualifier == "at_most":
        lower = False
    else:
        return ""
    return "≥" if lower != (inputs.get("direction") == "at_most") else "≤"


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0)


@register.filter
def item_status_label(status: str) -> str:
    """A named item's status in words (not reported, not started, in progress, achieved)."""
    return str(TargetItem.Status(status).label) if status in TargetItem.Status.values else status


@register.simple_tag
def overview_query(plan_code, as_of=None, *, objective=None, status=None, page=None):
    """A plan's overview address for a date, an objective (by number), a status and a page;
    what is not given is left out (page 1, every objective, any status, the newest date)."""
    params = {"as_of": as_of.isoformat() if as_of else None, "objective": objective, "status": status,
              "page": page if page and page != 1 else None}
    query = urlencode({name: value for name, value in params.items() if value not in (None, "")})
    return reverse("dashboard:plan", args=[plan_code]) + (f"?{query}" if query else "")


@register.filter
def local(obj, field: str) -> str:
    """A bilingual text field (`method_note`, `definition`, `zone`...) in the reader's language."""
    return obj.localized(field) if obj is not None else ""


@register.simple_tag
def translation_flag(obj):
    """Beside a Chinese name that this project translated (no official wording found), say so."""
    if obj is None or not getattr(obj, "zh_is_translation", False) or not is_chinese():
        return ""
    return format_html('<small class="translation-flag">{}</small>', _("(translated by this project)"))


@register.filter
def scope_words(scope: str) -> str:
    return scope_name(scope) if scope else ""


@register.filter
def direction_word(direction: str) -> str:
    """“at least” or “at most”, without the longer explanation in brackets of the admin's choice."""
    return {progress.AT_LEAST: _("at least"), progress.AT_MOST: _("at most")}.get(direction, "")


@register.filter
def confidence_label(level: str) -> str:
    return str(Observation.Confidence(level).label) if level in Observation.Confidence.values else ""


@register.filter
def plan_status_label(status: str) -> str:
    return str(Plan.Status(status).label) if status in Plan.Status.values else status


@register.filter
def subtract(value, other):
    return (value or 0) - (other or 0)


LINK = re.compile(r"https?://[^\s<>\"']+")


@register.filter
def linked_source(text: str) -> str:
    """A source line with each address shown as a short link named after its site
    (`en.people.cn`): a raw address is one unbreakable word, wider than a phone."""
    if not text:
        return ""
    parts, end = [], 0
    for match in LINK.finditer(text):
        url = match.group(0).rstrip(".,;)")
        parts.append(escape(text[end:match.start()]))
        parts.append(format_html('<a href="{}" rel="noopener noreferrer" title="{}">{}</a>', url, url,
                                 urlsplit(url).hostname or _("source")))
        end = match.start() + len(url)
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)
