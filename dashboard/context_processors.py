"""What every page (the admin's too) needs: the demo-data banner and the language list."""

from django.conf import settings

from targets.selectors import synthetic_data_exists


def dashboard(request):
    return {
        "synthetic_data_present": synthetic_data_exists(),
        "dashboard_languages": settings.LANGUAGES,
    }
