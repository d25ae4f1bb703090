"""Ingestion through ccxt's real gate class: only the HTTP layer (the instance's fetch) answers from recordings."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import ccxt
import pytest

from core.models import AuditEvent
from tests.factories import LeadTraderFactory
from traders.exchange import AccountLock, SharedRateLimiter, exchange_build
from traders.models import ClosedPosition, DailyEquity, ExchangeAccount, Fill, IngestionCursor, LedgerEntry
from traders.replay import HttpError, replay_attach
from traders.services.accounts import exchange_account_create
from traders.services.ingestion import STREAMS, account_ingest, fills_upsert, ms_to_datetime

CASSETTE = json.loads((Path(__file__).parent / "fixtures" / "exchange" / "gate.json").read_text())
TRADES = "/futures/usdt/my_trades_timerange"
POSITIONS = "/futures/usdt/position_close"
LEDGER = "/futures/usdt/account_book"


@pytest.fixture(autouse=True)
def _lookback(settings):
    settings.INGEST_LOOKBACK_DAYS = (date.today() - date(2024, 1, 1)).days  # the recordings are from January 2024
    settings.INGEST_MAX_WINDOW_DAYS = 400  # fewer windows than the 30-day default, still more than one


@pytest.fixture
def account(db) -> ExchangeAccount:
    trader = LeadTraderFactory(display_name="Recorded", exchange_uid="10406147", active=True)
    return exchange_account_create(trader=trader, exchange_id="gate", api_key="read-key", api_secret="read-secret")


def gate(account, **transport):
    """The account's real ccxt gate instance, its HTTP answered by the recorded responses."""
    exchange = exchange_build(account=account)
    exchange.transport = replay_attach(exchange=exchange, cassette=CASSETTE, **transport)
    return exchange


def requests_to(exchange, suffix):
    return [query for _method, path, query in exchange.transport.calls if path.endswith(suffix)]


def test_credentials_are_decrypted_into_the_ccxt_instance_only(account):
    assert "read-key" not in account.api_key_encrypted
    exchange = exchange_build(account=account)
    assert isinstance(exchange, ccxt.gate)
    assert (exchange.apiKey, exchange.secret) == ("read-key", "read-secret")


def test_fills_are_parsed_by_ccxt_and_paginated_until_caught_up(account):
    exchange = gate(account)
    result = account_ingest(account_id=account.id, exchange=exchange, page_limit=10)

    assert result.status == "ok"
    assert Fill.objects.filter(account=account).count() == 25 == result.created["trades"]
    recorded = Fill.objects.get(account=account, exchange_trade_id="29768497")  # the real recorded swap fill
    assert recorded.symbol == "LTC/USDT:USDT"
    assert recorded.side == "sell"  # size -1
    assert recorded.amount == Decimal("1")
    assert recorded.cost == Decimal("6.842")  # 1 contract x 0.1 LTC x 68.42: ccxt applied the contract size
    assert recorded.fee == Decimal("0.003421") and recorded.fee_currency == "USDT"
    assert recorded.timestamp == datetime(2024, 1, 22, 19, 6, 5, 664000, tzinfo=UTC)

    pages = requests_to(exchange, TRADES)
    assert len(pages) >= 3 and all(q["limit"] == "10" for q in pages)
    # the windows that were committed tile the time line without gap or overlap, up to the cursor
    # (a full answer is asked again with a halved window from the same start: the narrowest one is committed)
    windows = sorted({(int(q["from"]), int(q["to"])) for q in pages}, reverse=True)
    committed = sorted(dict(windows).items())
    assert all(a[1] == b[0] for a, b in zip(committed, committed[1:], strict=False))
    cursor = IngestionCursor.objects.get(account=account, stream="trades")
    assert cursor.since_ms == committed[-1][1] * 1000
    assert cursor.since_ms > int(datetime.now(UTC).timestamp() * 1000) - 120_000  # caught up to (almost) now


def test_two_fills_in_one_millisecond_across_a_page_boundary_are_both_kept(account):
    # fills 11 and 12 share a millisecond; with 12 per page the boundary falls between them
    account_ingest(account_id=account.id, exchange=gate(account), page_limit=12)
    assert Fill.objects.filter(account=account, exchange_trade_id__in=["29768508", "29768509"]).count() == 2
    assert Fill.objects.filter(account=account).count() == 25


