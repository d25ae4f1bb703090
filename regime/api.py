"""Read-only API of the regime: the latest reading and the history of readings."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.input_bounds import EARLIEST_MARKET_DAY, day_clamped
from regime.models import RegimeReading
from regime.selectors import regime_reading_latest, regime_readings


class RegimeReadingSerializer(serializers.ModelSerializer):
    label_display = serializers.CharField(source="get_label_display", read_only=True)
    components = serializers.JSONField(
        read_only=True,
        help_text="indicators: {key: {leg, value, unit (pct = fraction, bp, ratio), z, sign, weight, contribution, "
        "direction (+1/0/-1 over 30 days), stale, last (date of the last input observation), code}}; "
        "legs: {crypto|rates|multiplier|cashflow: confirms|contradicts|mixed|no_data} (against the thesis that "
        "capital is scarce).",
    )
    missing = serializers.JSONField(
        read_only=True, help_text="Inputs missing or stale on that day: [{code, status, last, age_days}]"
    )
    text = serializers.CharField(read_only=True, help_text="The framing text in the request's language")

    class Meta:
        model = RegimeReading
        fields = [
            "as_of",
            "score",
            "label",
            "label_display",
            "components",
            "missing",
            "text",
            "text_en",
            "text_zh",
            "is_simulated",
        ]
        read_only_fields = fields


class RegimeLatestView(APIView):
    @extend_schema(
        summary="The latest liquidity-regime reading",
        description="Score (positive = liquidity abundant, negative = capital scarce), label with hysteresis, every "
        "indicator, which inputs are missing or stale, and the framing text in English and Chinese.",
        responses=RegimeReadingSerializer,
    )
    def get(self, request):
        reading = regime_reading_latest()
        if reading is None:
            raise NotFound("No regime reading yet.")
        return Response(RegimeReadingSerializer(reading).data)


@extend_schema(
    summary="Regime readings by day",
    parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, description="first day (YYYY-MM-DD; earlier reads as 1900-01-01)"),
        OpenApiParameter("end", OpenApiTypes.DATE, description="last day (YYYY-MM-DD; after today reads as today)"),
    ],
)
class RegimeHistoryView(generics.ListAPIView):
    serializer_class = RegimeReadingSerializer
    filter_backends: list = []

    def get_queryset(self):
        fields = serializers.DateField()
        params = {}
        for key in ("start", "end"):
            if value := self.request.query_params.get(key):
                try:
                    params[key] = fields.to_internal_value(value)
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError({key: exc.detail}) from exc
                # Into core.input_bounds: no reading lies outside them, and no odd year reaches the database.
                params[key] = day_clamped(params[key], now=timezone.now(), earliest=EARLIEST_MARKET_DAY)
        return regime_readings(**params)
