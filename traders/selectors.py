"""Read queries about lead traders and their exchange accounts."""

from traders.models import ExchangeAccount, LeadTrader


def exchange_account_of(*, trader: LeadTrader) -> ExchangeAccount | None:
    """The trader's account on the exchange they registered with (the one their API key is for)."""
    return trader.accounts.filter(exchange_id=trader.exchange).order_by("id").first()


def trader_of_user(user) -> LeadTrader | None:
    """The signed-in user's lead-trader profile, or None (anonymous, or no profile)."""
    if not user.is_authenticated:
        return None
    return LeadTrader.objects.filter(user=user).first()
