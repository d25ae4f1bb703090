"""API v1 routes of campaigns (read-only)."""

from django.urls import path

from web import api_campaigns as api

urlpatterns = [
    path("campaigns/", api.CampaignListAPI.as_view(), name="api-campaigns"),
    path("campaigns/<str:slug>/", api.CampaignDetailAPI.as_view(), name="api-campaign"),
    path("posts/", api.PostListAPI.as_view(), name="api-posts"),
]
