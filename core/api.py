"""The API's side of core.cache: its throttle counts in the cache and fails closed, and a CacheUnavailable anywhere in
an API view is a JSON 503 "try again shortly" in the client's language."""

from django.utils.translation import gettext as _
from rest_framework import status, throttling
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.cache import CacheUnavailable, cache_retry_after_seconds, required_cache


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's per-IP throttle on the resilient cache: when it cannot count, the request is refused, not let through."""

    cache = required_cache


def exception_handler(exc, context):
    if isinstance(exc, CacheUnavailable):
        response = Response(
            {"detail": _("Starboard is briefly unable to handle this. Please try again shortly.")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(cache_retry_after_seconds())},
        )
        response._has_been_logged = True  # core.cache reported the outage; no error line per refused request
        return response
    return drf_exception_handler(exc, context)
