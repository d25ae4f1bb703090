"""Demo seeding for the regime app (called by seed_demo). Deterministic and idempotent.

Where the data comes from, in order:
1. Online: real BTC/USDT daily candles through ccxt (short timeout, any error falls through).
2. Per series, the real public snapshot: in settings.SHARED_DATA_DIR when that folder has it (FRED series, MU and
   SNDK daily bars, BTC daily candles; read in place, never copied), else in the repo's own data/ (the FRED series
   in the public domain: DGS10, M2SL, BOGMBASE; data/README.md). Each series is named after its source.
3. Any input series still missing is a seeded simulation; the series and every reading built on it are flagged
   simulated, and every page says so. A clone alone has real FRED series and simulated BTC, MU, SNDK and credit.
A real series that ends too early (the snapshots end in 2025/2026) is continued to yesterday by a seeded simulated
continuation (demo.regime_simulation): the series is flagged simulated and its name says after which date its values are
simulated; readings from the first simulated value on are flagged simulated, earlier ones stay real.
Then one reading per day for the last two years, up to yesterday.
"""

from __future__ import annotations

import csv
import re
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import ccxt
import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from demo import regime_simulation as simulation
from regime.indicators import DEFAULT_MAX_AGE_DAYS, MAX_AGE_DAYS
from regime.models import MarketSeries, Observation, RegimeReading
from regime.selectors import BTC_CODE
from regime.series_files import PLACES, Row, SeriesFileError, infer_frequency, parse_series_file
from regime.services.candles import btc_candles_pull, exchange_client
from regime.services.imports import observations_upsert, series_ensure, series_fred_download
from regime.services.readings import INPUT_CODES, regime_readings_compute

DEMO_SEED = 20260126
READING_DAYS = 730
CCXT_TIMEOUT_MS = 3_000

# (file in SHARED_DATA_DIR or data/, code, name, unit)
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


def _data_file(folder: Path, filename: str) -> Path | None:
    """The shared folder's copy of a snapshot, else the one shipped in the repo, else None."""
    for base in (folder, Path(settings.SNAPSHOT_DATA_DIR)):
        if (base / filename).is_file():
            return base / filename
    return None


def _dec(text: str) -> Decimal:
    return Decimal(text).quantize(PLACES)


def _btc_rows(folder: Path, *, closes_after: bool = False) -> tuple[list[Row], str]:
    """Hyperliquid daily candles 2023-2026, preceded by CoinGecko daily closes (via Boddei/coinmaster) for the
    warm-up of the 365-day and z-score windows and, with `closes_after`, followed by the CoinGecko closes after the
    last candle. All real; the returned name says which is which."""
    rows: dict[date, Row] = {}
    with open(folder / BTC_CLOSES_FILE, newline="") as fh:
        for rec in csv.DictReader(fh):
            day = date.fromisoformat(rec["date"])
            if day >= BTC_CLOSES_FROM and rec["close_usd"]:
                rows[day] = Row(day, _dec(rec["close_usd"]))
    candle_days = []
    with open(folder / BTC_CANDLES_FILE, newline="") as fh:
        for rec in csv.DictReader(fh):
            day = datetime.fromtimestamp(int(rec["time"]) / 1000, tz=UTC).date()
            candle_days.append(day)
            rows[day] = Row(
                day, _dec(rec["close"]), _dec(rec["open"]), _dec(rec["high"]), _dec(rec["low"]), _dec(rec["volume"])
            )
    first_candle, last_candle = min(candle_days), max(candle_days)
    rows = {
        d: r for d, r in rows.items() if d < first_candle or r.open is not None or (closes_after and d > last_candle)
    }
    name = f"BTC/USDT daily: Hyperliquid candles from {first_candle}, CoinGecko closes before (shared snapshot)"
    if closes_after and max(rows) > last_candle:
        name = (
            f"BTC/USDT daily: Hyperliquid candles {first_candle} to {last_candle}, "
            "CoinGecko closes before and after (shared snapshot)"
        )
    return [rows[d] for d in sorted(rows)], name


def _btc_from_files(folder: Path) -> int:
    rows, name = _btc_rows(folder)
    series = series_ensure(code=BTC_CODE, name=name, unit="USDT", frequency="daily", source=MarketSeries.Source.IMPORT)
    created, _, _ = observations_upsert(series=series, rows=rows)
    return created


