"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangzhou_ai_zone.settings")

app = Celery("hangzhou_ai_zone")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