def test_a_rerun_is_a_no_op_that_starts_from_the_cursor(account):
    account_ingest(account_id=account.id, exchange=gate(account), page_limit=10)
    counts = (Fill.objects.count(), ClosedPosition.objects.count(), LedgerEntry.objects.count())
    streams = IngestionCursor.objects.filter(account=account).exclude(stream="balance")
    cursors = dict(streams.values_list("stream", "since_ms"))

    again = gate(account)
    result = account_ingest(account_id=account.id, exchange=again, page_limit=10)

    assert result.created == {"trades": 0, "positions": 0, "ledger": 0}
    assert (Fill.objects.count(), ClosedPosition.objects.count(), LedgerEntry.objects.count()) == counts
    after = dict(streams.values_list("stream", "since_ms"))
    assert all(after[name] >= cursors[name] for name in cursors)  # only time moved on
    assert len(requests_to(again, TRADES)) <= 1  # at most one look from the cursor to now
    assert all(int(q["from"]) == cursors["trades"] // 1000 for q in requests_to(again, TRADES))


def test_the_same_page_twice_is_a_no_op(account):
    trades = gate(account).fetch_my_trades(None, 1704067200000, 5, {"type": "swap"})
    assert fills_upsert(account=account, trades=trades) == 5
    assert fills_upsert(account=account, trades=trades) == 0
    assert Fill.objects.count() == 5


def test_a_failure_midway_loses_nothing_and_the_rerun_completes_without_duplicates(account):
    clean = gate(account)
    account_ingest(account_id=account.id, exchange=clean, page_limit=10)
    # which request follows the second window that was committed with fills in it
    times = [float(t["create_time"]) for t in CASSETTE["methods"]["fetchMyTrades"][0]["httpResponse"]]
    in_window = [sum(int(q["from"]) <= t <= int(q["to"]) for t in times) for q in requests_to(clean, TRADES)]
    committed_with_rows = [i for i, n in enumerate(in_window, start=1) if 0 < n < 10]
    fail_at = committed_with_rows[1] + 1
    Fill.objects.all().delete()
    IngestionCursor.objects.all().delete()

    # the same run, but the connection drops on that request
    broken = gate(account, failures={TRADES: [(fail_at, ccxt.NetworkError("connection reset by peer"))]})
    with pytest.raises(ccxt.NetworkError):
        account_ingest(account_id=account.id, exchange=broken, page_limit=10)

    committed = Fill.objects.filter(account=account).count()
    assert 0 < committed < 25  # the windows before the failure are committed, the rest never arrived
    cursor = IngestionCursor.objects.get(account=account, stream="trades")
    assert not Fill.objects.filter(account=account, timestamp__gte=ms_to_datetime(cursor.since_ms)).exists()
    probe = AccountLock(account.id)
    assert probe.acquire()  # the failed run released its lock
    probe.release()

    assert account_ingest(account_id=account.id, exchange=gate(account), page_limit=10).status == "ok"
    ids = list(Fill.objects.filter(account=account).values_list("exchange_trade_id", flat=True))
    assert len(ids) == len(set(ids)) == 25


def test_closed_positions_get_stable_ids_and_signed_pnl(account):
    account_ingest(account_id=account.id, exchange=gate(account), page_limit=3)
    positions = list(ClosedPosition.objects.filter(account=account).order_by("closed_at"))
    assert len(positions) == 7
    assert len({p.exchange_position_id for p in positions}) == 7
    first = positions[0]
    assert first.symbol == "LTC/USDT:USDT" and first.side == "long"
    assert first.realized_pnl == Decimal("12.5")
    assert first.entry_price == Decimal("68.42") and first.exit_price == Decimal("69.42")
    assert first.opened_at < first.closed_at
    assert sum(p.realized_pnl > 0 for p in positions) == 4
    assert len(requests_to(gate(account), POSITIONS)) == 0  # fresh instance, nothing requested yet


def test_ledger_kinds_signs_and_flows_into_daily_equity(account):
    deposit_day = date(2024, 1, 22)  # the day of the 1000 USDT deposit in the recording
    DailyEquity.objects.create(trader=account.trader, date=deposit_day, equity=Decimal("1000"), net_flow=0)

    exchange = gate(account)
    result = account_ingest(account_id=account.id, exchange=exchange, page_limit=4)

    entries = {e.exchange_entry_id: e for e in LedgerEntry.objects.filter(account=account)}
    assert len(entries) == 9
    assert entries["880000"].kind == "deposit" and entries["880000"].amount == Decimal("1000")
    assert entries["880006"].kind == "withdrawal" and entries["880006"].amount == Decimal("-300")
    assert entries["880001"].kind == "fee" and entries["880001"].amount == Decimal("-0.003421")
    assert entries["880002"].kind == "funding"
    assert entries["880003"].kind == "trade"
    assert entries["880005"].kind == "rebate"
    # Gate's account_book takes `from` and `to` in seconds
    assert all(int(q["from"]) < 10**11 and int(q["to"]) < 10**11 for q in requests_to(exchange, LEDGER))

    # the late-ingested deposit corrects the day already snapshotted: money in is a flow, not profit
    assert DailyEquity.objects.get(trader=account.trader, date=deposit_day).net_flow == Decimal("1000")
    today = DailyEquity.objects.get(trader=account.trader, date=datetime.now(UTC).date())
    assert today.equity == Decimal("1465.544479")  # futures total 1462.344479 + unrealised 3.2
    assert result.equity == "1465.544479"
    assert today.source == DailyEquity.Source.EXCHANGE


def test_an_auth_error_marks_the_account_needs_attention_without_retrying(account):
    exchange = gate(account)
    exchange.transport.routes[TRADES] = HttpError(401, {"label": "INVALID_KEY", "message": "Invalid key provided"})

    result = account_ingest(account_id=account.id, exchange=exchange)

    account.refresh_from_db()
    assert result.status == "needs_attention"
    assert account.status == ExchangeAccount.Status.NEEDS_ATTENTION
    assert "AuthenticationError" in account.status_message and "INVALID_KEY" in account.status_message
    assert "read-secret" not in account.status_message
    assert AuditEvent.objects.filter(action="exchange_account.needs_attention", target_id=str(account.id)).exists()
    assert not Fill.objects.exists()


def test_a_permission_error_marks_the_account_needs_attention(account):
    exchange = gate(account)
    exchange.transport.routes[LEDGER] = HttpError(403, {"label": "FORBIDDEN", "message": "Not allowed"})
    result = account_ingest(account_id=account.id, exchange=exchange)
    account.refresh_from_db()
    assert result.status == "needs_attention" and "PermissionDenied" in account.status_message
    assert Fill.objects.count() == 25  # what came before the refusal stays


def test_a_rate_limit_error_propagates_for_the_task_to_retry(account):
    exchange = gate(account)
    exchange.transport.routes[TRADES] = HttpError(429, {"label": "TOO_MANY_REQUESTS", "message": "Too many"})
    with pytest.raises(ccxt.RateLimitExceeded):
        account_ingest(account_id=account.id, exchange=exchange)
    account.refresh_from_db()
    assert account.status == ExchangeAccount.Status.ACTIVE


def test_an_unknown_exchange_id_needs_attention(account):
    account.exchange_id = "no_such_exchange"
    account.save()
    result = account_ingest(account_id=account.id)
    assert result.status == "needs_attention"


def test_a_locked_account_is_left_to_the_worker_holding_it(account):
    lock = AccountLock(account.id)
    assert lock.acquire()
    try:
        exchange = gate(account)
        assert account_ingest(account_id=account.id, exchange=exchange).status == "locked"
        assert exchange.transport.calls == []
    finally:
        lock.release()


def test_the_shared_rate_limiter_makes_callers_wait_once_the_window_budget_is_spent():
    limiter = SharedRateLimiter(exchange_id="test-limiter", rate_limit_ms=1000, window_ms=200)
    assert limiter.acquire(1) == 0
    assert limiter.acquire(1) > 0  # budget of one request per 200 ms window: the second one waits


def test_every_stream_has_a_cursor_after_a_run(account):
    account_ingest(account_id=account.id, exchange=gate(account))
    assert set(IngestionCursor.objects.filter(account=account).values_list("stream", flat=True)) == {
        *[s.name for s in STREAMS],
        "balance",
    }
