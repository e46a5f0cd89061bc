"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangzhou_ai_zone.settings")

app = Celery("hangzhou_ai_zone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers and beat log through settings.LOGGING, in the same format and time zone as
    the web server, instead of Celery's own handlers (the level comes from LOG_LEVEL)."""
    from django.conf import settings

    dictConfig(settings.LOGGING)
