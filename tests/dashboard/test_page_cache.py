"""Pages served from the cache keyed by the plan's data version, answered 304 while nothing
changed, and never carrying one reader's token or name to another (dashboard.pagecache)."""

import datetime as dt
import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from dashboard import pagecache
from snapshots.services import snapshots_recompute
from targets.models import Observation, Target
from targets.services import target_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The 2020 plan's pages (`/` shows the plan in force, else the newest: the 2025 plan).
HZ = "/plans/hz-ai-zone-2020"

AS_OF = dt.date(2021, 12, 31)


@pytest.fixture
def computed_plan(hangzhou_plan):
    snapshots_recompute(as_of=AS_OF)
    return hangzhou_plan


def get(client, url=f"{HZ}/", **headers):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)


def token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_it_serves_the_cached_page_until_the_plans_data_version_changes(client, computed_plan):
    target = Target.objects.get(code="industry-size")
    first = get(client).content.decode()
    # Behind the services' back: no version bump, so the cached page stays as it was...
    Target.objects.filter(pk=target.pk).update(name_en="Renamed quietly")
    cached = get(client).content.decode()
    # ...and a change through the service bumps the version: the next view renders it.
    target.refresh_from_db()
    target.name_en = "Renamed through the service"
    target_save(target=target)
    changed = get(client).content.decode()

    assert "AI industry" in first and "Renamed quietly" not in cached
    assert "Renamed through the service" in changed


def test_a_recompute_gives_the_page_its_new_figures(client, computed_plan):
    row = get(client).content.decode().split("RMB 200 billion", 1)[0].rsplit("<tr>", 1)[1]
    assert "RMB 150 billion" in row  # the 2020 figure, attained on the date shown
    entry = Observation.objects.get(indicator__code="ai-industry-revenue", period_end="2020-12-31")
    Observation.objects.filter(pk=entry.pk).update(value=1800)  # the recompute does the bump

    snapshots_recompute(as_of=AS_OF)
    row = get(client).content.decode().split("RMB 200 billion", 1)[0].rsplit("<tr>", 1)[1]

    assert "RMB 180 billion" in row and "RMB 150 billion" not in row


@pytest.mark.parametrize("url", ["/", f"{HZ}/", f"{HZ}/measures/", f"{HZ}/targets/industry-size/"])
def test_a_page_answers_304_until_its_data_or_its_reader_changes(client, computed_plan, url):
    get(client, url)  # the first view sets the CSRF cookie the page's forms carry
    etag = get(client, url)["ETag"]

    unchanged = get(client, url, HTTP_IF_NONE_MATCH=etag)
    snapshots_recompute(as_of=AS_OF)
    after_recompute = get(client, url, HTTP_IF_NONE_MATCH=etag)
    etag = after_recompute["ETag"]
    client.force_login(UserFactory())
    signed_in = get(client, url, HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert after_recompute.status_code == 200 and etag != unchanged["ETag"]
    assert signed_in.status_code == 200  # the header now names the reader: another copy
    assert after_recompute["Cache-Control"] == "private, no-cache"
    assert "Cookie" in after_recompute["Vary"] and "Accept-Language" in after_recompute["Vary"]


def test_another_language_is_another_page(client, computed_plan):
    english = get(client).content.decode()
    chinese = client.get(f"{HZ}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "Targets per status" in english and "各状态指标数" in chinese and "Targets per status" not in chinese


def test_no_reader_is_served_another_readers_token_or_name(computed_plan):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    readers = {}
    for user in (alice, bob):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        readers[user.username] = (client, get(client).content.decode())
    (_alice, alice_page), (bob_client, bob_page) = readers["alice"], readers["bob"]

    assert "Signed in as alice" in alice_page and "alice" not in bob_page.split("<main", 1)[0]
    assert "Signed in as bob" in bob_page
    bob_secret = bob_client.cookies["csrftoken"].value
    assert _unmask_cipher_token(token_in(bob_page)) == bob_secret  # bob's form carries bob's token
    assert _unmask_cipher_token(token_in(alice_page)) != bob_secret
    switched = bob_client.post("/i18n/setlang/", {"language": "zh-hans", "next": f"{HZ}/",
                                                  "csrfmiddlewaretoken": token_in(bob_page)})
    assert switched.status_code == 302  # the token works: the form was not someone else's


def test_readers_not_signed_in_share_the_page_but_each_gets_a_token_of_their_own(computed_plan):
    readers = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        get(client)  # the first view sets the reader's CSRF cookie
        readers.append((client, get(client).content.decode()))  # the whole page, kept for all

    tokens = [token_in(html) for _client, html in readers]
    assert tokens[0] != tokens[1]
    for client, html in readers:
        assert pagecache.CSRF_PLACEHOLDER not in html
        assert _unmask_cipher_token(token_in(html)) == client.cookies["csrftoken"].value
        answer = client.post("/i18n/setlang/", {"language": "en", "next": f"{HZ}/", "csrfmiddlewaretoken": token_in(html)})
        assert answer.status_code == 302


def test_the_database_cache_serves_the_body_to_every_worker(client, computed_plan, settings,
                                                            django_assert_num_queries):
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_page_cache",
    }}
    get(client)
    first = get(client).content.decode()
    pagecache.memo_clear()  # as another worker process, which has no copy of its own

    with django_assert_num_queries(2):  # the plan's version (and the banner), the cache's row
        again = get(client).content.decode()

    assert again.split("<main", 1)[1] == first.split("<main", 1)[1]


def test_a_cache_that_fails_leaves_the_page_served(client, computed_plan, settings, caplog):
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    }}

    response = get(client)

    assert response.status_code == 200 and "Targets per status" in response.content.decode()
    assert "page cache could not be read" in caplog.text


def test_a_date_without_snapshots_is_answered_but_not_cached(client, computed_plan, django_assert_num_queries):
    get(client, f"{HZ}/?as_of=2021-06-30")

    with django_assert_num_queries(4):  # the plan's version, the plan, its dates, the plans to pick: rendered anew
        response = get(client, f"{HZ}/?as_of=2021-06-30")

    assert response.status_code == 200 and "No snapshot exists" in response.content.decode()
