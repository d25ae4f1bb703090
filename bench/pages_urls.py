"""The public URLs plus one minimal Django view, the baseline bench_pages.py measures the leaderboard against."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    # Same middleware stack as every page (sessions, locale, CSRF, auth...), no database, no template.
    return HttpResponse("ok", content_type="text/plain")


LARGE = "x" * 61_000  # about the leaderboard page's size (61,168 bytes on 2026-11-26)


def minimal_large(request):
    # The same, but as many bytes as the leaderboard page: separates transfer cost from page cost.
    return HttpResponse(LARGE, content_type="text/html")


def minimal_db(request):
    # The minimal view plus the one query every cached leaderboard view makes (reading the version).
    from web.selectors import board_state

    return HttpResponse(str(board_state(slug=None, window="30d")[1]), content_type="text/plain")


urlpatterns = [
    path("bench/minimal-db/", minimal_db),
    path("bench/minimal/", minimal),
    path("bench/minimal-large/", minimal_large),
    path("", include("config.urls")),
]
