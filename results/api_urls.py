"""API v1 routes of results (read-only)."""

from django.urls import path

from results import api

urlpatterns = [
    path("campaigns/<str:slug>/results/", api.ResultsListAPI.as_view(), name="api-results"),
    path("campaigns/<str:slug>/results/<str:batch_id>/", api.ResultsDetailAPI.as_view(), name="api-results-detail"),
]