# ---- simulated continuation of real series that end too early ------------------------------------------------------

SIMULATED_AFTER = " — values after {date} are SIMULATED"
_SIMULATED_AFTER_RE = re.compile(r" — values after \d{4}-\d{2}-\d{2} are SIMULATED$")
NAME_MAX = MarketSeries._meta.get_field("name").max_length


def _needs_continuation(code: str, last: date, end: date) -> bool:
    """BTC always reaches `end` (rankings need a BTC return for every day). Another series is continued only once
    the regime would call it stale: a normal publication lag is shown as such, not papered over."""
    if code == BTC_CODE:
        return last < end
    return (end - last).days > MAX_AGE_DAYS.get(code, DEFAULT_MAX_AGE_DAYS)


def _continuation(code: str, rows: list[Row], end: date, frequency: str) -> list[Row]:
    if not rows or not _needs_continuation(code, rows[-1].date, end):
        return []
    days = simulation.continuation_dates(history=[r.date for r in rows], end=end, frequency=frequency)
    if not days:
        return []
    values = simulation.continue_values(
        dates=[r.date for r in rows],
        values=[float(r.value) for r in rows],
        steps=len(days),
        seed=simulation.series_seed(code, DEMO_SEED),
    )
    step = Decimal(1).scaleb(-simulation.decimals_of([str(r.value) for r in rows[-30:]]))
    return [Row(d, Decimal(repr(float(v))).quantize(step).quantize(PLACES)) for d, v in zip(days, values, strict=True)]


@transaction.atomic
def _store_series(
    *, code: str, name: str, unit: str, source: str, rows: list[Row], end: date, frequency: str = ""
) -> date | None:
    """Store a real series and, when it ends too early, its simulated continuation to `end` (labelled in the name,
    the series flagged simulated). Stored dates from the first row on that are in neither are dropped (an earlier
    continuation, or a fully simulated series from an offline seed). Returns the first simulated date, or None."""
    rows = sorted(rows, key=lambda r: r.date)
    frequency = frequency or infer_frequency([r.date for r in rows])
    extra = _continuation(code, rows, end, frequency)
    name = _SIMULATED_AFTER_RE.sub("", name)
    if extra:
        suffix = SIMULATED_AFTER.format(date=rows[-1].date)
        name = name[: NAME_MAX - len(suffix)] + suffix
    series = series_ensure(
        code=code, name=name, unit=unit, frequency=frequency, source=source, is_simulated=bool(extra)
    )
    keep = rows + extra
    observations_upsert(series=series, rows=keep)
    kept = {r.date for r in keep}
    stored = Observation.objects.filter(series=series, date__gte=rows[0].date).values_list("date", flat=True)
    stale = sorted(set(stored) - kept)
    for i in range(0, len(stale), 500):
        Observation.objects.filter(series=series, date__in=stale[i : i + 500]).delete()
    return extra[0].date if extra else None


def _file_rows(path: Path) -> list[Row]:
    parsed = parse_series_file(path.read_text(encoding="utf-8"))
    return [r for r in parsed.rows if r.date >= IMPORT_FROM]


def _continue_stored(code: str, end: date) -> date | None:
    """Continue a series just pulled from the network (stored real): its stored rows are its real rows."""
    series = MarketSeries.objects.filter(code=code, is_simulated=False).first()
    if series is None:
        return None
    fields = ["date", "value", "open", "high", "low", "volume"]
    rows = [Row(*values) for values in series.observations.order_by("date").values_list(*fields)]
    if not rows or not _needs_continuation(code, rows[-1].date, end):
        return None
    return _store_series(
        code=code,
        name=series.name,
        unit=series.unit,
        source=series.source,
        rows=rows,
        end=end,
        frequency=series.frequency,
    )


