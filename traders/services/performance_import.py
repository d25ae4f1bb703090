"""The operator's performance import: all of a file or nothing, through the one daily-equity write path."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from traders.models import DailyEquity, LeadTrader
from traders.performance_import import OPTIONAL, parse_performance_csv
from traders.services.equity import RATIO_LIMIT, EquityOutOfRange, daily_equity_upsert


class PerformanceImportError(Exception):
    """The file has errors; nothing was written. `errors` lists them with their line numbers."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in the file; nothing was imported")


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    traders: int
    created: int
    changed: int
    unchanged: int


def _same(existing: dict, row: dict) -> bool:
    for name in ("equity", "net_flow", *OPTIONAL):
        a, b = existing.get(name), row.get(name)
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            if (a is None) != (b is None) or (a is not None and Decimal(a) != Decimal(b)):
                return False
        elif a != b:
            return False
    return existing.get("source") == DailyEquity.Source.IMPORT


def _out_of_range_errors(exc: EquityOutOfRange, *, lines: dict) -> list[str]:
    uids = dict(LeadTrader.objects.filter(pk__in={t for t, _ in exc.keys}).values_list("id", "exchange_uid"))
    errors = []
    for trader_id, day in exc.keys:
        where = f"line {lines[(trader_id, day)]}" if (trader_id, day) in lines else "a stored row"
        errors.append(
            f"{where}: {uids.get(trader_id)} on {day.isoformat()}: the day's return or unit value would exceed "
            f"{RATIO_LIMIT:.0e} (equity grew from almost nothing without a deposit in net_flow?)"
        )
    return errors


@transaction.atomic
def performance_import(*, lines: Iterable[str]) -> ImportSummary:
    """Parse and apply an export; raises PerformanceImportError (nothing written) when any line is bad.

    Re-importing the same file writes the same values: every row is reported unchanged.
    """
    known = dict(LeadTrader.objects.values_list("exchange_uid", "id"))
    parsed = parse_performance_csv(lines, known_uids=known, now=timezone.now())
    if parsed.errors:
        raise PerformanceImportError(parsed.errors)
    trader_ids = {r["trader_id"] for r in parsed.rows}
    existing = {
        (e["trader_id"], e["date"]): e
        for e in DailyEquity.objects.filter(trader_id__in=trader_ids).values(
            "trader_id", "date", "equity", "net_flow", "source", *OPTIONAL
        )
    }
    created = changed = 0
    for row in parsed.rows:
        before = existing.get((row["trader_id"], row["date"]))
        if before is None:
            created += 1
        elif not _same(before, row):
            changed += 1
    if created or changed:
        try:
            daily_equity_upsert(rows=parsed.rows, source=DailyEquity.Source.IMPORT)
        except EquityOutOfRange as exc:
            raise PerformanceImportError(_out_of_range_errors(exc, lines=parsed.lines)) from exc
    return ImportSummary(
        rows=len(parsed.rows),
        traders=len(trader_ids),
        created=created,
        changed=changed,
        unchanged=len(parsed.rows) - created - changed,
    )
