"""Exchange ingestion: fills, closed positions, ledger and balance of one account, from its cursors, idempotently.

Every page is written in one transaction together with its cursor, so a crash between pages loses nothing (the
cursor still points at the last committed page) and duplicates nothing (rows are inserted with ON CONFLICT DO
NOTHING on the unique (account, exchange id) constraints, and the overlap of the next page is ignored).
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import ccxt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.encryption import DecryptionError
from core.services.audit import audit_record
from traders.exchange import AccountLock, ExchangeUnavailable, exchange_build, ledger_range_params
from traders.models import ClosedPosition, DailyEquity, ExchangeAccount, Fill, IngestionCursor, LedgerEntry
from traders.services.equity import daily_equity_upsert

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PAGE_LIMIT = 1000
# Ledger kinds that move money into or out of the account: flows, never profit.
FLOW_KINDS = (LedgerEntry.Kind.DEPOSIT, LedgerEntry.Kind.WITHDRAWAL, LedgerEntry.Kind.TRANSFER)
# Errors only the trader can fix (a new key, other permissions): stop and tell them, never retry.
ATTENTION_ERRORS = (ccxt.AuthenticationError, ccxt.PermissionDenied, ccxt.AccountSuspended)
# Transient errors: the task retries them with backoff.
RETRYABLE_ERRORS = (ccxt.NetworkError, ccxt.RateLimitExceeded, ccxt.ExchangeNotAvailable, ccxt.RequestTimeout)

FILL_COLUMNS = [
    "account_id",
    "exchange_trade_id",
    "order_id",
    "symbol",
    "side",
    "price",
    "amount",
    "cost",
    "fee",
    "fee_currency",
    "timestamp",
]
POSITION_COLUMNS = [
    "account_id",
    "exchange_position_id",
    "symbol",
    "side",
    "amount",
    "entry_price",
    "exit_price",
    "realized_pnl",
    "opened_at",
    "closed_at",
]
LEDGER_COLUMNS = ["account_id", "exchange_entry_id", "kind", "currency", "amount", "timestamp"]


def ms_to_datetime(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=int(ms))


def _num(value, default: str | None = "0") -> str | None:
    """A ccxt number (str with exchange.number = str, or Decimal/int from the simulator) as an exact string."""
    if value is None or value == "":
        return default
    if isinstance(value, float):
        return repr(value)
    return str(value)


# ---- unified ccxt structures -> table rows (tuples in *_COLUMNS order, numbers as exact strings) ----


def fill_row(account_id: int, trade: dict) -> tuple:
    fee = trade.get("fee") or {}
    return (
        account_id,
        str(trade["id"]),
        trade.get("order") or "",
        trade["symbol"],
        trade["side"],
        _num(trade["price"]),
        _num(trade["amount"]),
        _num(trade.get("cost")),
        _num(fee.get("cost")),
        fee.get("currency") or "",
        ms_to_datetime(trade["timestamp"]),
    )


def position_close_ms(position: dict) -> int:
    return int(position.get("lastUpdateTimestamp") or position["timestamp"])


def position_id(position: dict) -> str:
    """The exchange's id, or (Gate's position_close has none) a stable one from what identifies the close."""
    if position.get("id"):
        return str(position["id"])
    info = position.get("info") or {}
    return "|".join(
        str(part)
        for part in (
            position.get("symbol"),
            position.get("side"),
            position.get("timestamp"),
            position_close_ms(position),
            info.get("accum_size", position.get("contracts")),
        )
    )


def position_row(account_id: int, position: dict) -> tuple:
    info = position.get("info") or {}
    side = position.get("side") or ""
    # Gate reports long_price/short_price: the opening price is the one on the position's own side.
    long_price, short_price = info.get("long_price"), info.get("short_price")
    entry = position.get("entryPrice") or (long_price if side == "long" else short_price)
    exit_ = long_price if side == "short" else short_price
    opened = position.get("timestamp")
    close_ms = position_close_ms(position)
    return (
        account_id,
        position_id(position),
        position["symbol"],
        side,
        _num(position.get("contracts")),
        _num(entry, None),
        _num(exit_, None),
        _num(position.get("realizedPnl")),
        ms_to_datetime(opened) if opened and int(opened) != close_ms else None,
        ms_to_datetime(close_ms),
    )


_LEDGER_KIND = {
    "deposit": LedgerEntry.Kind.DEPOSIT,
    "withdrawal": LedgerEntry.Kind.WITHDRAWAL,
    "transfer": LedgerEntry.Kind.TRANSFER,
    "fee": LedgerEntry.Kind.FEE,
    "trade": LedgerEntry.Kind.TRADE,
    "rebate": LedgerEntry.Kind.REBATE,
    "funding": LedgerEntry.Kind.FUNDING,
}


def ledger_kind(entry: dict) -> str:
    unified = (entry.get("type") or "").lower()
    raw = str((entry.get("info") or {}).get("type") or "").lower()
    if unified == "deposit/withdraw":  # Gate's "dnw": the direction tells which
        return LedgerEntry.Kind.DEPOSIT if entry.get("direction") == "in" else LedgerEntry.Kind.WITHDRAWAL
    if raw == "fund":  # ccxt files funding payments under "fee"; keep them apart
        return LedgerEntry.Kind.FUNDING
    return _LEDGER_KIND.get(unified, LedgerEntry.Kind.OTHER)


def ledger_id(entry: dict) -> str:
    if entry.get("id"):
        return str(entry["id"])
    info = entry.get("info") or {}
    digest = hashlib.sha256(
        "|".join(str(info.get(k, "")) for k in ("time", "type", "change", "balance", "text")).encode()
    ).hexdigest()
    return f"h:{digest[:40]}"


def ledger_row(account_id: int, entry: dict, default_currency: str = "USDT") -> tuple:
    amount = Decimal(_num(entry["amount"]))
    signed = -abs(amount) if entry.get("direction") == "out" else amount
    return (
        account_id,
        ledger_id(entry),
        ledger_kind(entry),
        entry.get("currency") or default_currency,
        str(signed),
        ms_to_datetime(entry["timestamp"]),
    )


# ---- idempotent bulk writes ----


def _insert_ignore(model, columns: Sequence[str], rows: Sequence[tuple], conflict: Sequence[str]) -> int:
    """INSERT rows, skipping those whose unique key exists; returns how many were new.

    PostgreSQL: COPY into a temporary staging table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING (the
    COPY protocol is the fastest way in; the conflict check runs inside the database). Elsewhere: bulk_create.
    """
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        # Identifiers come from model metadata and the constant column lists above, never from input.
        cols = ", ".join(f'"{c}"' for c in columns)
        keys = ", ".join(conflict)
        with connection.cursor() as cur:
            # A session-lifetime staging table emptied at every commit (cheaper than creating or truncating it).
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS _stage_{table} ON COMMIT DELETE ROWS "  # noqa: S608
                f"AS SELECT {cols} FROM {table} WITH NO DATA"
            )
            cur.execute(f"DELETE FROM _stage_{table}")  # rows of an earlier call in this same transaction  # noqa: S608
            with cur.copy(f"COPY _stage_{table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _stage_{table} "  # noqa: S608
                f"ON CONFLICT ({keys}) DO NOTHING"
            )
            return cur.rowcount
    decimal_fields = {f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "DecimalField"}
    objects = [
        model(
            **{
                c: (Decimal(v) if c in decimal_fields and v is not None else v)
                for c, v in zip(columns, row, strict=True)
            }
        )
        for row in rows
    ]
    before = model.objects.count()
    model.objects.bulk_create(objects, batch_size=2000, ignore_conflicts=True)
    return model.objects.count() - before


@transaction.atomic
def fills_upsert(*, account: ExchangeAccount, trades: Iterable[dict]) -> int:
    """Store unified ccxt trades of the account; the same trades twice are a no-op. Returns the new rows."""
    rows = [fill_row(account.id, t) for t in trades]
    return _insert_ignore(Fill, FILL_COLUMNS, rows, ["account_id", "exchange_trade_id"])


@transaction.atomic
def closed_positions_upsert(*, account: ExchangeAccount, positions: Iterable[dict]) -> int:
    rows = [position_row(account.id, p) for p in positions]
    return _insert_ignore(ClosedPosition, POSITION_COLUMNS, rows, ["account_id", "exchange_position_id"])


@transaction.atomic
def ledger_entries_upsert(*, account: ExchangeAccount, entries: Iterable[dict]) -> int:
    rows = [ledger_row(account.id, e) for e in entries]
    created = _insert_ignore(LedgerEntry, LEDGER_COLUMNS, rows, ["account_id", "exchange_entry_id"])
    if created:
        # A flow reported after its day was snapshotted: correct that day's net flow (and so its return).
        daily_flows_refresh(trader_id=account.trader_id, dates={row[5].date() for row in rows})
    return created


# ---- streams ----


@dataclass(frozen=True)
class Stream:
    name: str
    capability: str
    fetch: Callable[[ccxt.Exchange, int, int, int], list[dict]]  # (exchange, since, limit, until) ms
    timestamp: Callable[[dict], int]
    upsert: Callable[..., int]
    keyword: str
    row_id: Callable[[dict], str]


STREAMS = [
    Stream(
        IngestionCursor.Stream.TRADES,
        "fetchMyTrades",
        lambda ex, since, limit, until: ex.fetch_my_trades(None, since, limit, {"type": "swap", "until": until}),
        lambda t: int(t["timestamp"]),
        fills_upsert,
        "trades",
        lambda t: str(t["id"]),
    ),
    Stream(
        IngestionCursor.Stream.POSITIONS,
        "fetchPositionsHistory",
        lambda ex, since, limit, until: ex.fetch_positions_history(None, since, limit, {"until": until}),
        position_close_ms,
        closed_positions_upsert,
        "positions",
        position_id,
    ),
    Stream(
        IngestionCursor.Stream.LEDGER,
        "fetchLedger",
        lambda ex, since, limit, until: ex.fetch_ledger(
            None, since, limit, {"type": "swap", **ledger_range_params(exchange=ex, since_ms=since, until_ms=until)}
        ),
        lambda e: int(e["timestamp"]),
        ledger_entries_upsert,
        "entries",
        ledger_id,
    ),
]


SECOND = 1000
DAY = 86_400_000


def _floor_second(ms: int) -> int:
    return ms // SECOND * SECOND


def _initial_since_ms() -> int:
    days = int(getattr(settings, "INGEST_LOOKBACK_DAYS", 180))
    return _floor_second(int((timezone.now() - timedelta(days=days)).timestamp() * 1000))


def _settled_until_ms() -> int:
    """Now, less a lag for records the exchange has not published yet, on a whole second."""
    lag = int(getattr(settings, "INGEST_SETTLE_SECONDS", 60))
    return _floor_second(int(timezone.now().timestamp() * 1000) - lag * SECOND)


@transaction.atomic
def _page_commit(*, account: ExchangeAccount, stream: Stream, rows: list[dict], since_ms: int, last_id: str) -> int:
    """One page and its cursor, together or not at all."""
    cursor = IngestionCursor.objects.select_for_update().get(account=account, stream=stream.name)
    created = stream.upsert(account=account, **{stream.keyword: rows})
    cursor.since_ms = since_ms
    cursor.last_id = last_id
    cursor.save(update_fields=["since_ms", "last_id", "updated_at"])
    return created


def stream_ingest(
    *,
    account: ExchangeAccount,
    exchange: ccxt.Exchange,
    stream: Stream,
    page_limit: int = PAGE_LIMIT,
    lock: AccountLock | None = None,
    max_requests: int = 10_000,
) -> int:
    """Pull one stream from its cursor to (almost) now, window by window. Returns the number of new rows.

    Each request asks for a closed time window [since, until). An answer with fewer rows than the limit is the whole
    window, whatever order the exchange sorts by, so its rows and the cursor (moved to `until`) are committed
    together. A full answer may be truncated: the window is narrowed and asked again, committing nothing. Windows are
    whole seconds (exchanges take seconds), capped at INGEST_MAX_WINDOW_DAYS, and grow back after a sparse one.
    """
    if not exchange.has.get(stream.capability):
        return 0
    cursor, _ = IngestionCursor.objects.get_or_create(account=account, stream=stream.name)
    since = _floor_second(cursor.since_ms) if cursor.since_ms is not None else _initial_since_ms()
    end = _settled_until_ms()
    max_window = int(getattr(settings, "INGEST_MAX_WINDOW_DAYS", 30)) * DAY
    window = max_window
    created = 0
    for _request in range(max_requests):
        if since >= end:
            break
        until = min(since + window, end)
        rows = stream.fetch(exchange, since, page_limit, until)
        if len(rows) >= page_limit and until - since > SECOND:
            # Narrow the window: end it at the middle of the rows seen (the rows are real, whatever the order the
            # exchange picked them by), or at half the span if that does not shrink it.
            middle = _floor_second(sorted(stream.timestamp(r) for r in rows)[len(rows) // 2])
            narrower = middle - since if since < middle < until else (until - since) // 2
            window = max(SECOND, _floor_second(narrower))
            continue
        if len(rows) >= page_limit:
            logger.warning(
                "account %s %s: over %s rows in one second at %s", account.id, stream.name, page_limit, since
            )
        rows = sorted((r for r in rows if since <= stream.timestamp(r) < until), key=stream.timestamp)
        created += _page_commit(
            account=account,
            stream=stream,
            rows=rows,
            since_ms=until,
            last_id=stream.row_id(rows[-1]) if rows else cursor.last_id,
        )
        if rows:
            cursor.last_id = stream.row_id(rows[-1])
        if lock is not None:
            lock.refresh()
        since = until
        if len(rows) < page_limit // 2:
            window = min(window * 2, max_window)
    return created


# ---- balance -> daily equity ----


def _equity_from_balance(balance: dict, currency: str = "USDT") -> Decimal:
    total = Decimal(_num((balance.get("total") or {}).get(currency)))
    # Gate's futures "total" excludes open positions' unrealised PnL; equity (NAV) includes it.
    info = balance.get("info")
    entries = info if isinstance(info, list) else [info] if isinstance(info, dict) else []
    unrealised = sum(
        (
            Decimal(_num(e.get("unrealised_pnl")))
            for e in entries
            if isinstance(e, dict) and e.get("currency") == currency
        ),
        Decimal(0),
    )
    return total + unrealised


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _net_flows(*, trader_id: int, days: set[date]) -> dict[date, tuple[Decimal, Decimal]]:
    """{UTC day: (money moved in (+) or out (-) that day, the same weighted by the share of the day left after
    each entry)}: the ledger's timestamps give the flows' times, so the day's return weighs them exactly."""
    if not days:
        return {}
    entries = LedgerEntry.objects.filter(
        account__trader_id=trader_id,
        kind__in=FLOW_KINDS,
        timestamp__gte=_day_bounds(min(days))[0],
        timestamp__lt=_day_bounds(max(days))[1],
    ).values_list("timestamp", "amount")
    totals: dict[date, tuple[Decimal, Decimal]] = {}
    for stamp, amount in entries:
        day = stamp.astimezone(UTC).date()
        if day not in days:
            continue
        left = Decimal((_day_bounds(day)[1] - stamp).total_seconds()) / Decimal(86400)
        flow, weighted = totals.get(day, (Decimal(0), Decimal(0)))
        totals[day] = (flow + amount, weighted + (amount * left).quantize(Decimal("1e-8")))
    return totals


