"""API v1 routes of leaderboard (read-only)."""

from django.urls import path

from web import api_board as api

urlpatterns = [
    path("leaderboard/", api.LeaderboardAPI.as_view(), name="api-leaderboard"),
    path("traders/<str:exchange_uid>/", api.TraderAPI.as_view(), name="api-trader"),
]
