"""Read-only API v1 of campaigns: campaigns with their reward pools, and the public (quality) posts."""

from datetime import UTC

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from campaigns.models import Campaign, Post, RewardPool
from campaigns.selectors import campaign_list
from campaigns.services.enrolment import OPEN, registration_window_state
from core.input_bounds import instant_clamped
from web.api_board import ERRORS, UID_PATTERN, StrictPagination, reject_blank
from web.selectors import public_posts


class RewardPoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = RewardPool
        fields = ["kind", "name", "amount", "currency", "reward_form", "cadence", "winners", "split_rule", "rules"]


class CampaignSerializer(serializers.ModelSerializer):
    registration_open = serializers.SerializerMethodField()
    pools = RewardPoolSerializer(many=True, read_only=True, source="active_pools")

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "name",
            "name_zh",
            "description",
            "description_zh",
            "exchange",
            "time_zone",
            "currency",
            "registration_opens_at",
            "registration_closes_at",
            "registration_open",
            "starts_at",
            "ends_at",
            "pools",
        ]

    def get_registration_open(self, obj: Campaign) -> bool:
        return registration_window_state(campaign=obj, now=timezone.now()) == OPEN


def _campaigns():
    pools = Prefetch("pools", queryset=RewardPool.objects.filter(is_active=True).order_by("id"), to_attr="active_pools")
    return campaign_list().prefetch_related(pools).order_by("-starts_at", "id")


@extend_schema_view(get=extend_schema(responses={200: CampaignSerializer(many=True), **ERRORS}))
class CampaignListAPI(generics.ListAPIView):
    """Active campaigns, newest first, each with its reward pools (amounts as decimal strings)."""

    serializer_class = CampaignSerializer
    pagination_class = StrictPagination
    filter_backends: list = []

    def get_queryset(self):
        return _campaigns()


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, pattern=UID_PATTERN)],
        responses={200: CampaignSerializer, **ERRORS},
    )
)
class CampaignDetailAPI(generics.RetrieveAPIView):
    serializer_class = CampaignSerializer
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):
        return _campaigns()


UID_VALIDATOR = RegexValidator(UID_PATTERN, "Letters, digits, '-' and '_' only.")
# Strict: anything but true/false is a 400 (django-filter's BooleanFilter would silently ignore it).
BOOL_CHOICES = [("true", "true"), ("false", "false")]


class PostFilter(django_filters.FilterSet):
    campaign = django_filters.CharFilter(field_name="campaign__slug", validators=[UID_VALIDATOR])
    trader = django_filters.CharFilter(field_name="trader__exchange_uid", validators=[UID_VALIDATOR])
    featured = django_filters.ChoiceFilter(choices=BOOL_CHOICES, method="filter_flag", help_text="Featured posts only")
    home_page = django_filters.ChoiceFilter(choices=BOOL_CHOICES, method="filter_flag", help_text="Home-page picks")
    published_after = django_filters.IsoDateTimeFilter(method="filter_published_after")

    class Meta:
        model = Post
        fields = ["campaign", "trader", "featured", "home_page", "published_after"]

    def filter_published_after(self, queryset, name, value):
        # Into core.input_bounds (no post lies outside them, so the answer is the same), then to UTC: PostgreSQL
        # rejects offsets past +-15:59 that ISO 8601 allows, and reads year 1 at +08:06 as a BC time.
        value = instant_clamped(value, now=timezone.now())
        return queryset.filter(published_at__gte=value.astimezone(UTC))

    def filter_flag(self, queryset, name, value):
        field = {"featured": "is_featured", "home_page": "is_home_page"}[name]
        return queryset.filter(**{field: value == "true"})


class PostSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugField(source="campaign.slug")
    exchange_uid = serializers.CharField(source="trader.exchange_uid")
    display_name = serializers.CharField(source="trader.display_name")

    class Meta:
        model = Post
        fields = [
            "id",
            "campaign",
            "exchange_uid",
            "display_name",
            "url",
            "text",
            "published_at",
            "is_featured",
            "is_home_page",
            "length",
            "views",
            "likes",
            "comments",
            "shares",
        ]


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("campaign", str, description="Campaign slug", pattern=UID_PATTERN),
            OpenApiParameter("trader", str, description="Trader exchange UID", pattern=UID_PATTERN),
        ],
        responses={200: PostSerializer(many=True), **ERRORS},
    )
)
class PostListAPI(generics.ListAPIView):
    """Posts moderators marked as quality, newest first. Submitted and rejected posts are never public."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    pagination_class = StrictPagination

    def get_queryset(self):
        return public_posts()

    def list(self, request, *args, **kwargs):
        reject_blank(request, ["campaign", "trader", "featured", "home_page", "published_after"])
        return super().list(request, *args, **kwargs)
