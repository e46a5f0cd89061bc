"""A version-keyed cache: a small memo in each process in front of a cache the workers share.

What the pages (`dashboard.pagecache`) and the API lists (`api.listcache`) keep. Their keys hold
the version of the data they show and of the code that renders it (`code_version`), so an
entry never changes once written: a copy in a process's memory cannot be stale, nothing is
ever invalidated, and old entries age out (the memo's size; the shared cache's timeout and
culling). A shared cache that fails is logged and skipped: the caller builds the value instead,
as if it were not cached.

One maker per key (`claim`): when a new version appears, every worker that misses at once would
make the same value (the overview took 50–90 ms; under mixed traffic with writers, both workers
rendered each new version at the same time). The first to miss claims the key in the shared
cache (`add`, atomic in every backend) and makes it; the others wait for its value, up to
CLAIM_WAIT seconds, then make it themselves. Waiting costs no staleness: a waiter gets the value
of the very key it asked for, or makes it. A claim lapses after CLAIM_SECONDS (a worker that died
while making).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

# A claim is held while one value is made (tens of ms; under load a few hundred): a waiter gives
# up after CLAIM_WAIT and makes the value itself, so a slow or dead maker costs each waiter at
# most that. CLAIM_SECONDS only clears the claim of a maker that died.
CLAIM_WAIT = 1.0
CLAIM_POLL = 0.01
CLAIM_SECONDS = 10


class VersionedCache:
    """Values under keys that name their version. `alias`: the shared Django cache behind the
    memo (None: the memo alone, for what must stay in the process); `memo_size`: the entries
    each process keeps, least recently used dropped first; `name`: what is kept, for the log."""

    def __init__(self, *, alias: str | None, memo_size: int, name: str):
        self.alias = alias
        self.memo_size = memo_size
        self.name = name
        self._memo: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._claimed: set[str] = set()  # the keys this process is making

    def get(self, key: str) -> Any | None:
        """The value, from the memo or else the shared cache (then kept in the memo); None when
        neither holds it or the shared cache fails."""
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                return found
        if self.alias is None:
            return None
        try:
            found = caches[self.alias].get(key)
        except Exception:
            logger.warning("The %s cache could not be read; the %s is made instead", self.name, self.name,
                           exc_info=True)
            return None
        if found is not None:
            self._memo_put(key, found)
        return found

    def set(self, key: str, value: Any) -> None:
        """Keeps the value in the memo and the shared cache (a failure of the latter is logged),
        and gives up this process's claim on the key (`claim`)."""
        self._memo_put(key, value)
        if self.alias is None:
            return
        try:
            caches[self.alias].set(key, value)
        except Exception:
            logger.warning("The %s cache could not be written; the %s was served uncached", self.name, self.name,
                           exc_info=True)
        self.release(key)

    def claim(self, key: str) -> Any | None:
        """After a miss, before making the value: None when this process is to make it (it then
        holds the key's claim until `set` or `release`); else the value another worker made
        meanwhile. Waits for another worker's making up to CLAIM_WAIT seconds, then answers None
        (make it too). A memo alone (no shared cache) or a failing shared cache: None at once."""
        if self.alias is None:
            return None
        claim_key = f"{key}:making"
        deadline = time.monotonic() + CLAIM_WAIT
        try:
            while True:
                if caches[self.alias].add(claim_key, 1, timeout=CLAIM_SECONDS):
                    self._claimed.add(key)
                    return None
                if time.monotonic() >= deadline:
                    return None
                time.sleep(CLAIM_POLL)
                found = self.get(key)
                if found is not None:
                    return found
        except Exception:
            logger.warning("The %s cache could not be claimed; the %s is made here", self.name, self.name,
                           exc_info=True)
            return None

    def release(self, key: str) -> None:
        """Gives up this process's claim on the key, if it holds one (a value not kept: others
        waiting for it make it themselves)."""
        if key not in self._claimed:
            return
        self._claimed.discard(key)
        try:
            caches[self.alias].delete(f"{key}:making")
        except Exception:
            logger.warning("The %s cache's claim could not be released; it lapses in %s s", self.name, CLAIM_SECONDS,
                           exc_info=True)

    def clear(self) -> None:
        """Empties this process's memo (the shared cache keeps its entries)."""
        with self._lock:
            self._memo.clear()

    def _memo_put(self, key: str, value: Any) -> None:
        with self._lock:
            self._memo[key] = value
            self._memo.move_to_end(key)
            while len(self._memo) > self.memo_size:
                self._memo.popitem(last=False)


@functools.cache
def code_version(folders: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    """A hash of the sources in these folders (of the project) with these suffixes: part of a
    key, so that a deployment never serves what the old code made. Computed once per process."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in folders:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in suffixes and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
