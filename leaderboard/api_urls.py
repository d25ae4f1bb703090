"""API v1 routes of leaderboard (read-only)."""

urlpatterns: list = []
