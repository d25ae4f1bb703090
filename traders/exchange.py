"""Building a ccxt exchange for one ExchangeAccount, with a rate limit shared by every worker.

Credentials are decrypted here, handed to ccxt and nowhere else (never logged). Numbers come back from ccxt as
strings (`exchange.number = str`), so money stays exact on its way into Decimal columns.
"""

import time
import uuid
from dataclasses import dataclass

import ccxt
from django.conf import settings

from core.cache import required_cache  # a budget or lock that cannot be read refuses (CacheUnavailable)
from core.encryption import decrypt
from traders.models import ExchangeAccount
from traders.replay import replay_attach

# "replay:<id>": the real ccxt class of <id>, its HTTP answered from recorded responses (tests and demos only).
REPLAY_PREFIX = "replay:"
_RATE_WINDOW_MS = 1000


class ExchangeUnavailable(Exception):
    """The account names an exchange this installation cannot build."""


@dataclass
class SharedRateLimiter:
    """A fixed-window request budget per exchange, counted in the shared cache (Redis in deployment).

    ccxt's own throttle only spaces the requests of one instance; many workers each with their own instance would
    together exceed the exchange's limit. Every request of every worker draws `cost` from one counter per exchange
    and window; when the window's budget (window / rateLimit) is spent, the caller sleeps until the next window.
    """

    exchange_id: str
    rate_limit_ms: float
    window_ms: int = _RATE_WINDOW_MS

    @property
    def budget_milli(self) -> int:
        return max(1000, int(self.window_ms / max(self.rate_limit_ms, 1e-3) * 1000))

    def acquire(self, cost: float | None = None) -> float:
        """Block until `cost` units are available; returns the seconds slept."""
        units = max(1, int((1 if cost is None else cost) * 1000))
        slept = 0.0
        while True:
            now_ms = int(time.time() * 1000)
            window = now_ms // self.window_ms
            key = f"ccxt-rate:{self.exchange_id}:{window}"
            required_cache.add(key, 0, timeout=max(2, self.window_ms // 1000 * 2))
            try:
                used = required_cache.incr(key, units)
            except ValueError:  # the key expired between add and incr: start the window again
                continue
            if used <= self.budget_milli:
                return slept
            pause = ((window + 1) * self.window_ms - now_ms) / 1000
            time.sleep(pause)
            slept += pause


def exchange_id_parts(exchange_id: str) -> tuple[str, bool]:
    """('gate', False) for 'gate'; ('gate', True) for 'replay:gate'."""
    if exchange_id.startswith(REPLAY_PREFIX):
        return exchange_id[len(REPLAY_PREFIX) :], True
    return exchange_id, False


def exchange_build(*, account: ExchangeAccount) -> ccxt.Exchange:
    """A ccxt instance for the account, authenticated with its decrypted read-only key."""
    return exchange_for_credentials(
        exchange_id=account.exchange_id,
        api_key=decrypt(account.api_key_encrypted) if account.api_key_encrypted else "",
        api_secret=decrypt(account.api_secret_encrypted) if account.api_secret_encrypted else "",
        api_password=decrypt(account.api_password_encrypted) if account.api_password_encrypted else "",
    )


def exchange_for_credentials(
    *, exchange_id: str, api_key: str, api_secret: str, api_password: str = "", timeout_ms: int | None = None
) -> ccxt.Exchange:
    """A ccxt instance for an exchange id ("gate", or "replay:gate") and a key given in plain text, e.g. to check a
    key before it is stored. The key goes to ccxt and nowhere else."""
    ccxt_id, replay = exchange_id_parts(exchange_id)
    klass = getattr(ccxt, ccxt_id, None)
    if klass is None or not isinstance(klass, type):
        raise ExchangeUnavailable(f"Unknown ccxt exchange id {ccxt_id!r}.")
    config = {
        "apiKey": api_key,
        "secret": api_secret,
        "enableRateLimit": True,
        "timeout": int(timeout_ms or getattr(settings, "EXCHANGE_TIMEOUT_MS", 20000)),
        "options": {"defaultType": "swap"},
    }
    if api_password:
        config["password"] = api_password
    exchange = klass(config)
    exchange.number = str  # exact decimal strings instead of floats
    if ccxt_id == "gate":
        # Lead traders trade USDT-margined perpetuals: load only those markets (one request instead of dozens).
        exchange.options["fetchMarkets"] = {"types": ["swap"]}
        exchange.options["swap"] = {"fetchMarkets": {"settlementCurrencies": ["usdt"]}}
    limiter = SharedRateLimiter(exchange_id=ccxt_id, rate_limit_ms=float(exchange.rateLimit or 50))
    exchange.throttle = limiter.acquire
    if replay:
        if not getattr(settings, "EXCHANGE_REPLAY_ENABLED", settings.DEBUG):
            raise ExchangeUnavailable("Replay exchanges are for tests and demos; they are disabled here.")
        replay_attach(exchange=exchange, latency_ms=settings.EXCHANGE_REPLAY_LATENCY_MS)
    return exchange


def ledger_range_params(*, exchange: ccxt.Exchange, since_ms: int, until_ms: int) -> dict:
    """fetch_ledger params for the time range [since, until], correcting a known unit mismatch of one class.

    ccxt 4.5.x gate.fetch_ledger sends `since` and `until` in milliseconds as `from`/`to`, while Gate's
    account_book takes seconds (as its my_trades_timerange and position_close do, where ccxt divides by 1000).
    """
    if exchange.id == "gate":
        return {"from": since_ms // 1000, "to": until_ms // 1000}
    return {"until": until_ms}


class AccountLock:
    """A per-account lock in the shared cache: one worker ingests an account at a time.

    The lock expires by itself (ttl, settings.INGEST_LOCK_SECONDS) so a killed worker cannot block the account for
    long; a live worker extends it after every page with `refresh()`.
    """

    def __init__(self, account_id: int, ttl: int | None = None):
        self.key = f"ingest-lock:{account_id}"
        self.token = uuid.uuid4().hex
        self.ttl = ttl or settings.INGEST_LOCK_SECONDS

    def acquire(self) -> bool:
        return required_cache.add(self.key, self.token, timeout=self.ttl)

    def refresh(self) -> None:
        if required_cache.get(self.key) == self.token:
            required_cache.touch(self.key, self.ttl)

    def release(self) -> None:
        if required_cache.get(self.key) == self.token:
            required_cache.delete(self.key)