def _day_net_flow(*, trader_id: int, day: date) -> tuple[Decimal, Decimal]:
    return _net_flows(trader_id=trader_id, days={day}).get(day, (Decimal(0), Decimal(0)))


def _day_positions(*, trader_id: int, day: date) -> dict:
    start, end = _day_bounds(day)
    return ClosedPosition.objects.filter(
        account__trader_id=trader_id, closed_at__gte=start, closed_at__lt=end
    ).aggregate(closed_positions=Count("id"), winning_positions=Count("id", filter=Q(realized_pnl__gt=0)))


def daily_flows_refresh(*, trader_id: int, dates: Iterable[date]) -> int:
    """Recompute the net flow of already-snapshotted exchange days from the ledger (late ledger entries)."""
    existing = list(
        DailyEquity.objects.filter(trader_id=trader_id, date__in=set(dates), source=DailyEquity.Source.EXCHANGE)
    )
    flows = _net_flows(trader_id=trader_id, days={row.date for row in existing})
    rows = []
    for row in existing:
        flow, weighted = flows.get(row.date, (Decimal(0), Decimal(0)))
        if flow != row.net_flow or weighted != row.weighted_flow:
            rows.append(
                {
                    "trader_id": trader_id,
                    "date": row.date,
                    "equity": row.equity,
                    "net_flow": flow,
                    "weighted_flow": weighted,
                    "closed_positions": row.closed_positions,
                    "winning_positions": row.winning_positions,
                    "followers": row.followers,
                    "aum": row.aum,
                }
            )
    return daily_equity_upsert(rows=rows, source=DailyEquity.Source.EXCHANGE) if rows else 0


