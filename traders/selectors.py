"""Read queries about lead traders and their exchange accounts."""

from django.db.models import Count, Q

from traders.models import ClosedPosition, ExchangeAccount, Fill, IngestionCursor, LeadTrader


def exchange_account_of(*, trader: LeadTrader) -> ExchangeAccount | None:
    """The trader's account on the exchange they registered with (the one their API key is for)."""
    return trader.accounts.filter(exchange_id=trader.exchange).order_by("id").first()


def trader_of_user(user) -> LeadTrader | None:
    """The signed-in user's lead-trader profile, or None (anonymous, or no profile)."""
    if not user.is_authenticated:
        return None
    return LeadTrader.objects.filter(user=user).first()


def traders_with_trade_data(*, trader_ids) -> set[int]:
    """The traders whose data has trade records at all: fills or closed positions stored, or an account whose fills
    or positions are pulled from the exchange. The others are equity-and-flows-only records (unless their daily
    snapshots carry closed_positions counts, which the callers add)."""
    found = set(Fill.objects.filter(account__trader_id__in=trader_ids).values_list("account__trader_id", flat=True))
    found |= set(
        ClosedPosition.objects.filter(account__trader_id__in=trader_ids).values_list("account__trader_id", flat=True)
    )
    found |= set(
        IngestionCursor.objects.filter(
            account__trader_id__in=trader_ids,
            stream__in=[IngestionCursor.Stream.TRADES, IngestionCursor.Stream.POSITIONS],
        ).values_list("account__trader_id", flat=True)
    )
    return found


def closed_position_counts(*, trader_ids, since, until) -> dict[int, tuple[int, int]]:
    """{trader id: (closed positions, winning ones)} recorded as rows, closed in [since, until): what a ranking
    counts when the daily snapshots carry no counts."""
    return {
        t: (n, w)
        for t, n, w in ClosedPosition.objects.filter(
            account__trader_id__in=trader_ids, closed_at__gte=since, closed_at__lt=until
        )
        .values("account__trader_id")
        .annotate(n=Count("id"), w=Count("id", filter=Q(realized_pnl__gt=0)))
        .values_list("account__trader_id", "n", "w")
    }
