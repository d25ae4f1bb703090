from django.contrib import admin

from .models import (
    ClosedPosition,
    DailyEquity,
    ExchangeAccount,
    Fill,
    IngestionCursor,
    LeadTrader,
    LedgerEntry,
    RankingRun,
    Standing,
)


@admin.register(LeadTrader)
class LeadTraderAdmin(admin.ModelAdmin):
    list_display = ["display_name", "exchange", "exchange_uid", "email", "status", "is_simulated", "created_at"]
    list_filter = ["status", "exchange", "is_simulated"]
    search_fields = ["display_name", "exchange_uid", "email"]


@admin.register(ExchangeAccount)
class ExchangeAccountAdmin(admin.ModelAdmin):
    # Secrets are never shown: only whether they are set.
    list_display = ["trader", "exchange_id", "label", "has_credentials", "status", "last_ingested_at"]
    list_filter = ["status", "exchange_id"]
    search_fields = ["trader__display_name", "trader__exchange_uid"]
    readonly_fields = ["credentials_updated_at", "last_ingested_at"]
    raw_id_fields = ["trader"]

    @admin.display(boolean=True, description="API key set")
    def has_credentials(self, obj):
        return obj.has_credentials


@admin.register(IngestionCursor)
class IngestionCursorAdmin(admin.ModelAdmin):
    list_display = ["account", "stream", "since_ms", "last_id", "updated_at"]
    list_filter = ["stream"]
    raw_id_fields = ["account"]


class _AccountDataAdmin(admin.ModelAdmin):
    raw_id_fields = ["account"]
    list_select_related = ["account__trader"]


@admin.register(Fill)
class FillAdmin(_AccountDataAdmin):
    list_display = ["timestamp", "account", "symbol", "side", "price", "amount", "fee"]
    list_filter = ["side"]
    search_fields = ["exchange_trade_id", "symbol"]
    date_hierarchy = "timestamp"


@admin.register(ClosedPosition)
class ClosedPositionAdmin(_AccountDataAdmin):
    list_display = ["closed_at", "account", "symbol", "side", "realized_pnl"]
    search_fields = ["exchange_position_id", "symbol"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(_AccountDataAdmin):
    list_display = ["timestamp", "account", "kind", "amount", "currency"]
    list_filter = ["kind"]


@admin.register(DailyEquity)
class DailyEquityAdmin(admin.ModelAdmin):
    list_display = ["date", "trader", "equity", "net_flow", "pnl", "daily_return", "unit_value", "source"]
    list_filter = ["source"]
    search_fields = ["trader__display_name", "trader__exchange_uid"]
    raw_id_fields = ["trader"]
    list_select_related = ["trader"]
    date_hierarchy = "date"


@admin.register(RankingRun)
class RankingRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "campaign",
        "window",
        "period",
        "start_date",
        "end_date",
        "status",
        "trader_count",
        "published_at",
    ]
    list_filter = ["status", "window", "campaign"]


@admin.register(Standing)
class StandingAdmin(admin.ModelAdmin):
    list_display = ["run", "rank", "trader", "score", "roi", "pnl", "max_drawdown", "eligible"]
    list_filter = ["eligible", "run__window"]
    search_fields = ["trader__display_name", "trader__exchange_uid"]
    raw_id_fields = ["run", "trader"]
    list_select_related = ["trader", "run"]
