"""Parsing market-series CSV files (pure Python, no Django): FRED downloads, generic date,value, daily stock bars.

Every problem is reported with its line number (the header is line 1) and parsing stops nothing half-way: the caller
gets either all rows or a SeriesFileError listing every bad line. Bounds (core.input_bounds): dates from 1900-01-01
to today, values at most 10^15 in size, no control characters.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from core.control_chars import has_control
from core.csv_rows import csv_records
from core.input_bounds import EARLIEST_MARKET_DAY, MAX_AMOUNT, amount_in_range, day_in_range

FORMATS = ("auto", "fred", "generic", "stock")
MISSING_MARKERS = {"", ".", "NA", "N/A", "NaN", "nan", "#N/A"}
DATE_HEADERS = {"observation_date", "date", "DATE", "Date"}
STOCK_HEADER = ["Date", "Symbol", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
PLACES = Decimal("1e-10")
MAX_ERRORS = 25
# A day, optionally with the time of day some downloads add ("2026-01-02 00:00:00-05:00"); nothing else after it.
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
# What MarketSeries stores: code and unit up to 32 characters, the name up to 200.
CODE_MAX, NAME_MAX, UNIT_MAX = 32, 200, 32


class SeriesFileError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:MAX_ERRORS]
        more = f"\n... and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        super().__init__("\n".join(shown) + more)


@dataclass
class Row:
    date: date
    value: Decimal
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    volume: Decimal | None = None


@dataclass
class ParsedSeries:
    format: str
    code: str | None  # taken from the file when it names the series (FRED column, stock Symbol)
    rows: list[Row] = field(default_factory=list)
    missing: int = 0  # lines with a missing-value marker, skipped


def _date(text: str, *, now: datetime) -> date:
    """The day of a cell; ValueError (with the reason) when it is no day, or outside the bounds."""
    match = _DAY.match(text.strip())
    if match is None:
        raise ValueError("want YYYY-MM-DD")
    day = date.fromisoformat(match.group(1))  # ValueError for 2026-02-30
    if not day_in_range(day, now=now, earliest=EARLIEST_MARKET_DAY):
        raise ValueError(f"out of range: {EARLIEST_MARKET_DAY.isoformat()} to today")
    return day


def _number(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not amount_in_range(value, allow_negative=True):
        raise InvalidOperation
    return value.quantize(PLACES)


def series_label_problems(*, code: str | None, name: str = "", unit: str = "") -> list[str]:
    """What is wrong with a series' code, name or unit as given on the command line or in a file's header."""
    problems = []
    for label, value, limit in (("code", code or "", CODE_MAX), ("name", name, NAME_MAX), ("unit", unit, UNIT_MAX)):
        if len(value) > limit:
            problems.append(f"the series {label} is longer than {limit} characters: {value[:40]!r}...")
        elif has_control(value):
            problems.append(f"the series {label} {value!r} contains control characters")
    return problems


def detect_format(header: list[str]) -> str:
    cleaned = [h.strip() for h in header]
    if cleaned[: len(STOCK_HEADER)] == STOCK_HEADER:
        return "stock"
    if len(cleaned) == 2 and cleaned[0] in DATE_HEADERS:
        return "generic" if cleaned[1].lower() == "value" else "fred"
    raise SeriesFileError(
        [
            f"line 1: unrecognised header {','.join(cleaned)!r}; expected observation_date,<SERIES> (FRED), "
            f"date,value (generic) or {','.join(STOCK_HEADER)} (stock)"
        ]
    )


def parse_series_file(text: str, *, fmt: str = "auto", now: datetime | None = None) -> ParsedSeries:
    """`now` (default: the current time) bounds the dates."""
    now = now or datetime.now(UTC)
    if fmt not in FORMATS:
        raise SeriesFileError([f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}"])
    records = csv_records(io.StringIO(text.lstrip("\ufeff")))
    first = next(records, None)
    if first is not None and first.cells is None:
        raise SeriesFileError([f"line 1: {first.problem}"])
    header = first.cells if first is not None else None
    if not header:
        raise SeriesFileError(["line 1: the file is empty"])
    detected = detect_format(header)
    if fmt == "auto":
        fmt = detected
    elif fmt in ("fred", "generic") and detected == "stock" or fmt == "stock" and detected != "stock":
        raise SeriesFileError([f"line 1: header {','.join(header)!r} does not match format {fmt!r}"])
    if fmt in ("fred", "generic") and len(header) != 2:
        raise SeriesFileError([f"line 1: format {fmt!r} needs two columns (date and value), got {len(header)}"])

    file_code = None
    if fmt == "fred" and header[1].strip().lower() != "value":
        file_code = header[1].strip()
        if problems := series_label_problems(code=file_code):
            raise SeriesFileError([f"line 1: {problem}" for problem in problems])
    parsed = ParsedSeries(format=fmt, code=file_code)
    errors: list[str] = []
    seen: dict[date, int] = {}
    symbols: set[str] = set()
    width = len(header)
    for record in records:
        line_no, cells = record.line, record.cells
        if cells is None:
            errors.append(f"line {line_no}: {record.problem}")
            continue
        if not cells or all(not c.strip() for c in cells):
            continue
        if any(has_control(c) for c in cells):
            errors.append(f"line {line_no}: remove the control characters (e.g. NUL) from the line")
            continue
        if len(cells) != width:
            errors.append(f"line {line_no}: expected {width} columns, got {len(cells)}")
            continue
        try:
            day = _date(cells[0], now=now)
        except ValueError as exc:
            errors.append(f"line {line_no}: bad date {cells[0]!r} ({exc})")
            continue
        if day in seen:
            errors.append(f"line {line_no}: date {day} repeats line {seen[day]}")
            continue
        seen[day] = line_no
        value_cell = cells[5] if fmt == "stock" else cells[1]
        if value_cell.strip() in MISSING_MARKERS:
            parsed.missing += 1
            continue
        try:
            if fmt == "stock":
                symbols.add(cells[1].strip())
                open_, high, low, close = (_number(c) for c in cells[2:6])
                volume = _number(cells[7]) if cells[7].strip() not in MISSING_MARKERS else None
                if not (low <= min(open_, close) and high >= max(open_, close)):
                    errors.append(f"line {line_no}: low/high do not bracket open and close")
                    continue
                parsed.rows.append(Row(day, close, open_, high, low, volume))
            else:
                parsed.rows.append(Row(day, _number(value_cell)))
        except (InvalidOperation, ValueError):
            errors.append(
                f"line {line_no}: not a number (or beyond {MAX_AMOUNT:,.0f} in size) in {','.join(cells)[:200]!r}"
            )
    if len(symbols) > 1:
        errors.append(f"the file mixes symbols {', '.join(sorted(symbols))}; import one symbol per file")
    elif symbols:
        parsed.code = symbols.pop()
    if not errors and not parsed.rows:
        errors.append("no observations in the file")
    if errors:
        raise SeriesFileError(errors)
    parsed.rows.sort(key=lambda r: r.date)
    return parsed


def infer_frequency(days: list[date]) -> str:
    if len(days) < 3:
        return "daily"
    gaps = sorted((b - a).days for a, b in zip(days, days[1:], strict=False))
    median = gaps[len(gaps) // 2]
    if median <= 4:
        return "daily"
    if median <= 10:
        return "weekly"
    if median <= 20:
        return "biweekly"
    if median <= 45:
        return "monthly"
    return "quarterly"
