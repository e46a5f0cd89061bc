"""The client's address, as the login lockout counts it.

X-Forwarded-For is trusted only as far as settings.NUM_PROXIES says: each proxy appends
the address it received the request from, so behind N proxies the client is the N-th
address from the right, and everything further left was written by the client and may be
forged. With NUM_PROXIES = 0 the header is ignored. This is the rule of Django REST
framework's throttles (`BaseThrottle.get_ident` with REST_FRAMEWORK["NUM_PROXIES"]), so the
lockout and the API count the same address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when none can be read (the lockout then counts the
    username only). Never the text of a forged or malformed header."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES > 0 and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        candidate = addresses[-min(settings.NUM_PROXIES, len(addresses))]
        if _is_ip(candidate):
            return candidate
    return remote if _is_ip(remote) else None


def _is_ip(text: str | None) -> bool:
    try:
        ipaddress.ip_address(text or "")
    except ValueError:
        return False
    return True
