"""Throttles whose rates are read on each request, not once at import.

DRF's own classes copy the rates into a class attribute when first imported, so a
changed setting (another environment, a test) would not apply. An empty rate means no
throttling for that kind of client.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RateFromSettings:
    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    pass


class UserThrottle(_RateFromSettings, UserRateThrottle):
    pass
