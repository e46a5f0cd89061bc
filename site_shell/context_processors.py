"""What every page (the admin's too) needs: the demo-data banner and the language list.
A context processor (settings.TEMPLATES) for the shell's base templates."""

from django.conf import settings

from targets.selectors import synthetic_data_exists


def banner_shown(request) -> bool:
    """Whether the demo-data banner shows: read once per request (the page's ETag needs it
    too), since every page carries it while any synthetic figure exists."""
    if not hasattr(request, "_synthetic_data_present"):
        request._synthetic_data_present = synthetic_data_exists()
    return request._synthetic_data_present


def banner_known(request, shown: bool) -> None:
    """For a view that read the banner's state with its own first query (dashboard.selectors)."""
    request._synthetic_data_present = shown


def shell(request):
    return {
        "synthetic_data_present": banner_shown(request),
        "dashboard_languages": settings.LANGUAGES,
    }
