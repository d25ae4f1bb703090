"""API v1 routes of regime (read-only)."""

urlpatterns: list = []
