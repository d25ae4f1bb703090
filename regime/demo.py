"""Demo seeding for the regime app (called by seed_demo). Deterministic and idempotent.

Where the data comes from, in order:
1. Online: real BTC/USDT daily candles through ccxt (short timeout, any error falls through).
2. The real public snapshots in settings.SHARED_DATA_DIR when that folder exists (FRED series, MU and SNDK daily
   bars, BTC daily candles), read in place, never copied into the repo; each series is named after its source.
3. Otherwise a seeded simulated set of series; the series and every reading built on them are flagged simulated,
   and every page says so.
Then one reading per day for the last two years of data.
"""

from __future__ import annotations

import csv
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import ccxt
import numpy as np
from django.conf import settings

from regime.models import MarketSeries, RegimeReading
from regime.selectors import BTC_CODE
from regime.series_files import PLACES, Row, SeriesFileError
from regime.services.candles import btc_candles_pull, exchange_client
from regime.services.imports import observations_upsert, series_ensure, series_fred_download, series_import_file
from regime.services.readings import INPUT_CODES, regime_readings_compute

DEMO_SEED = 20260126
READING_DAYS = 730
CCXT_TIMEOUT_MS = 3_000

# (file in SHARED_DATA_DIR, code, name, unit)
SHARED_SERIES = [
    ("fred_DGS10.csv", "DGS10", "10-year Treasury yield (FRED DGS10, shared snapshot)", "%"),
    ("fred_M2SL.csv", "M2SL", "M2 money stock, SA (FRED M2SL, shared snapshot)", "USD bn"),
    ("fred_BOGMBASE.csv", "BOGMBASE", "Monetary base (FRED BOGMBASE, shared snapshot)", "USD bn"),
    ("fred_BAMLH0A0HYM2.csv", "BAMLH0A0HYM2", "ICE BofA US High Yield OAS (FRED, shared snapshot)", "%"),
    ("fred_BAA10Y.csv", "BAA10Y", "Moody's Baa yield minus 10-year (FRED BAA10Y, shared snapshot)", "%"),
    ("stock_MU_daily.csv", "MU", "Micron Technology daily close (Yahoo Finance, shared snapshot)", "USD"),
    ("stock_SNDK_daily.csv", "SNDK", "SanDisk daily close (Yahoo Finance, shared snapshot)", "USD"),
]
FRED_CODES = [code for filename, code, _, _ in SHARED_SERIES if filename.startswith("fred_")]
BTC_CANDLES_FILE = "btc_usdt_daily_hyperliquid_2023-2026.csv"
BTC_CLOSES_FILE = "btc_daily_close_coinmaster_2010-2026.csv"
BTC_CLOSES_FROM = date(2019, 1, 1)
IMPORT_FROM = date(2017, 1, 1)  # enough for the windows; keeps the demo seed fast


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _btc_from_exchange() -> bool:
    try:
        result = btc_candles_pull(exchange=exchange_client(timeout_ms=CCXT_TIMEOUT_MS), max_pages=3)
    except (ccxt.BaseError, OSError, ValueError):
        return False
    return bool(result.cursor_ms)


def _fred_from_web() -> bool:
    """FRED's public CSVs (the macro series; MU and SNDK have no key-less source here). One quick probe first."""
    codes = FRED_CODES
    try:
        series_fred_download(code=codes[0], timeout=CCXT_TIMEOUT_MS / 1000, since=IMPORT_FROM)
        for code in codes[1:]:
            series_fred_download(code=code, timeout=10, since=IMPORT_FROM)
    except (OSError, SeriesFileError):
        return False
    return True


def _dec(text: str) -> Decimal:
    return Decimal(text).quantize(PLACES)


def _btc_from_files(folder: Path) -> int:
    """Hyperliquid daily candles 2023-2026, preceded by CoinGecko daily closes (via Boddei/coinmaster) for the
    warm-up of the 365-day and z-score windows. Both are real; the name says which is which."""
    rows: dict[date, Row] = {}
    with open(folder / BTC_CLOSES_FILE, newline="") as fh:
        for rec in csv.DictReader(fh):
            day = date.fromisoformat(rec["date"])
            if day >= BTC_CLOSES_FROM and rec["close_usd"]:
                rows[day] = Row(day, _dec(rec["close_usd"]))
    first_candle = None
    with open(folder / BTC_CANDLES_FILE, newline="") as fh:
        for rec in csv.DictReader(fh):
            day = datetime.fromtimestamp(int(rec["time"]) / 1000, tz=UTC).date()
            first_candle = first_candle or day
            rows[day] = Row(
                day, _dec(rec["close"]), _dec(rec["open"]), _dec(rec["high"]), _dec(rec["low"]), _dec(rec["volume"])
            )
    rows = {d: r for d, r in rows.items() if d < first_candle or r.open is not None}
    series = series_ensure(
        code=BTC_CODE,
        name=f"BTC/USDT daily: Hyperliquid candles from {first_candle}, CoinGecko closes before (shared snapshot)",
        unit="USDT",
        frequency="daily",
        source=MarketSeries.Source.IMPORT,
    )
    created, _, _ = observations_upsert(series=series, rows=[rows[d] for d in sorted(rows)])
    return created


