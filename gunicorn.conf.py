"""gunicorn's configuration, read from the working directory by every gunicorn this project
starts (`make run`, the Dockerfile, docker-compose): no command needs a flag for it.

Don't advertise the server software: gunicorn writes `Server: gunicorn` into every response
and has no setting to leave it out, which tells a scanner which server (and which known
flaws) to try. Its HTTP/1.1 response class is narrowed here, before the workers start, to
send every default header but that one. tests/test_deployment.py starts gunicorn and reads
the headers.
"""

from gunicorn.http import wsgi


class _Response(wsgi.Response):
    def default_headers(self):
        return [header for header in super().default_headers() if not header.lower().startswith("server:")]


wsgi.Response = _Response
