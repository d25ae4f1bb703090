"""Read-only API v1 of the leaderboard: the latest published ranking and a trader's public profile."""

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.control_chars import QUERY_TEXT_PATTERN
from leaderboard.metric_registry import API_FIELDS
from leaderboard.models import RankingRun, Standing
from web import selectors as sel

# Documented path-parameter shape, so clients (and schemathesis) know what a UID or slug looks like.
UID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

ERRORS = {
    400: OpenApiTypes.OBJECT,
    404: inline_serializer("NotFound", {"detail": serializers.CharField()}),
    429: inline_serializer("Throttled", {"detail": serializers.CharField()}),
}


class StrictPagination(PageNumberPagination):
    """Page numbers as documented: a malformed ?page or ?page_size is a 400, not silently page 1."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        for name in ("page", "page_size"):
            value = request.query_params.get(name)
            if value is not None and not (value.isascii() and value.isdigit() and int(value) >= 1):
                raise ValidationError({name: ["A positive integer is required."]})
        size = request.query_params.get("page_size")
        if size is not None and int(size) > self.max_page_size:
            raise ValidationError({"page_size": [f"At most {self.max_page_size}."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == "page_size":
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def reject_blank(request, names) -> None:
    """A typed query parameter sent empty ('?page=') is a client error, not 'use the default'."""
    blank = [name for name in names if request.query_params.get(name, None) == ""]
    if blank:
        raise ValidationError({name: ["This parameter may not be empty."] for name in blank})


class BoardPagination(StrictPagination):
    page_size = sel.PAGE_SIZE


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RankingRun
        fields = ["id", "window", "start_date", "end_date", "published_at", "rule_version", "trader_count"]


class StandingRowSerializer(serializers.ModelSerializer):
    exchange_uid = serializers.CharField(source="trader.exchange_uid")
    display_name = serializers.CharField(source="trader.display_name")
    is_simulated = serializers.BooleanField(source="trader.is_simulated")
    rank_change = serializers.SerializerMethodField(help_text="previous_rank - rank: positive moved up; null if new")
    ineligible_reasons = serializers.ListField(child=serializers.JSONField(), read_only=True)
    flags = serializers.ListField(child=serializers.JSONField(), read_only=True)
    low_coverage = serializers.BooleanField(
        read_only=True, help_text="The returns cover less of the window than the rules ask for ratios"
    )

    class Meta:
        model = Standing
        fields = [
            "rank",
            "previous_rank",
            "rank_change",
            "exchange_uid",
            "display_name",
            "is_simulated",
            "eligible",
            "ineligible_reasons",
            "flags",
            *API_FIELDS,  # leaderboard.metric_registry
            "low_coverage",
        ]

    def get_rank_change(self, obj: Standing) -> int | None:
        return obj.rank_change


class LeaderboardQuerySerializer(serializers.Serializer):
    campaign = serializers.SlugField(required=False, help_text="Campaign slug; default: the featured campaign")
    window = serializers.ChoiceField(choices=sel.WINDOWS, default=sel.DEFAULT_WINDOW)
    ordering = serializers.ChoiceField(
        choices=[*sel.SORTS, *[f"-{k}" for k in sel.SORTS]], default="rank", help_text="A metric; '-' for descending"
    )
    search = serializers.CharField(
        required=False,
        min_length=1,
        max_length=64,
        trim_whitespace=False,  # as documented (any non-empty text); whitespace-only means no search, as on the page
        validators=[RegexValidator(QUERY_TEXT_PATTERN, "No control characters.")],
        help_text="Name or UID contains",
    )
    eligible = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(required=False, min_value=1, help_text="Page number (from 1)")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, help_text="Rows per page")


class LeaderboardPageSerializer(serializers.Serializer):
    campaign = serializers.SlugField(allow_null=True)
    window = serializers.CharField()
    run = RunSerializer(allow_null=True)
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StandingRowSerializer(many=True)


class LeaderboardAPI(APIView):
    """The latest published ranking of a campaign and window, one page of standings."""

    pagination_class = BoardPagination

    @extend_schema(
        parameters=[LeaderboardQuerySerializer],
        responses={200: LeaderboardPageSerializer, **ERRORS},
    )
    def get(self, request):
        reject_blank(request, ["campaign", "window", "ordering", "search", "eligible", "page", "page_size"])
        params = LeaderboardQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        campaign = sel.campaign_for_page(slug=data.get("campaign"))
        if campaign is None and data.get("campaign"):
            raise NotFound("No such campaign.")
        window = data["window"]
        run = sel.run_latest(campaign=campaign, window=window) if campaign else None
        rows: list[Standing] = []
        paginator = self.pagination_class()
        count, next_url, previous_url = 0, None, None
        if run is not None:
            key, descending = sel.sort_clean(data["ordering"])
            qs = sel.standing_page_queryset(
                run=run, sort=key, descending=descending, query=(data.get("search") or "").strip()
            )
            if data.get("eligible") is not None:
                qs = qs.filter(eligible=data["eligible"])
            rows = paginator.paginate_queryset(qs, request, view=self)
            count = paginator.page.paginator.count
            next_url, previous_url = paginator.get_next_link(), paginator.get_previous_link()
        body = {
            "campaign": campaign.slug if campaign else None,
            "window": window,
            "run": RunSerializer(run).data if run else None,
            "count": count,
            "next": next_url,
            "previous": previous_url,
            "results": StandingRowSerializer(rows, many=True).data,
        }
        return Response(body)


class TraderStandingSerializer(StandingRowSerializer):
    window = serializers.CharField(source="run.window")
    run_id = serializers.IntegerField(source="run.id")
    end_date = serializers.DateField(source="run.end_date")
    explanation = serializers.JSONField(read_only=True)

    class Meta(StandingRowSerializer.Meta):
        fields = ["window", "run_id", "end_date", *StandingRowSerializer.Meta.fields, "explanation"]


class RankPointSerializer(serializers.Serializer):
    run_id = serializers.IntegerField(source="run.id")
    window = serializers.CharField(source="run.window")
    end_date = serializers.DateField(source="run.end_date")
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    roi = serializers.FloatField(allow_null=True)


class EquityPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    unit_value = serializers.DecimalField(max_digits=30, decimal_places=16)
    equity = serializers.DecimalField(max_digits=28, decimal_places=8)


class TraderSerializer(serializers.Serializer):
    exchange_uid = serializers.CharField()
    display_name = serializers.CharField()
    exchange = serializers.CharField()
    bio = serializers.CharField()
    profile_url = serializers.CharField()
    is_simulated = serializers.BooleanField()
    uid_verification = serializers.ChoiceField(
        choices=["verified", "mismatch", "unverified"],
        help_text="Whether the exchange confirmed, through the trader's API key, that this UID is theirs",
    )
    uid_checked_at = serializers.DateTimeField(allow_null=True)
    campaign = serializers.SlugField(allow_null=True)
    standings = TraderStandingSerializer(many=True, help_text="Latest standing per window")
    rank_history = RankPointSerializer(many=True, help_text="Newest first")
    equity = EquityPointSerializer(many=True, help_text="Daily unit value and equity, oldest first")


class TraderAPI(APIView):
    """A trader's public profile: latest standings per window, rank history and the unit-value series."""

    @extend_schema(
        parameters=[
            OpenApiParameter("exchange_uid", str, OpenApiParameter.PATH, pattern=UID_PATTERN),
            OpenApiParameter(
                "campaign", str, description="Campaign slug; default: the featured campaign", pattern=UID_PATTERN
            ),
        ],
        responses={200: TraderSerializer, **ERRORS},
    )
    def get(self, request, exchange_uid: str):
        trader = sel.trader_public(exchange_uid=exchange_uid)
        if trader is None:
            raise NotFound("No such trader.")
        slug = request.query_params.get("campaign")
        campaign = sel.campaign_for_page(slug=slug)
        if campaign is None and slug:
            raise NotFound("No such campaign.")
        standings = sel.trader_standings(trader=trader, campaign=campaign, limit=200)
        latest = sel.latest_per_window(standings)
        body = {
            "exchange_uid": trader.exchange_uid,
            "display_name": trader.display_name,
            "exchange": trader.exchange,
            "bio": trader.bio,
            "profile_url": trader.profile_url,
            "is_simulated": trader.is_simulated,
            "uid_verification": trader.uid_status,
            "uid_checked_at": trader.uid_checked_at,
            "campaign": campaign.slug if campaign else None,
            "standings": TraderStandingSerializer(
                [latest[w] for w in sel.WINDOWS if w in latest], many=True, context={"trader": trader}
            ).data,
            "rank_history": RankPointSerializer(standings, many=True).data,
            "equity": EquityPointSerializer(
                [{"date": d, "unit_value": uv, "equity": eq} for d, uv, eq in sel.equity_series(trader=trader)],
                many=True,
            ).data,
        }
        return Response(body)
