"""API v1 routes of campaigns (read-only)."""

urlpatterns: list = []