def _simulated(end: date, skip: set[str] = frozenset()) -> None:
    """A seeded, clearly flagged simulated set of inputs ending `end` (used only without real data)."""
    rng = np.random.default_rng(DEMO_SEED)
    days = 4 * 365
    dates = [end - timedelta(days=days - 1 - i) for i in range(days)]

    def walk(start: float, drift: float, vol: float, n: int) -> np.ndarray:
        return start * np.exp(np.cumsum(rng.normal(drift, vol, n)))

    # BTC: a bull leg, then a draw-down, so the demo shows every label.
    regime_drift = np.where(np.arange(days) < days * 0.7, 0.0015, -0.0012)
    btc = 30_000 * np.exp(np.cumsum(rng.normal(regime_drift, 0.03)))
    dgs10 = np.clip(3.5 + np.cumsum(rng.normal(0.0004, 0.04, days)), 0.5, 8)
    hy = np.clip(4.0 + np.cumsum(rng.normal(0.0, 0.03, days)), 1.5, 12)
    mu = walk(60, 0.0008, 0.03, days)
    sndk = walk(40, 0.0012, 0.04, days)
    months = [d for d in dates if d.day == 1]
    m2 = walk(20_000, 0.003, 0.004, len(months))
    base = walk(5_500, 0.002, 0.01, len(months))
    weekday = [d.weekday() < 5 for d in dates]
    plan = [
        (BTC_CODE, "BTC/USDT daily (SIMULATED)", "USDT", dates, btc),
        (
            "DGS10",
            "10-year yield (SIMULATED)",
            "%",
            [d for d, w in zip(dates, weekday, strict=True) if w],
            dgs10[weekday],
        ),
        (
            "BAMLH0A0HYM2",
            "High-yield OAS (SIMULATED)",
            "%",
            [d for d, w in zip(dates, weekday, strict=True) if w],
            hy[weekday],
        ),
        ("MU", "MU daily close (SIMULATED)", "USD", [d for d, w in zip(dates, weekday, strict=True) if w], mu[weekday]),
        (
            "SNDK",
            "SNDK daily close (SIMULATED)",
            "USD",
            [d for d, w in zip(dates, weekday, strict=True) if w],
            sndk[weekday],
        ),
        ("M2SL", "M2 (SIMULATED)", "USD bn", months, m2),
        ("BOGMBASE", "Monetary base (SIMULATED)", "USD bn", months, base),
    ]
    for code, name, unit, when, values in plan:
        if code in skip:
            continue
        series = series_ensure(
            code=code,
            name=name,
            unit=unit,
            frequency="monthly" if code in ("M2SL", "BOGMBASE") else "daily",
            source=MarketSeries.Source.SIMULATED,
            is_simulated=True,
        )
        rows = [Row(d, Decimal(repr(float(v))).quantize(PLACES)) for d, v in zip(when, values, strict=True)]
        observations_upsert(series=series, rows=rows)


def seed_regime(
    *, stdout=None, online: bool = True, data_dir: Path | str | None = None, today: date | None = None
) -> str:
    started = time.monotonic()
    folder = Path(data_dir or settings.SHARED_DATA_DIR)
    notes = []
    btc_live = online and _btc_from_exchange()
    if btc_live:
        notes.append("BTC candles from ccxt")
    fred_live = online and _fred_from_web()
    if fred_live:
        notes.append("FRED series downloaded")
    if folder.exists():
        if not btc_live:
            _btc_from_files(folder)
            notes.append("BTC from the shared snapshot")
        for filename, code, name, unit in SHARED_SERIES:
            if fred_live and filename.startswith("fred_"):
                continue
            if (folder / filename).exists():
                source = MarketSeries.Source.FRED if filename.startswith("fred_") else MarketSeries.Source.IMPORT
                series_import_file(
                    path=folder / filename, code=code, name=name, unit=unit, since=IMPORT_FROM, source=source
                )
        notes.append(f"macro/equity series from {folder}")
    else:
        live = ({BTC_CODE} if btc_live else set()) | (set(FRED_CODES) if fred_live else set())
        _simulated(end=(today or datetime.now(tz=UTC).date()) - timedelta(days=1), skip=live)
        notes.append("SIMULATED series where no real source answered")
    simulated = MarketSeries.objects.filter(code__in=INPUT_CODES, is_simulated=True).exists()
    # Readings from another data mode (simulated vs real) must not linger past the new window.
    RegimeReading.objects.exclude(is_simulated=simulated).delete()
    result = regime_readings_compute(days=READING_DAYS)
    if result.end:
        RegimeReading.objects.filter(as_of__gt=result.end).delete()
    summary = f"{result.summary()} [{'; '.join(notes)}] in {time.monotonic() - started:.1f}s"
    _say(stdout, summary)
    return summary
