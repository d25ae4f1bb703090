"""A page whose rate limit could not be counted (core.cache.CacheUnavailable) is a 503 "try again shortly" in the
visitor's language, not a traceback; the outage itself is logged by core.cache, once per interval."""

from django.shortcuts import render

from core.cache import CacheUnavailable, cache_retry_after_seconds


def service_busy_response(request):
    response = render(request, "service_busy.html", status=503)
    response["Retry-After"] = str(cache_retry_after_seconds())
    # Django's request logger would add an error line per refused request; core.cache already reported the outage.
    response._has_been_logged = True
    return response


class CacheUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CacheUnavailable):
            return service_busy_response(request)
        return None
