"""The API's limits per client: how many requests a minute (or hour, …) each may make.

- Counts live in the default cache (settings.CACHES: a database table, or Redis), which
  every process serving the site shares: 120 a minute means 120 for the whole site, not
  120 per gunicorn worker.
- A client is an address as `settings.NUM_PROXIES` defines it (DRF's `get_ident`): with 0,
  X-Forwarded-For is ignored, so made-up headers do not make one client many.
- Rates are read on each request, not once at import (DRF's own classes copy them into a
  class attribute when first imported, so a changed setting would not apply). An empty
  rate switches that throttle off.
- The user throttle counts signed-in users only. Anonymous clients are the anon
  throttle's alone: with API_THROTTLE_ANON empty they are not limited at all.
"""

import logging

from django.db import DatabaseError
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

# What an unavailable cache raises: the database cache's table missing or the database
# gone; Redis down.
CACHE_ERRORS = (DatabaseError, RedisError)


class _SharedCountThrottle:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            # Serve the request rather than answer 500 for every API call while the cache
            # is down: the limit is a guard, the data is the service. The log says why.
            logger.exception("API throttle %r: the cache is unavailable; this request was not counted.", self.scope)
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
