"""Hyperliquid vault histories as the operator's performance export (pure: CSV text in, CSV lines out).

Hyperliquid publishes, for every vault, its account value and its cumulative PnL at sample times (about weekly over
a vault's life; `vaults.details.portfolio.allTime.accountValueHistory` / `pnlHistory`, one row per vault_address,
timestamp in ms, value in USD). Money moved in or out is what changed the account value but not the PnL:

    C_t = account value_t - cumulative pnl_t          (net contributions to date; 0 before the vault existed)
    one row per vault and UTC day with samples: equity = the day's last account value,
    net_flow = C(that sample) - C(the previous row's sample)   (the first row: C itself)

Amounts are rounded to the export's 8 decimal places (the source carries float noise in the 9th and 10th).
The flows' times inside a step are unknown, so no weighted_flow: the returns use Modified Dietz's mid-step weight.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

HEADER = "exchange_uid,date,equity,net_flow"
_PLACES = Decimal("1e-8")
LAST_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z: any later timestamp is no date


class VaultHistoryError(ValueError):
    """The two files do not describe the same samples; the message says where."""


@dataclass(frozen=True)
class VaultDay:
    vault: str
    day: date
    equity: Decimal
    net_flow: Decimal


def _samples(lines: Iterable[str], name: str) -> dict[tuple[str, int], Decimal]:
    try:
        return _read_samples(csv.reader(lines), name)
    except csv.Error as exc:
        raise VaultHistoryError(f"{name}: not readable as CSV ({exc})") from exc


def _read_samples(reader, name: str) -> dict[tuple[str, int], Decimal]:
    header = [h.strip().lower() for h in next(reader, [])]
    if header != ["vault_address", "timestamp", "value"]:
        raise VaultHistoryError(f"{name}: the header must be vault_address,timestamp,value (found {','.join(header)})")
    samples = {}
    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        try:
            vault, stamp, value = cells
            key = (vault.strip().lower(), int(stamp))
            amount = Decimal(value)
        except (ValueError, InvalidOperation) as exc:
            raise VaultHistoryError(f"{name} line {number}: {cells!r} is not address,milliseconds,number") from exc
        if not amount.is_finite():
            raise VaultHistoryError(f"{name} line {number}: {value!r} is not a finite number")
        if not 0 <= key[1] <= LAST_MS or not key[0]:
            raise VaultHistoryError(f"{name} line {number}: {cells!r} has no vault or a timestamp out of range")
        samples[key] = amount
    return samples


def vault_days(account_value_lines: Iterable[str], pnl_lines: Iterable[str]) -> list[VaultDay]:
    """One row per vault and UTC day, sorted by vault and day (see the module's formulas)."""
    values = _samples(account_value_lines, "account value history")
    pnls = _samples(pnl_lines, "pnl history")
    if values.keys() != pnls.keys():
        missing = sorted(values.keys() ^ pnls.keys())[:3]
        raise VaultHistoryError(f"the two histories have different samples, e.g. {missing}")
    last_of_day: dict[tuple[str, date], tuple[int, Decimal, Decimal]] = {}
    for (vault, stamp), value in values.items():
        day = datetime.fromtimestamp(stamp / 1000, tz=UTC).date()
        kept = last_of_day.get((vault, day))
        if kept is None or stamp > kept[0]:
            last_of_day[(vault, day)] = (stamp, value, value - pnls[(vault, stamp)])
    rows, contributed, current = [], Decimal(0), None
    for (vault, day), (_, value, contributions) in sorted(last_of_day.items()):
        if vault != current:
            current, contributed = vault, Decimal(0)
        flow = contributions - contributed
        contributed = contributions
        rows.append(
            VaultDay(
                vault=vault,
                day=day,
                equity=value.quantize(_PLACES, rounding=ROUND_HALF_EVEN),
                net_flow=flow.quantize(_PLACES, rounding=ROUND_HALF_EVEN),
            )
        )
    return rows


def performance_lines(days: Iterable[VaultDay]) -> Iterator[str]:
    """The rows as the performance export (traders.performance_import), header first."""
    yield HEADER + "\n"
    for row in days:
        yield f"{row.vault},{row.day.isoformat()},{row.equity:f},{row.net_flow:f}\n"
