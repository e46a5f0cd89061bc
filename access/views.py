"""The lockout page that django-axes shows (AXES_LOCKOUT_CALLABLE)."""

from axes.conf import settings
from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render


def lockout(request, original_response=None, credentials=None):
    """Signing in is locked: say why, for how long and who can unlock it, in the reader's
    language (django-axes' own page gives one English sentence)."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        # Whole minutes, rounded up: "try again in 0 minutes" would be false.
        "cooloff_minutes": -(-int(cool_off.total_seconds()) // 60) if cool_off else None,
    }
    return render(request, "access/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
