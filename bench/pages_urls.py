"""The public URLs plus one minimal Django view, the baseline bench_pages.py measures the leaderboard against."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    # Same middleware stack as every page (sessions, locale, CSRF, auth...), no database, no template.
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("config.urls")),
]
