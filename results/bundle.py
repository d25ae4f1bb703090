"""A results bundle's files, built from plain values (no ORM): deterministic bytes, so the same batch always gives
the same hashes. The schema is documented in docs/results.md and read by results/verify_results.py.

Numbers are written so they read back exactly: Decimals as their text, floats as repr() (shortest round trip),
booleans 1/0, a missing value as an empty cell. CSV with every cell quoted (a name may hold a line break) and
"\\n" line ends; text a person typed (names, UIDs, links) neutralised against spreadsheet formulas the way every
CSV of the project is (core.csv_export.csv_cell). JSON with sorted keys.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

from core.csv_export import csv_cell
from results.verify_results import DECISION_METRICS, MANIFEST, PUBLISHED_METRICS, SCHEMA, sha256

VERIFIER = "verify_results.py"
LEADERBOARD_FILES = ["rules.json", "standings.csv", "inputs.csv", "benchmark.csv", "lines.csv"]
OTHER_FILES = ["rules.json", "standings.csv", "lines.csv"]
ALL_FILES = [MANIFEST, *LEADERBOARD_FILES]
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv", ".py": "text/x-python"}

LINE_COLUMNS = ["line", "trader_id", "exchange", "trader", "name", "rank", "score", "amount", "currency", "reward_form"]
LEADERBOARD_COLUMNS = [
    "trader_id",
    "trader",
    "name",
    "enrolled_at",
    "approved",
    "equity_end",
    "meets_equity_floor",
    "closed_positions_recorded",
    "winning_positions_recorded",
    "trade_data",
    "flags",
    *PUBLISHED_METRICS,
    *DECISION_METRICS,
    "pnl",
    "pnl_order",
    "eligible",
    "reasons",
    "score",
    "rank",
]
INPUT_COLUMNS = [
    "trader_id",
    "date",
    "in_window",
    "step_days",
    "daily_return",
    "unit_value",
    "net_flow",
    "weighted_flow",
    "equity",
    "pnl",
    "closed_positions",
    "winning_positions",
]
CONTENT_COLUMNS = ["trader_id", "trader", "name", "posts", "days", "exposure", "engagement", "copy_volume"]
CONTENT_COLUMNS += ["eligible", "score", "rank"]
FIRST_POST_COLUMNS = ["trader_id", "trader", "name", "post_id", "post_url", "qualified_at", "rank"]

ALWAYS_WITHHELD = [
    {"code": "sign_in", "what": "email addresses, passwords and sign-in data", "why": "personal data"},
    {"code": "api_keys", "what": "exchange API keys and secrets", "why": "credentials (stored encrypted, never shown)"},
    {"code": "answers", "what": "questionnaire answers and operator notes", "why": "personal data"},
    {"code": "staff", "what": "who calculated, approved and paid the batch", "why": "staff identities: the audit log"},
]
EQUITY_WITHHELD = {
    "code": "equity",
    "what": (
        "equity, net flows and daily pnl in USDT (inputs.csv equity, net_flow, weighted_flow, pnl; "
        "standings.csv equity_end, pnl)"
    ),
    "why": "the pool's rules say results.withhold_equity; returns, unit values and the floor test are published",
}


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


TYPED_BY_PEOPLE = {"trader", "name", "exchange", "post_url"}


def csv_bytes(columns: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(cell(row.get(c))) if c in TYPED_BY_PEOPLE else cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def json_bytes(value) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False, default=cell) + "\n").encode("utf-8")


def lines_csv(lines: list[dict]) -> bytes:
    return csv_bytes(
        LINE_COLUMNS,
        (
            {
                "line": line["id"],
                "trader_id": line["trader_id"],
                "exchange": line["payee_exchange"],
                "trader": line["payee_uid"],
                "name": line["payee_name"],
                "rank": line["rank"],
                "score": line["score"],
                "amount": line["amount"],
                "currency": line["currency"],
                "reward_form": line["reward_form"],
            }
            for line in lines
        ),
    )


def leaderboard_csvs(*, inputs: dict, traders: dict, withhold_equity: bool) -> dict[str, bytes]:
    """standings.csv, inputs.csv and benchmark.csv of a leaderboard batch's ranking run."""
    start = inputs["run"].start_date
    floor = inputs["run"].rules["eligibility"]["min_equity"]
    # The pnl tie-break's order (1 = highest pnl, equal pnl equal order): published even when pnl is withheld.
    pnls = sorted({s["pnl"] or 0 for s in inputs["standings"]}, reverse=True)
    pnl_order = {value: position for position, value in enumerate(pnls, start=1)}
    rows = []
    for s in inputs["standings"]:
        e = s["explanation"]
        metrics, values = e.get("metrics", {}), e.get("eligibility", {}).get("values", {})
        equity = values.get("equity")
        recorded = inputs["recorded_positions"].get(s["trader_id"], (0, 0))
        rows.append(
            {
                **{k: metrics.get(k) for k in LEADERBOARD_COLUMNS if k in metrics},
                **{k: s.get(k) for k in DECISION_METRICS},
                "trader_id": s["trader_id"],
                "trader": traders[s["trader_id"]]["exchange_uid"],
                "name": traders[s["trader_id"]]["display_name"],
                "enrolled_at": inputs["enrolled_at"].get(s["trader_id"]),
                "approved": bool(values.get("approved")),
                # Ranked on equity and flows only when the run found no trade record (runs before that: trades).
                "trade_data": e.get("basis", "trades") == "trades",
                "equity_end": None if withhold_equity else equity,
                "meets_equity_floor": equity is not None and equity >= floor,
                "closed_positions_recorded": recorded[0],
                "winning_positions_recorded": recorded[1],
                "flags": ";".join(s["open_flags"]),
                "pnl": None if withhold_equity else s["pnl"],
                "pnl_order": pnl_order[s["pnl"] or 0],
                "eligible": s["eligible"],
                "reasons": ";".join(s["ineligible_reasons"]),
                "score": s["score"],
                "rank": s["rank"],
            }
        )
    daily = [
        {
            **d,
            "in_window": d["date"] >= start,
            **({"equity": None, "net_flow": None, "weighted_flow": None, "pnl": None} if withhold_equity else {}),
        }
        for d in inputs["daily"]
    ]
    benchmark = [{"date": day, "btc_return": value} for day, value in inputs["benchmark"]]
    return {
        "standings.csv": csv_bytes(LEADERBOARD_COLUMNS, rows),
        "inputs.csv": csv_bytes(INPUT_COLUMNS, daily),
        "benchmark.csv": csv_bytes(["date", "btc_return"], benchmark),
    }


def named(rows: list[dict], traders: dict) -> list[dict]:
    return [
        {**row, "trader": traders[row["trader_id"]]["exchange_uid"], "name": traders[row["trader_id"]]["display_name"]}
        for row in rows
    ]


def manifest_bytes(*, header: dict, files: dict[str, bytes], withheld: list[dict]) -> bytes:
    return json_bytes(
        {
            "schema": SCHEMA,
            **header,
            "files": {name: sha256(data) for name, data in sorted(files.items())},
            "withheld": withheld,
            "verifier": VERIFIER,
        }
    )


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
