"""gunicorn's configuration, read from the working directory by every gunicorn this project
starts (`make run` through manage.py serve, the Dockerfile, docker-compose): no command needs
a flag for it. The command line gives the address and the number of workers.

Gunicorn logs through settings.LOGGING, like everything else: one format. Reading the
settings here also sets the master's time zone to TIME_ZONE; otherwise the master logged in
UTC and its workers, which load Django, in Hangzhou time.

Don't advertise the server software: gunicorn writes `Server: gunicorn` into every response
and has no setting to leave it out, which tells a scanner which server (and which known
flaws) to try. Its HTTP/1.1 response class is narrowed here, before the workers start, to
send every default header but that one. tests/operations/test_deployment.py starts gunicorn and reads
the headers.
"""

import os

from django.conf import settings
from gunicorn.http import wsgi

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hangzhou_ai_zone.settings")


class _Response(wsgi.Response):
    def default_headers(self):
        return [header for header in super().default_headers() if not header.lower().startswith("server:")]


wsgi.Response = _Response

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
