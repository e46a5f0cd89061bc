"""One maker per key (edge.memocache.VersionedCache.claim): a worker that misses a value another
worker is making waits for that value, of the same key, instead of making it too; it makes the
value itself when the other gives up or takes too long. And the shared page cache's own
transactions on PostgreSQL commit without waiting for the disk (edge.pagestore)."""

import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from edge import memocache


def worker() -> memocache.VersionedCache:
    """A process's view of the shared `pages` cache: a memo of its own (the tests' `pages` is
    an in-memory cache that every one of them shares, as the workers share the real one)."""
    return memocache.VersionedCache(alias="pages", memo_size=8, name="page")


def claim_in_thread(cache: memocache.VersionedCache, key: str) -> dict:
    answer: dict = {}

    def run() -> None:
        started = time.monotonic()
        answer["value"] = cache.claim(key)
        answer["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    answer["thread"] = thread
    return answer


def test_it_serves_a_waiting_worker_the_value_another_is_making():
    first, second = worker(), worker()
    assert first.get("page:1") is None and first.claim("page:1") is None  # the first makes it

    waiting = claim_in_thread(second, "page:1")
    time.sleep(0.05)
    first.set("page:1", "the body")
    waiting["thread"].join()

    assert waiting["value"] == "the body"
    assert waiting["seconds"] < memocache.CLAIM_WAIT
    assert caches["pages"].get("page:1:making") is None  # set() gave the claim up


def test_a_value_not_kept_lets_the_waiting_worker_make_it():
    first, second = worker(), worker()
    first.claim("page:2")

    waiting = claim_in_thread(second, "page:2")
    time.sleep(0.05)
    first.release("page:2")  # an answer not to keep (a 404, a page for another date)
    waiting["thread"].join()

    assert waiting["value"] is None  # the second makes it, now holding the claim
    assert waiting["seconds"] < memocache.CLAIM_WAIT
    assert caches["pages"].get("page:2:making") == 1
    second.release("page:2")
    assert caches["pages"].get("page:2:making") is None


def test_a_waiting_worker_makes_the_value_itself_after_claim_wait(monkeypatch):
    monkeypatch.setattr(memocache, "CLAIM_WAIT", 0.1)
    first, second = worker(), worker()
    first.claim("page:3")  # and never sets or releases it: a stuck or dead maker

    started = time.monotonic()
    found = second.claim("page:3")

    assert found is None and 0.1 <= time.monotonic() - started < 1
    assert second.get("page:3") is None


def test_a_memo_alone_or_a_failing_cache_claims_nothing(settings, caplog):
    assert memocache.VersionedCache(alias=None, memo_size=8, name="page").claim("page:4") is None
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
    }}

    started = time.monotonic()
    assert worker().claim("page:4") is None
    assert time.monotonic() - started < memocache.CLAIM_WAIT
    assert "could not be claimed" in caplog.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_page_cache_table_commits_its_own_writes_without_waiting_for_the_disk(settings):
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "edge.pagestore.PageDatabaseCache", "LOCATION": "django_page_cache",
    }}
    pages = caches["pages"]
    unsynced = "SET LOCAL synchronous_commit TO OFF"

    with CaptureQueriesContext(connection) as own:
        pages.set("page:5", "the body")
        pages.delete("page:5")
    with CaptureQueriesContext(connection) as inside, transaction.atomic():
        pages.set("page:6", "the body")  # in a caller's transaction: the caller's commit decides

    assert [query["sql"] for query in own.captured_queries].count(unsynced) == 2
    assert all(query["sql"] != unsynced for query in inside.captured_queries)
    assert pages.get("page:5") is None and pages.get("page:6") == "the body"
    pages.delete("page:6")
