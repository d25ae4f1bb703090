"""Read-only API v1 of published results: a campaign's bundles, and one bundle with its lines and file hashes."""

import re

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers

from results import selectors, sources
from results.models import PublishedBundle
from web.api_board import ERRORS, UID_PATTERN, StrictPagination


class BundleFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    sha256 = serializers.CharField()
    url = serializers.CharField()


class BundleLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    trader_id = serializers.IntegerField()
    exchange_uid = serializers.CharField(source="trader")
    display_name = serializers.CharField(source="name")
    rank = serializers.IntegerField(allow_null=True)
    amount = serializers.DecimalField(max_digits=30, decimal_places=8)
    currency = serializers.CharField()


class BundleSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="batch_id")
    pool = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()
    total = serializers.DecimalField(source="batch.total", max_digits=30, decimal_places=8)
    currency = serializers.CharField(source="batch.period.pool.currency")
    recomputed = serializers.CharField(source="check_result")
    page_url = serializers.SerializerMethodField()
    zip_url = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = PublishedBundle
        fields = [
            "batch",
            "sequence",
            "sha256",
            "previous_sha256",
            "pool",
            "period",
            "total",
            "currency",
            "published_at",
            "recomputed",
            "page_url",
            "zip_url",
            "files",
        ]

    def _url_args(self, obj):
        return [obj.campaign.slug, obj.batch_id]

    def get_pool(self, obj) -> dict:
        pool = obj.batch.period.pool
        return {"kind": pool.kind, "name": pool.name}

    def get_period(self, obj) -> dict:
        period = obj.batch.period
        return {"index": period.index, "starts_at": period.starts_at, "ends_at": period.ends_at}

    def get_page_url(self, obj) -> str:
        return reverse("results:detail", args=self._url_args(obj))

    def get_zip_url(self, obj) -> str:
        return reverse("results:zip", args=self._url_args(obj))

    @extend_schema_field(BundleFileSerializer(many=True))
    def get_files(self, obj) -> list:
        digests = {"manifest.json": obj.sha256, **selectors.bundle_manifest(obj)["files"]}
        return [
            {"name": name, "sha256": digest, "url": reverse("results:file", args=[*self._url_args(obj), name])}
            for name, digest in sorted(digests.items())
        ]


class BundleDetailSerializer(BundleSerializer):
    lines = serializers.SerializerMethodField()
    withheld = serializers.SerializerMethodField()

    class Meta(BundleSerializer.Meta):
        fields = [*BundleSerializer.Meta.fields, "lines", "withheld"]

    @extend_schema_field(BundleLineSerializer(many=True))
    def get_lines(self, obj) -> list:
        return BundleLineSerializer(selectors.bundle_lines(obj), many=True).data

    def get_withheld(self, obj) -> list:
        return selectors.bundle_manifest(obj).get("withheld", [])


def _campaign(slug: str):
    campaign = sources.campaign_public(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, pattern=UID_PATTERN, description="Campaign slug")
BATCH_PATTERN = r"^[0-9]{1,18}$"
BATCH = OpenApiParameter(
    "batch_id", str, OpenApiParameter.PATH, pattern=BATCH_PATTERN, description="Payout batch id (digits)"
)


@extend_schema_view(get=extend_schema(parameters=[SLUG], responses={200: BundleSerializer(many=True), **ERRORS}))
class ResultsListAPI(generics.ListAPIView):
    """Every published results bundle of the campaign, newest first: one per approved payout batch."""

    serializer_class = BundleSerializer
    pagination_class = StrictPagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.bundle_list(campaign=_campaign(self.kwargs["slug"])).select_related("campaign")


@extend_schema_view(get=extend_schema(parameters=[SLUG, BATCH], responses={200: BundleDetailSerializer, **ERRORS}))
class ResultsDetailAPI(generics.RetrieveAPIView):
    """One batch's bundle: its place in the chain, the files with their SHA-256, the payout lines, what is withheld."""

    serializer_class = BundleDetailSerializer
    filter_backends: list = []

    def get_object(self):
        batch_id = self.kwargs["batch_id"]
        if not re.fullmatch(BATCH_PATTERN[1:-1], batch_id):  # any other text is a 404 in JSON, as documented
            raise Http404
        try:
            return selectors.bundle_get(campaign=_campaign(self.kwargs["slug"]), batch_id=int(batch_id))
        except PublishedBundle.DoesNotExist as exc:
            raise Http404 from exc