def _is_primary_account(account: ExchangeAccount) -> bool:
    """The trader's equity comes from one account (the oldest active one with credentials)."""
    primary = (
        ExchangeAccount.objects.filter(trader_id=account.trader_id, status=ExchangeAccount.Status.ACTIVE)
        .exclude(api_key_encrypted="")
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    return primary in (None, account.id)


@transaction.atomic
def balance_snapshot(*, account: ExchangeAccount, exchange: ccxt.Exchange, today: date | None = None) -> Decimal | None:
    """Today's (UTC) equity of the account as the trader's daily equity row, with the day's flows from the ledger.

    Re-running the same day replaces the row with the newer snapshot, so the last run of a day is its close.
    """
    if not exchange.has.get("fetchBalance") or not _is_primary_account(account):
        return None
    balance = exchange.fetch_balance({"type": "swap"})
    equity = _equity_from_balance(balance)
    day = today or timezone.now().astimezone(UTC).date()
    IngestionCursor.objects.update_or_create(
        account=account,
        stream=IngestionCursor.Stream.BALANCE,
        defaults={"since_ms": int(timezone.now().timestamp() * 1000), "last_id": str(equity)},
    )
    flow, weighted = _day_net_flow(trader_id=account.trader_id, day=day)
    daily_equity_upsert(
        rows=[
            {
                "trader_id": account.trader_id,
                "date": day,
                "equity": equity,
                "net_flow": flow,
                "weighted_flow": weighted,
                **_day_positions(trader_id=account.trader_id, day=day),
            }
        ],
        source=DailyEquity.Source.EXCHANGE,
    )
    return equity


# ---- one account ----


@dataclass
class IngestResult:
    account_id: int
    status: str = "ok"  # ok | locked | needs_attention | skipped
    created: dict = field(default_factory=dict)
    equity: str | None = None
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@transaction.atomic
def exchange_account_mark_needs_attention(*, account: ExchangeAccount, message: str) -> ExchangeAccount:
    changed = account.status != ExchangeAccount.Status.NEEDS_ATTENTION or account.status_message != message
    account.status = ExchangeAccount.Status.NEEDS_ATTENTION
    account.status_message = message
    account.save(update_fields=["status", "status_message"])
    if changed:
        audit_record(action="exchange_account.needs_attention", target=account, data={"message": message})
    return account


def _attention_message(exc: Exception) -> str:
    if isinstance(exc, ccxt.PermissionDenied):
        reason = _("The API key lacks a permission the ingestion needs (read-only futures access).")
    elif isinstance(exc, ccxt.AuthenticationError | ccxt.AccountSuspended):
        reason = _("The exchange rejected the API key; please enter a new read-only key.")
    elif isinstance(exc, DecryptionError):
        reason = _("The stored API key cannot be decrypted; please enter it again.")
    else:
        reason = _("This exchange cannot be used for automatic ingestion.")
    # The exchange's own words help the trader; they never contain the secret (ccxt puts only the response there).
    return f"{reason} ({type(exc).__name__}: {str(exc)[:300]})"


def account_ingest(
    *, account_id: int, exchange: ccxt.Exchange | None = None, page_limit: int = PAGE_LIMIT
) -> IngestResult:
    """Ingest every stream of one account, then snapshot its balance. Retryable errors propagate to the caller."""
    account = ExchangeAccount.objects.select_related("trader").get(pk=account_id)
    result = IngestResult(account_id=account.id)
    if account.status == ExchangeAccount.Status.DISABLED or not (exchange or account.has_credentials):
        result.status = "skipped"
        return result
    lock = AccountLock(account.id)
    if not lock.acquire():
        result.status = "locked"
        return result
    try:
        if exchange is None:
            exchange = exchange_build(account=account)
        for stream in STREAMS:
            result.created[stream.name] = stream_ingest(
                account=account, exchange=exchange, stream=stream, page_limit=page_limit, lock=lock
            )
        equity = balance_snapshot(account=account, exchange=exchange)
        result.equity = None if equity is None else str(equity)
    except (*ATTENTION_ERRORS, DecryptionError, ExchangeUnavailable) as exc:
        result.status = "needs_attention"
        result.message = _attention_message(exc)
        exchange_account_mark_needs_attention(account=account, message=result.message)
        return result
    finally:
        lock.release()
    ExchangeAccount.objects.filter(pk=account.id).update(
        last_ingested_at=timezone.now(),
        status=ExchangeAccount.Status.ACTIVE,
        status_message="",
    )
    return result


def ingestible_account_ids() -> list[int]:
    """Active accounts with stored credentials, of traders not suspended."""
    return list(
        ExchangeAccount.objects.filter(status=ExchangeAccount.Status.ACTIVE)
        .exclude(api_key_encrypted="")
        .exclude(api_secret_encrypted="")
        .exclude(trader__status="suspended")
        .order_by("id")
        .values_list("id", flat=True)
    )
