"""Admin of lead traders, their exchange accounts and what ingestion stored (read-only)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_readonly import ReadOnlyModelAdmin
from core.console import queue_filtered
from traders.models import ClosedPosition, DailyEquity, ExchangeAccount, Fill, IngestionCursor, LeadTrader, LedgerEntry
from traders.services.uid_verification import trader_uid_status_reset, trader_uid_verify


@admin.register(LeadTrader)
class LeadTraderAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "exchange",
        "exchange_uid",
        "uid_status",
        "email",
        "status",
        "is_simulated",
        "created_at",
    ]
    list_filter = ["status", "uid_status", "exchange", "is_simulated"]
    search_fields = ["display_name", "exchange_uid", "email"]
    # Verification is the exchange's word through the trader's key (traders.services.uid_verification).
    readonly_fields = ["uid_status", "uid_checked_at", "uid_check_message", "exchange_lead_trader"]
    actions = ["verify_uid_selected"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "exchange_uid" in form.changed_data:
            trader_uid_status_reset(trader=obj, actor=request.user)

    @admin.action(description=_("Verify the UID through the trader's API key"), permissions=["change"])
    def verify_uid_selected(self, request, queryset):
        checks = [trader_uid_verify(trader=trader, actor=request.user) for trader in queryset.order_by("id")]
        counts = {status: sum(c.status == status for c in checks) for status in LeadTrader.UidStatus.values}
        self.message_user(
            request,
            _("UIDs checked: %(verified)d verified, %(mismatch)d mismatched, %(unverified)d could not be verified.")
            % counts,
            level=messages.WARNING if counts["mismatch"] else messages.SUCCESS,
        )


@admin.register(ExchangeAccount)
class ExchangeAccountAdmin(admin.ModelAdmin):
    # Secrets are never shown: only whether they are set.
    list_display = ["trader", "exchange_id", "label", "has_credentials", "status", "last_ingested_at"]
    list_filter = ["status", "exchange_id"]
    search_fields = ["trader__display_name", "trader__exchange_uid"]
    readonly_fields = ["credentials_updated_at", "last_ingested_at"]
    raw_id_fields = ["trader"]

    @admin.display(boolean=True, description=_("API key set"))
    def has_credentials(self, obj):
        return obj.has_credentials


# Ranking inputs and outputs are read-only for everyone, superusers included: payouts are computed from them, so a
# hand edit would change what a trader is paid with nothing to show why. Corrections go through the audited paths
# (ingest, import_performance, rank; flag reviews via the action on standings). Being read-only also refuses any
# admin delete that would cascade into them (deleting a trader or an account that has data).


@admin.register(IngestionCursor)
class IngestionCursorAdmin(ReadOnlyModelAdmin):
    list_display = ["account", "stream", "since_ms", "last_id", "updated_at"]
    list_filter = ["stream"]
    raw_id_fields = ["account"]


class _AccountDataAdmin(ReadOnlyModelAdmin):
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
class DailyEquityAdmin(ReadOnlyModelAdmin):
    list_display = ["date", "trader", "equity", "net_flow", "pnl", "daily_return", "unit_value", "source"]
    list_filter = ["source"]
    search_fields = ["trader__display_name", "trader__exchange_uid"]
    raw_id_fields = ["trader"]
    list_select_related = ["trader"]
    date_hierarchy = "date"


LAGGING = timedelta(hours=1)  # beat pulls every 5 minutes: an hour without a success is a dozen failed runs


queue_filtered(
    ExchangeAccount,
    _("Exchange accounts needing attention (ingestion failing)"),
    lambda: {"status": ExchangeAccount.Status.NEEDS_ATTENTION},
)
queue_filtered(
    ExchangeAccount,
    _("Active exchange accounts not ingested for over an hour"),
    lambda: {"status": ExchangeAccount.Status.ACTIVE, "last_ingested_at__lt": timezone.now() - LAGGING},
)
