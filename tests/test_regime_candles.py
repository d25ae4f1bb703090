"""BTC/USDT daily candles through ccxt's real gate class; only the instance's `fetch` (the HTTP layer) is replaced
by recorded responses: ccxt's own static gate fetchOHLCV case, and a daily-candle recording in the same form built
from the real Hyperliquid BTC/USDT daily file of the shared data folder (GPL-3.0, so not in the repo: those tests
skip without it)."""

import csv
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import ccxt
import pytest

from regime.models import MarketSeries, Observation
from regime.services.candles import RETRYABLE, btc_candles_pull
from regime.tasks import pull_btc_candles

pytestmark = pytest.mark.django_db

# gate's spot market list entry for BTC_USDT, in the shape of its /spot/currency_pairs response.
BTC_USDT_PAIR = {
    "id": "BTC_USDT", "base": "BTC", "quote": "USDT", "fee": "0.2", "min_base_amount": "0.00001",
    "min_quote_amount": "3", "amount_precision": 6, "precision": 1, "trade_status": "tradable",
    "sell_start": 1516378650, "buy_start": 1516378650,
}  # fmt: skip


@pytest.fixture
def gate_static(snapshot_data):
    return json.loads((snapshot_data / "ccxt-gate-static-response.json").read_text())


@pytest.fixture
def daily_recording(shared_data):
    """The Hyperliquid daily candles as a gate /spot/candlesticks recording: [t, quote vol, close, high, low, open,
    base vol, closed], with ccxt's expected parse alongside, like ccxt's static response files."""
    rows = list(csv.DictReader((shared_data / "btc_usdt_daily_hyperliquid_2023-2026.csv").open()))
    http = [
        [str(int(r["time"]) // 1000), repr(float(r["close"]) * float(r["volume"])), r["close"], r["high"], r["low"],
         r["open"], r["volume"], "true"]
        for r in rows
    ]  # fmt: skip
    parsed = [
        [int(r["time"]), float(r["open"]), float(r["high"]), float(r["low"]), float(r["close"]), float(r["volume"])]
        for r in rows
    ]
    return {"description": "spot daily ohlcv", "method": "fetchOHLCV", "input": ["BTC/USDT", "1d"],
            "httpResponse": http, "parsedResponse": parsed}  # fmt: skip


class RecordedGate:
    """Answers gate's public REST calls from recordings; fails on demand to exercise retries."""

    def __init__(self, static: dict, candles: list[list], *, fail_on_call: int | None = None):
        self.static = static
        self.candles = candles
        self.calls: list[str] = []
        self.fail_on_call = fail_on_call

    def __call__(self, url, method="GET", headers=None, body=None):
        self.calls.append(url)
        path = urlparse(url).path
        if path.endswith("/spot/currencies"):
            return self.static["methods"]["fetchCurrencies"][0]["httpResponse"]
        if path.endswith("/spot/currency_pairs"):
            return [BTC_USDT_PAIR]
        if path.endswith("/spot/candlesticks"):
            if self.fail_on_call is not None and sum("candlesticks" in c for c in self.calls) == self.fail_on_call:
                raise ccxt.RequestTimeout("gate GET " + url + " request timeout (recorded failure)")
            query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
            lo, hi = int(query.get("from", 0)), int(query.get("to", 1 << 62))
            return [c for c in self.candles if lo <= int(c[0]) <= hi][: int(query.get("limit", 1000))]
        return []  # margin, futures, delivery and option markets: none needed here


def gate_with(recording) -> ccxt.gate:
    exchange = ccxt.gate({"enableRateLimit": False})
    exchange.fetch = recording
    return exchange


def test_the_stub_reproduces_ccxts_own_recorded_gate_ohlcv_case(gate_static):
    case = gate_static["methods"]["fetchOHLCV"][0]
    exchange = gate_with(RecordedGate(gate_static, case["httpResponse"]))
    symbol, timeframe, since, limit = case["input"]
    assert exchange.fetch_ohlcv(symbol, timeframe, since, limit) == case["parsedResponse"]


def test_the_daily_recording_parses_as_recorded(gate_static, daily_recording):
    exchange = gate_with(RecordedGate(gate_static, daily_recording["httpResponse"]))
    first = daily_recording["parsedResponse"][0][0]
    got = exchange.fetch_ohlcv("BTC/USDT", "1d", since=first, limit=1000)
    assert got == daily_recording["parsedResponse"][:1000]


def test_pull_paginates_from_the_cursor_and_is_idempotent(gate_static, daily_recording):
    recording = RecordedGate(gate_static, daily_recording["httpResponse"])
    start = daily_recording["parsedResponse"][0][0]
    result = btc_candles_pull(exchange=gate_with(recording), start_ms=start)
    assert result.created == 1096 and result.pages == 3  # 1000 + the rest + the head check
    series = MarketSeries.objects.get(code="BTC/USDT")
    assert series.source == MarketSeries.Source.EXCHANGE and not series.is_simulated
    assert series.cursor_ms == daily_recording["parsedResponse"][-1][0]
    assert Observation.objects.filter(series=series).count() == 1096
    first = Observation.objects.get(series=series, date=date(2023, 1, 24))
    assert (first.open, first.high, first.low, first.value) == tuple(
        Decimal(x) for x in ("22913.3", "23158.7", "22450.0", "22627.4")
    )
    last = Observation.objects.get(series=series, date=date(2026, 1, 23))
    assert last.value == Decimal("88769")
    assert daily_recording["parsedResponse"][-1][4] == 88769.0

    # Second pull: one request from the cursor, the last candle comes back unchanged, nothing is written.
    calls = len(recording.calls)
    again = btc_candles_pull(exchange=gate_with(recording))
    assert (again.created, again.updated, again.pages) == (0, 0, 1)
    query = parse_qs(urlparse(recording.calls[-1]).query)
    assert int(query["from"][0]) * 1000 == series.cursor_ms
    assert len(recording.calls) > calls
    assert Observation.objects.filter(series=series).count() == 1096


def test_a_revised_last_candle_is_updated_not_duplicated(gate_static, daily_recording):
    http = [list(c) for c in daily_recording["httpResponse"][-10:]]
    recording = RecordedGate(gate_static, http)
    btc_candles_pull(exchange=gate_with(recording), start_ms=int(http[0][0]) * 1000)
    http[-1][2] = "90000.5"  # the open day closed higher than its first snapshot
    http.append([str(int(http[-1][0]) + 86400), "1", "91000", "91500", "89900", "90000.5", "1", "false"])
    result = btc_candles_pull(exchange=gate_with(RecordedGate(gate_static, http)))
    assert (result.created, result.updated) == (1, 1)
    assert Observation.objects.get(series__code="BTC/USDT", date=date(2026, 1, 23)).value == Decimal("90000.5")
    assert Observation.objects.filter(series__code="BTC/USDT").count() == 11


def test_a_network_failure_midway_keeps_earlier_pages_and_the_retry_resumes(gate_static, daily_recording):
    start = daily_recording["parsedResponse"][0][0]
    failing = RecordedGate(gate_static, daily_recording["httpResponse"], fail_on_call=2)
    with pytest.raises(ccxt.RequestTimeout):
        btc_candles_pull(exchange=gate_with(failing), start_ms=start)
    series = MarketSeries.objects.get(code="BTC/USDT")
    assert Observation.objects.filter(series=series).count() == 1000  # the first page was committed
    last_kept = datetime.fromtimestamp(series.cursor_ms / 1000, tz=UTC).date()
    assert last_kept == date(2025, 10, 19)

    resumed = btc_candles_pull(exchange=gate_with(RecordedGate(gate_static, daily_recording["httpResponse"])))
    assert resumed.created == 96 and Observation.objects.filter(series=series).count() == 1096


def test_the_daily_task_retries_network_errors_with_backoff():
    assert pull_btc_candles.name == "regime.tasks.pull_btc_candles"
    for exc in (ccxt.NetworkError, ccxt.RateLimitExceeded, ccxt.ExchangeNotAvailable, ccxt.RequestTimeout):
        assert issubclass(exc, pull_btc_candles.autoretry_for)
    assert not issubclass(ccxt.BadSymbol, RETRYABLE)  # a wrong symbol is not retried
    assert pull_btc_candles.retry_backoff and pull_btc_candles.max_retries >= 3


def test_a_failed_pull_leaves_an_imported_series_as_it_was(gate_static):
    imported = MarketSeries.objects.create(code="BTC/USDT", name="BTC from a file", source=MarketSeries.Source.IMPORT)
    failing = RecordedGate(gate_static, [], fail_on_call=1)
    with pytest.raises(ccxt.NetworkError):
        btc_candles_pull(exchange=gate_with(failing), start_ms=0)
    imported.refresh_from_db()
    assert (imported.name, imported.source, imported.cursor_ms) == ("BTC from a file", "import", None)