def _simulated(end: date, skip: set[str] = frozenset()) -> list[str]:
    """A seeded, clearly flagged simulated series ending `end` for each input not in `skip` (those without real
    data); returns their codes."""
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
    weekday = np.array([d.weekday() < 5 for d in dates])
    workdays = [d for d, w in zip(dates, weekday, strict=True) if w]
    plan = [
        (BTC_CODE, "BTC/USDT daily (SIMULATED)", "USDT", dates, btc),
        ("DGS10", "10-year yield (SIMULATED)", "%", workdays, dgs10[weekday]),
        ("BAMLH0A0HYM2", "High-yield OAS (SIMULATED)", "%", workdays, hy[weekday]),
        ("MU", "MU daily close (SIMULATED)", "USD", workdays, mu[weekday]),
        ("SNDK", "SNDK daily close (SIMULATED)", "USD", workdays, sndk[weekday]),
        ("M2SL", "M2 (SIMULATED)", "USD bn", months, m2),
        ("BOGMBASE", "Monetary base (SIMULATED)", "USD bn", months, base),
    ]
    written = []
    for code, name, unit, when, values in plan:
        if code in skip:
            continue
        written.append(code)
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
    return written


def _readings_flag(*, fully_simulated: bool, simulated_from: date | None) -> Q:
    """The readings whose stored flag disagrees with the data they are now built on."""
    if fully_simulated:
        return Q(is_simulated=False)
    if simulated_from is None:
        return Q(is_simulated=True)
    return Q(is_simulated=True, as_of__lt=simulated_from) | Q(is_simulated=False, as_of__gte=simulated_from)


def seed_regime(
    *, stdout=None, online: bool = True, data_dir: Path | str | None = None, today: date | None = None
) -> str:
    started = time.monotonic()
    folder = Path(data_dir or settings.SHARED_DATA_DIR)
    end = (today or datetime.now(tz=UTC).date()) - timedelta(days=1)
    notes, continued = [], {}
    btc_live = online and _btc_from_exchange()
    if btc_live:
        notes.append("BTC candles from ccxt")
    fred_live = online and _fred_from_web()
    if fred_live:
        notes.append("FRED series downloaded")
    real = ({BTC_CODE} if btc_live else set()) | (set(FRED_CODES) if fred_live else set())
    if not btc_live and (folder / BTC_CANDLES_FILE).is_file() and (folder / BTC_CLOSES_FILE).is_file():
        rows, name = _btc_rows(folder, closes_after=True)
        continued[BTC_CODE] = _store_series(
            code=BTC_CODE, name=name, unit="USDT", source=MarketSeries.Source.IMPORT, rows=rows, end=end
        )
        real.add(BTC_CODE)
        notes.append("BTC from the shared snapshot")
    read: dict[Path, list[str]] = {}
    for filename, code, name, unit in SHARED_SERIES:
        path = None if code in real else _data_file(folder, filename)
        if path is not None:
            source = MarketSeries.Source.FRED if filename.startswith("fred_") else MarketSeries.Source.IMPORT
            continued[code] = _store_series(
                code=code, name=name, unit=unit, source=source, rows=_file_rows(path), end=end
            )
            real.add(code)
            read.setdefault(path.parent, []).append(code)
    notes += [f"{', '.join(codes)} from {where}" for where, codes in read.items()]
    simulated = _simulated(end=end, skip=real)
    if simulated:
        notes.append("SIMULATED where no real source answered: " + ", ".join(simulated))
    for code in ([BTC_CODE] if btc_live else []) + (FRED_CODES if fred_live else []):
        continued[code] = _continue_stored(code, end)
    starts = {code: day for code, day in continued.items() if day is not None and code in INPUT_CODES}
    if starts:
        notes.append("simulated after the real data: " + ", ".join(f"{c} from {d}" for c, d in sorted(starts.items())))
    fully_simulated = MarketSeries.objects.filter(code__in=INPUT_CODES, source=MarketSeries.Source.SIMULATED).exists()
    simulated_from = min(starts.values(), default=None)
    with transaction.atomic():
        # Readings from another data mode must not linger past the new window.
        RegimeReading.objects.filter(
            _readings_flag(fully_simulated=fully_simulated, simulated_from=simulated_from)
        ).delete()
        result = regime_readings_compute(days=READING_DAYS)
        if result.end:
            RegimeReading.objects.filter(as_of__gt=result.end).delete()
        if not fully_simulated:
            # The service flags every reading once any input is simulated; a reading only reads values up to its
            # own day, so the days before the first simulated value are real.
            real = RegimeReading.objects.filter(is_simulated=True)
            if simulated_from is not None:
                real = real.filter(as_of__lt=simulated_from)
            real.update(is_simulated=False)
    summary = f"{result.summary()} [{'; '.join(notes)}] in {time.monotonic() - started:.1f}s"
    _say(stdout, summary)
    return summary
