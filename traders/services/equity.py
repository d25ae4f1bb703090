"""Writing daily equity: every source (exchange balance, operator import, demo simulator) goes through here."""

from collections.abc import Iterable
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import transaction

from traders.models import DailyEquity
from traders.unit_value import derive_returns

_OPTIONAL = ["closed_positions", "winning_positions", "followers", "aum"]
_RATIO_PLACES = Decimal("1e-16")
# The largest daily return or unit value a ratio column holds: 16 decimal places in Decimal's 28 significant digits.
RATIO_LIMIT = 1e12


class EquityOutOfRange(ValueError):
    """Rows whose daily return or unit value no column can hold (e.g. equity jumping from dust to billions with no
    recorded deposit); nothing was written. `keys` lists them as (trader_id, date)."""

    def __init__(self, keys: list[tuple]):
        self.keys = keys
        super().__init__(f"{len(keys)} row(s) with a daily return or unit value beyond {RATIO_LIMIT:.0e}")


def _ratio(value) -> Decimal | None:
    value = _none_if_nan(value)
    return None if value is None else Decimal(repr(float(value))).quantize(_RATIO_PLACES)


@transaction.atomic
def daily_equity_upsert(*, rows: Iterable[dict], source: str = DailyEquity.Source.EXCHANGE) -> int:
    """Insert or replace (trader, date) rows and recompute each touched trader's returns and unit value.

    Each row: trader_id, date, equity, net_flow (Decimals) and optionally weighted_flow (the flows weighted by their
    time in the step, when known), closed_positions, winning_positions, followers, aum. The same rows twice give
    the same table (idempotent). Returns the number of rows written.
    """
    incoming = pd.DataFrame(list(rows))
    if incoming.empty:
        return 0
    trader_ids = incoming["trader_id"].unique().tolist()
    existing = pd.DataFrame(
        list(
            DailyEquity.objects.filter(trader_id__in=trader_ids).values(
                *["trader_id", "date", "equity", "net_flow", "weighted_flow", *_OPTIONAL, "source"]
            )
        )
    )
    incoming["source"] = source
    merged = pd.concat([existing, incoming], ignore_index=True) if not existing.empty else incoming
    merged = merged.drop_duplicates(["trader_id", "date"], keep="last")
    for column in [*_OPTIONAL, "weighted_flow"]:
        if column not in merged:
            merged[column] = None
    derived = derive_returns(merged)
    # Rows before a trader's earliest incoming date keep their pnl, return and unit value: rewrite only from there
    # (an exchange snapshot of today rewrites one row, not the trader's whole history).
    first_incoming = incoming.groupby("trader_id")["date"].min()
    derived = derived[derived["date"] >= derived["trader_id"].map(first_incoming)]
    _require_storable(derived)

    objects = [
        DailyEquity(
            trader_id=row.trader_id,
            date=row.date,
            equity=row.equity,
            net_flow=row.net_flow,
            weighted_flow=_none_if_nan(row.weighted_flow),
            step_days=_none_if_nan(row.step_days),
            pnl=row.pnl,
            daily_return=_ratio(row.daily_return),
            unit_value=_ratio(row.unit_value),
            closed_positions=_none_if_nan(row.closed_positions),
            winning_positions=_none_if_nan(row.winning_positions),
            followers=_none_if_nan(row.followers),
            aum=_none_if_nan(row.aum),
            source=row.source,
        )
        for row in derived.itertuples(index=False)
    ]
    DailyEquity.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["trader", "date"],
        update_fields=[
            "equity",
            "net_flow",
            "weighted_flow",
            "step_days",
            "pnl",
            "daily_return",
            "unit_value",
            *_OPTIONAL,
            "source",
        ],
    )
    return len(incoming)


def daily_returns_recompute(*, trader_ids=None) -> int:
    """Re-derive every stored row's step, return and unit value (after the method changed); values stay as they
    are. Each trader is rewritten with its own source. Returns the number of rows rewritten."""
    traders = DailyEquity.objects.values_list("trader_id", flat=True).distinct()
    if trader_ids is not None:
        traders = traders.filter(trader_id__in=trader_ids)
    written = 0
    for trader_id in traders.order_by("trader_id"):
        rows = DailyEquity.objects.filter(trader_id=trader_id).values(
            "trader_id", "date", "equity", "net_flow", "weighted_flow", *_OPTIONAL, "source"
        )
        by_source: dict[str, list[dict]] = {}
        for row in rows:
            by_source.setdefault(row.pop("source"), []).append(row)
        for source, batch in by_source.items():
            written += daily_equity_upsert(rows=batch, source=source)
    return written


def _require_storable(derived: pd.DataFrame) -> None:
    returns = pd.to_numeric(derived["daily_return"], errors="coerce").abs()
    units = pd.to_numeric(derived["unit_value"], errors="coerce").abs()
    beyond = (returns >= RATIO_LIMIT) | (units >= RATIO_LIMIT) | ~np.isfinite(units.fillna(0))
    if beyond.any():
        bad = derived[beyond.to_numpy()]
        raise EquityOutOfRange(list(zip(bad["trader_id"], bad["date"], strict=True)))


def _none_if_nan(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value
