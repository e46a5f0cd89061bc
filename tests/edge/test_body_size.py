"""A request body over its address's cap is refused with 413 from its Content-Length, before a
byte of it is read (edge.middleware.BodySizeMiddleware): multipart included, which Django's own
DATA_UPLOAD_MAX_MEMORY_SIZE does not cover (it streams files to disk first). The upload
addresses take the upload cap; every other address the general one."""

import io

import pytest
from django.urls import reverse

from targets.models import Observation

pytestmark = pytest.mark.django_db

MULTIPART = "multipart/form-data; boundary=x"


class _CountingBody(io.BytesIO):
    """A request body that counts how often it is read."""

    reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)

    def readline(self, *args):
        self.reads += 1
        return super().readline(*args)


def _post(client, path, length, content_type=MULTIPART, **extra):
    body = _CountingBody(b"--x\r\n")
    response = client.generic("POST", path, b"x", content_type=content_type, CONTENT_LENGTH=str(length),
                              **{"wsgi.input": body}, **extra)
    return response, body


@pytest.mark.parametrize("path", ["/api/v1/observations/", "/accounts/login/", "/admin/login/", "/plans/"])
def test_a_200_mb_multipart_body_is_a_413_before_it_is_read(client, hangzhou_plan, path):
    before = Observation.objects.count()

    response, body = _post(client, path, 200 * 1024 * 1024, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 413
    assert "at most 1048576 bytes" in response.content.decode()
    assert body.reads == 0
    assert Observation.objects.count() == before


def test_the_apis_413_is_json(client, hangzhou_plan):
    response, body = _post(client, "/api/v1/observations/", 2 * 1024 * 1024, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413 and body.reads == 0
    assert response.json() == {"detail": "The request body is too large. Send at most 1048576 bytes."}


def test_the_upload_addresses_take_the_upload_cap(client, zone_admin, hangzhou_plan, settings):
    upload = reverse("reporting:set_upload", args=["2021-annual", "kjj"])
    measures_import = reverse("admin:measures_measure_import")
    limit = settings.REPORTING_UPLOAD_MAX_BYTES + 64 * 1024
    for path in (upload, measures_import):
        over, body = _post(client, path, limit + 1)
        assert over.status_code == 413 and body.reads == 0, path
        # Within the cap (above the general one): past the middleware, to the view's own answer.
        within, _body = _post(client, path, 2 * 1024 * 1024)
        assert within.status_code != 413, path


def test_a_body_within_the_cap_is_served(client, hangzhou_plan):
    # A body-less POST and an ordinary small form are untouched.
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code in (200, 302, 403)
