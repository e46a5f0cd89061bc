"""The API's limits per client: how many requests a minute (or hour, …) each may make.

- Counts live in the default cache (settings.CACHES: a database table, or Redis), which
  every process serving the site shares: 120 a minute means 120 for the whole site, not
  120 per gunicorn worker. A client's count is read and written back under a short lock
  in the same cache, so that two workers serving the same client at the same moment
  cannot both read the old count and each let one more request through.
- A client is an address as `settings.NUM_PROXIES` defines it (DRF's `get_ident`): with 0,
  X-Forwarded-For is ignored, so made-up headers do not make one client many.
- Rates are read on each request, not once at import (DRF's own classes copy them into a
  class attribute when first imported, so a changed setting would not apply). An empty
  rate switches that throttle off.
- The user throttle counts signed-in users only. Anonymous clients are the anon
  throttle's alone: with API_THROTTLE_ANON empty they are not limited at all.
"""

import logging
import time

from django.db import DatabaseError
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

# What an unavailable cache raises: the database cache's table missing or the database
# gone; Redis down.
CACHE_ERRORS = (DatabaseError, RedisError)


# The lock around one client's count: held for a read and a write (milliseconds); it
# expires by itself if its holder dies. A request that cannot get it in time is counted
# without it (and logged) rather than kept waiting.
LOCK_TIMEOUT = 5
LOCK_WAIT = 5.0
LOCK_POLL = 0.005


class _SharedCountThrottle:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        try:
            key = self.get_cache_key(request, view)
            if key is None:
                return True
            locked = self._lock(key)
            try:
                return super().allow_request(request, view)
            finally:
                if locked:
                    self.cache.delete(f"{key}:lock")
        except CACHE_ERRORS:
            # Serve the request rather than answer 500 for every API call while the cache
            # is down: the limit is a guard, the data is the service. The log says why.
            logger.exception("API throttle %r: the cache is unavailable; this request was not counted.", self.scope)
            return True

    def _lock(self, key: str) -> bool:
        # `add` writes only if the key is absent, atomically in Redis (SET NX) and in the
        # database cache (an INSERT on the table's primary key): one request at a time wins.
        deadline = time.monotonic() + LOCK_WAIT
        while not self.cache.add(f"{key}:lock", 1, LOCK_TIMEOUT):
            if time.monotonic() > deadline:
                logger.warning("API throttle %r: waited %s s for the count of %s; counting without the lock.",
                               self.scope, LOCK_WAIT, key)
                return False
            time.sleep(LOCK_POLL)
        return True


class AnonThrottle(_SharedCountThrottle, AnonRateThrottle):
    pass


class UserThrottle(_SharedCountThrottle, UserRateThrottle):
    def get_cache_key(self, request, view):
        # DRF's UserRateThrottle counts anonymous clients by address too, which would
        # limit them even with the anonymous limit switched off.
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


# "Download PDF" (dashboard.views), counted the same way under scopes of their own.
class PdfAnonThrottle(AnonThrottle):
    scope = "pdf_anon"


class PdfUserThrottle(UserThrottle):
    scope = "pdf_user"
