"""HTML, JSON and CSV are sent gzip-compressed to clients that accept it; the admin is not;
and a page's CSRF token never repeats, which is what keeps compression safe (BREACH, see
edge/compression.py)."""

import datetime as dt
import gzip
import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from rest_framework.test import APIClient

from snapshots.services import snapshots_recompute

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_unthrottled")]

# The 2020 plan's pages (`/` shows the plan in force, else the newest: the 2025 plan).
HZ = "/plans/hz-ai-zone-2020"

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def computed_plan(hangzhou_plan):
    snapshots_recompute(as_of=dt.date(2021, 12, 31))
    return hangzhou_plan


def body(response) -> bytes:
    return response.getvalue()


@pytest.mark.parametrize(("url", "kind"), [
    ("/", "text/html"),
    (f"{HZ}/targets/industry-size/", "text/html"),
    (f"{HZ}/", "text/html"),
    ("/api/v1/targets/", "application/json"),
    ("/api/v1/targets/?format=csv", "text/csv"),  # streamed, and compressed as it streams
])
def test_pages_and_api_lists_are_sent_compressed(client, computed_plan, url, kind):
    plain = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    packed = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **GZIP)

    assert packed.status_code == 200 and packed["Content-Type"].startswith(kind)
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert not plain.has_header("Content-Encoding")
    unpacked = gzip.decompress(body(packed))
    assert len(body(packed)) < len(unpacked) / 2
    if kind != "text/html":  # a page's CSRF token differs in every response
        assert unpacked == body(plain)


def test_the_admin_is_not_compressed(client, superuser):
    client.force_login(superuser)

    response = client.get("/admin/authtoken/tokenproxy/", **GZIP)

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_a_pages_csrf_token_is_masked_anew_in_every_response(client, computed_plan):
    """BREACH guesses a secret that repeats in compressed bodies: the token in the forms is the
    cookie's secret under a new random mask each time, and the compressed lengths vary."""
    client.get(f"{HZ}/", **GZIP)
    secret = client.cookies["csrftoken"].value
    responses = [client.get(f"{HZ}/", **GZIP) for _ in range(8)]
    tokens = [re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', gzip.decompress(body(r))).group(1).decode()
              for r in responses]

    assert len(set(tokens)) == len(tokens)
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert len({len(body(r)) for r in responses}) > 1


def test_a_304_is_not_compressed_and_keeps_its_etag_weak(client, computed_plan):
    api = APIClient()
    first = api.get("/api/v1/targets/", **GZIP)

    again = api.get("/api/v1/targets/", HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)

    assert first["ETag"].startswith('W/"')  # gzip makes the tag weak; it still matches
    assert again.status_code == 304 and again.content == b""
