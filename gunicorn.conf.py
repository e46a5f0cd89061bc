"""Gunicorn's settings, read from the working directory by `make run` (manage.py serve) and
by the container image. The command line gives the address and the number of workers.

Gunicorn logs through settings.LOGGING, like everything else: one format. Reading the
settings here also sets the master's time zone to TIME_ZONE; otherwise the master logged in
UTC and its workers, which load Django, in Hangzhou time.
"""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangzhou_ai_zone.settings")

logconfig_dict = {
    **settings.LOGGING,
    "loggers": {
        **settings.LOGGING["loggers"],
        # Propagate to the root handler (settings.LOGGING's format) instead of gunicorn's own.
        "gunicorn.error": {"level": "INFO", "propagate": True},
        "gunicorn.access": {"level": "INFO", "propagate": True},
    },
}
# The time stamp is the log line's own; the request's duration in milliseconds is added.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Gunicorn's control socket (gunicornc, gunicorn 25.1+) is not used; its default path in $HOME
# would be shared by every gunicorn of the same user, e.g. a test's beside `make run`.
control_socket_disable = True
