"""API v1 routes of regime (read-only)."""

from django.urls import path

from regime.api import RegimeHistoryView, RegimeLatestView

urlpatterns = [
    path("regime/", RegimeLatestView.as_view(), name="api-regime"),
    path("regime/history/", RegimeHistoryView.as_view(), name="api-regime-history"),
]
