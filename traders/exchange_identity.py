"""Whose exchange account an API key opens, as the exchange itself says (pure: a ccxt instance in, a record out).

Gate API v4 `GET /account/detail` (ccxt's implicit `privateAccountGetDetail`) answers the key's `user_id` and its
`copy_trading_role`: 0 ordinary user, 1 lead trader, 2 follower, 3 lead trader and follower. Exchanges without
such an endpoint in ccxt give None: their UIDs cannot be verified through a key.
"""

from dataclasses import dataclass

import ccxt

GATE_LEAD_TRADER_ROLES = frozenset({1, 3})


@dataclass(frozen=True)
class ExchangeIdentity:
    uid: str
    lead_trader: bool | None  # None: the exchange does not say


def exchange_identity(exchange: ccxt.Exchange) -> ExchangeIdentity | None:
    """Ask the exchange whose account the instance's key belongs to. ccxt's errors propagate to the caller."""
    if exchange.id == "gate":
        detail = exchange.privateAccountGetDetail()
        if not isinstance(detail, dict) or detail.get("user_id") in (None, ""):
            raise ccxt.BadResponse("gate account/detail answered without a user_id")
        role = detail.get("copy_trading_role")
        return ExchangeIdentity(
            uid=str(detail["user_id"]).strip(),
            lead_trader=None if role is None else int(role) in GATE_LEAD_TRADER_ROLES,
        )
    return None


def same_uid(claimed: str, actual: str) -> bool:
    """UIDs compare as the database's uniqueness does: trimmed, letter case ignored."""
    return claimed.strip().lower() == actual.strip().lower()
