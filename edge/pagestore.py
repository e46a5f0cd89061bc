"""The shared page cache's table (`CACHES["pages"]` on the database cache), written without
waiting for the disk.

What it holds can be made again from the data at any time (`edge.memocache`: version-keyed
pages and lists, and the claims of the workers making them), so a crash that loses its last
writes loses nothing. Each write of Django's database cache is a transaction of its own, and
PostgreSQL's commit waits for the write-ahead log to reach the disk: under saves, that wait
(10–20 ms a commit on a shared machine) was most of what a page's first view spent caching it.
On PostgreSQL this cache's own transactions commit asynchronously (`synchronous_commit off`,
for that transaction only); a write inside a caller's transaction is left as the caller's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class PageDatabaseCache(DatabaseCache):
    """Django's database cache, its writes (set, add, delete) committed without waiting for the disk."""

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        with self._unsynced():
            return super()._base_set(mode, key, value, timeout)

    def _base_delete_many(self, keys):
        if not keys:  # every read calls it, with the expired keys it found: mostly none
            return False
        with self._unsynced():
            return super()._base_delete_many(keys)

    @contextmanager
    def _unsynced(self) -> Iterator[None]:
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        # In a caller's transaction the setting would reach the caller's own writes: leave them.
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            yield
            return
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
