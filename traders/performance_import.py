"""Parsing the operator's performance export (pure: text in, rows or line-numbered errors out).

Header: exchange_uid,date,equity,net_flow[,closed_positions,winning_positions,followers,aum]
date is YYYY-MM-DD, equity the day's USDT snapshot (>= 0), net_flow deposits minus withdrawals that day.
Bounds (core.input_bounds): dates from 2009-01-03 to today, amounts at most 10^15 in size, counts at most
2,147,483,647; no control characters anywhere.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from core.control_chars import has_control
from core.csv_rows import csv_records
from core.input_bounds import EARLIEST_DAY, MAX_AMOUNT, MAX_COUNT, amount_in_range, count_in_range, day_in_range

REQUIRED = ["exchange_uid", "date", "equity", "net_flow"]
OPTIONAL_INTS = ["closed_positions", "winning_positions", "followers"]
OPTIONAL = [*OPTIONAL_INTS, "aum"]
MAX_PLACES = 8  # the DailyEquity money columns
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lines: dict[tuple[int, date], int] = field(default_factory=dict)  # (trader_id, date) -> its line in the file


def _money(text: str, name: str, *, allow_negative: bool) -> tuple[Decimal | None, str | None]:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, f"{name} {text!r} is not a number"
    if not value.is_finite():
        return None, f"{name} {text!r} is not a finite number"
    if not allow_negative and value < 0:
        return None, f"{name} {text} is negative"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES:
        return None, f"{name} {text} has more than {MAX_PLACES} decimal places"
    if not amount_in_range(value, allow_negative=allow_negative):
        return None, f"{name} {text} is out of range (at most {MAX_AMOUNT:,.0f} in size)"
    return value, None


def _count(text: str, name: str) -> tuple[int | None, str | None]:
    if not re.fullmatch(r"\d+", text):
        return None, f"{name} {text!r} is not a whole number >= 0"
    if len(text) > 12 or not count_in_range(int(text)):
        return None, f"{name} {text} is out of range (0 to {MAX_COUNT:,})"
    return int(text), None


def _day(text: str, *, now: datetime) -> tuple[date | None, str | None]:
    if not _DATE.match(text):
        return None, f"date {text!r} is not YYYY-MM-DD"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, f"date {text!r} is not a calendar date"
    if not day_in_range(day, now=now):
        return None, f"date {text} is out of range ({EARLIEST_DAY.isoformat()} to today)"
    return day, None


def parse_performance_csv(
    lines: Iterable[str], *, known_uids: Mapping[str, int], now: datetime | None = None
) -> ParseResult:
    """Rows ready for daily_equity_upsert (trader_id, date, equity, net_flow, optional columns), or errors.

    Every problem is reported with its line number (the header is line 1); a file with any error yields no rows.
    `now` (default: the current time) bounds the dates.
    """
    now = now or datetime.now(UTC)
    result = ParseResult()
    records = csv_records(lines)
    first = next(records, None)
    if first is None:
        result.errors.append("line 1: the file is empty (expected a header row)")
        return result
    if first.cells is None:
        result.errors.append(f"line 1: {first.problem}")
        return result
    header = [h.strip().lower() for h in first.cells]
    if header[:4] != REQUIRED:
        result.errors.append(f"line 1: the header must start with {','.join(REQUIRED)} (found {','.join(header)})")
        return result
    unknown = [h for h in header[4:] if h not in OPTIONAL]
    repeated = {h for h in header if header.count(h) > 1}
    if unknown or repeated:
        bad = ", ".join(sorted({*unknown, *repeated}))
        result.errors.append(f"line 1: unknown or repeated columns: {bad} (optional: {','.join(OPTIONAL)})")
        return result

    seen: dict[tuple[str, date], int] = {}
    for entry in records:
        line, values = entry.line, entry.cells
        if values is None:
            result.errors.append(f"line {line}: {entry.problem}")
            continue
        if not any(v.strip() for v in values):
            continue
        if any(has_control(v) for v in values):
            result.errors.append(f"line {line}: remove the control characters (e.g. NUL) from the line")
            continue
        if len(values) != len(header):
            result.errors.append(f"line {line}: expected {len(header)} fields, found {len(values)}")
            continue
        record = dict(zip(header, (v.strip() for v in values), strict=True))
        problems = []
        uid = record["exchange_uid"]
        trader_id = known_uids.get(uid)
        if not uid:
            problems.append("exchange_uid is empty")
        elif trader_id is None:
            problems.append(f"unknown exchange_uid {uid!r}")
        day, problem = _day(record["date"], now=now)
        problems += [problem] if problem else []
        equity, problem = _money(record["equity"], "equity", allow_negative=False)
        problems += [problem] if problem else []
        net_flow, problem = _money(record["net_flow"], "net_flow", allow_negative=True)
        problems += [problem] if problem else []
        row = {"trader_id": trader_id, "date": day, "equity": equity, "net_flow": net_flow}
        for name in OPTIONAL:
            text = record.get(name, "")
            if not text:
                row[name] = None
                continue
            if name == "aum":
                value, problem = _money(text, name, allow_negative=False)
            else:
                value, problem = _count(text, name)
            problems += [problem] if problem else []
            row[name] = value
        if None not in (row["closed_positions"], row["winning_positions"]) and (
            row["winning_positions"] > row["closed_positions"]
        ):
            problems.append("winning_positions exceeds closed_positions")
        if uid and day is not None:
            earlier = seen.setdefault((uid, day), line)
            if earlier != line:
                problems.append(f"duplicate of line {earlier} ({uid}, {day.isoformat()})")
        if problems:
            result.errors.extend(f"line {line}: {p}" for p in problems)
        else:
            result.rows.append(row)
            result.lines[(trader_id, day)] = line
    if result.errors:
        result.rows = []
    return result
