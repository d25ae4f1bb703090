"""The operator's performance import: all of a file or nothing, through the one daily-equity write path."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Context, Decimal

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign, Enrollment
from leaderboard.data_fit import Gaps, median_step, missing_days, rules_fit
from leaderboard.scoring import rules_validate
from leaderboard.selectors import HIDDEN_ENROLMENTS
from leaderboard.services.ranking import ranking_rules
from traders.models import DailyEquity, LeadTrader
from traders.performance_import import MAX_PLACES, OPTIONAL, parse_performance_csv
from traders.selectors import traders_with_trade_data
from traders.services.equity import RATIO_LIMIT, EquityOutOfRange, daily_equity_upsert

_PLACES = Decimal(1).scaleb(-MAX_PLACES)
SQLITE_DIGITS = 15  # what Django's SQLite backend reads a decimal column back at


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
    gaps: dict[str, Gaps] = field(default_factory=dict)  # exchange_uid -> its missing days (only traders with gaps)
    rules_fit: dict[str, list[str]] = field(default_factory=dict)  # campaign slug (or "default rules") -> messages


def _money_key(value) -> Decimal:
    """An amount as the database gives it back: at the column's 8 places, and on SQLite (which keeps decimals as
    floats and hands them back at 15 significant digits, as Django reads them) at 15 significant digits, so an
    unchanged value compares equal on every database and a re-import is a no-op."""
    number = Decimal(str(value))
    if connection.vendor == "sqlite" and len(number.as_tuple().digits) > SQLITE_DIGITS:
        number = Context(prec=SQLITE_DIGITS).create_decimal(number)
    return number.quantize(_PLACES)


def _same(existing: dict, row: dict) -> bool:
    for name in ("equity", "net_flow", *OPTIONAL):
        a, b = existing.get(name), row.get(name)
        if isinstance(a, Decimal | float) or isinstance(b, Decimal):
            if (a is None) != (b is None) or (a is not None and _money_key(a) != _money_key(b)):
                return False
        elif a != b:
            return False
    return existing.get("source") == DailyEquity.Source.IMPORT


def _data_report(*, trader_ids: set[int], has_counts: set[int]) -> tuple[dict[str, Gaps], dict[str, list[str]]]:
    """Each imported trader's missing days, and the rules of their campaigns (or the defaults) the data cannot meet."""
    dates: dict[int, list] = {}
    for trader_id, day in DailyEquity.objects.filter(trader_id__in=trader_ids).values_list("trader_id", "date"):
        dates.setdefault(trader_id, []).append(day)
    uids = dict(LeadTrader.objects.filter(pk__in=trader_ids).values_list("pk", "exchange_uid"))
    gaps = {uids[t]: g for t in sorted(dates) if (g := missing_days(dates[t])).missing}
    with_trades = set(has_counts) | traders_with_trade_data(trader_ids=trader_ids)
    steps = {t: median_step(d) for t, d in dates.items()}
    groups: dict[int, set[int]] = {}
    enrolled = (
        Enrollment.objects.filter(trader_id__in=trader_ids)
        .exclude(status__in=HIDDEN_ENROLMENTS)
        .values_list("campaign_id", "trader_id")
    )
    for campaign_id, trader_id in enrolled:
        groups.setdefault(campaign_id, set()).add(trader_id)
    fit: dict[str, list[str]] = {}
    # The campaigns' own rules where the traders are enrolled; the defaults for the others.
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in=groups)}
    targets = [(campaigns[pk].slug, ranking_rules(campaign=campaigns[pk]), ids) for pk, ids in groups.items()]
    loose = trader_ids - {t for ids in groups.values() for t in ids}
    if loose:
        targets.append(("default rules", rules_validate(None), loose))
    for label, rules, ids in sorted(targets, key=lambda t: t[0]):
        messages = rules_fit(
            rules=rules,
            traders=len(ids),
            without_trades=len(ids - with_trades),
            steps=[steps[t] for t in ids if steps.get(t)],
        )
        if messages:
            fit[label] = messages
    return gaps, fit


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
    has_counts = {r["trader_id"] for r in parsed.rows if r.get("closed_positions") is not None}
    gaps, fit = _data_report(trader_ids=trader_ids, has_counts=has_counts)
    return ImportSummary(
        gaps=gaps,
        rules_fit=fit,
        rows=len(parsed.rows),
        traders=len(trader_ids),
        created=created,
        changed=changed,
        unchanged=len(parsed.rows) - created - changed,
    )
