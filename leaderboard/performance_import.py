"""Parsing the operator's performance export (pure: text in, rows or line-numbered errors out).

Header: exchange_uid,date,equity,net_flow[,closed_positions,winning_positions,followers,aum]
date is YYYY-MM-DD, equity the day's USDT snapshot (>= 0), net_flow deposits minus withdrawals that day.
"""

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

REQUIRED = ["exchange_uid", "date", "equity", "net_flow"]
OPTIONAL_INTS = ["closed_positions", "winning_positions", "followers"]
OPTIONAL = [*OPTIONAL_INTS, "aum"]
MAX_PLACES = 8  # the DailyEquity money columns
MAX_INTEGER_DIGITS = 20
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


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
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        return None, f"{name} {text} is too large"
    return value, None


def _count(text: str, name: str) -> tuple[int | None, str | None]:
    if not re.fullmatch(r"\d+", text):
        return None, f"{name} {text!r} is not a whole number >= 0"
    return int(text), None


def parse_performance_csv(lines: Iterable[str], *, known_uids: Mapping[str, int]) -> ParseResult:
    """Rows ready for daily_equity_upsert (trader_id, date, equity, net_flow, optional columns), or errors.

    Every problem is reported with its line number (the header is line 1); a file with any error yields no rows.
    """
    result = ParseResult()
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        result.errors.append("line 1: the file is empty (expected a header row)")
        return result
    header = [h.strip().lower() for h in header]
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
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
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
        day = None
        if not _DATE.match(record["date"]):
            problems.append(f"date {record['date']!r} is not YYYY-MM-DD")
        else:
            try:
                day = date.fromisoformat(record["date"])
            except ValueError:
                problems.append(f"date {record['date']!r} is not a calendar date")
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
            first = seen.setdefault((uid, day), line)
            if first != line:
                problems.append(f"duplicate of line {first} ({uid}, {day.isoformat()})")
        if problems:
            result.errors.extend(f"line {line}: {p}" for p in problems)
        else:
            result.rows.append(row)
    if result.errors:
        result.rows = []
    return result
