"""Bulk ingestion of fills into PostgreSQL: our idempotent upsert path against a plain COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_bench_ingest .venv/bin/python bench/bench_ingest.py [--rows N]

Same run, same table (leaderboard_fill with all its indexes and constraints), same rows:
1. COPY: the rows, already as table tuples, straight into the table (the practical limit).
2. upsert: unified ccxt trade dicts (what fetch_my_trades returns) through fills_upsert: conversion to rows,
   COPY into a staging table, INSERT ... ON CONFLICT DO NOTHING; one transaction per chunk.
3. re-ingest: the same dicts again through fills_upsert (every row a conflict; nothing may change).
4. pages: the ingestion's own shape, 1,000-row pages each committed with its cursor (stream_ingest's _page_commit).
Generating the synthetic trades is outside the timed sections.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_bench_ingest")

import django  # noqa: E402

from bench.databases import ensure_database  # noqa: E402


def trades_for(account_index: int, count: int, start_ms: int) -> list[dict]:
    """Unified ccxt trades as gate's parser returns them with exchange.number = str."""
    symbols = ["BTC/USDT:USDT", "ETH/USDT:USDT", "LTC/USDT:USDT", "SOL/USDT:USDT"]
    out = []
    for i in range(count):
        price = f"{40000 + (i * 7919 % 5000)}.{i % 100:02d}"
        amount = str(1 + i % 9)
        out.append(
            {
                "info": {},
                "id": f"{account_index}-{i}",
                "timestamp": start_ms + i * 1000,
                "datetime": None,
                "symbol": symbols[i % 4],
                "order": str(900000000 + i),
                "type": None,
                "side": "buy" if i % 2 else "sell",
                "takerOrMaker": "taker",
                "price": price,
                "amount": amount,
                "cost": f"{int(amount) * 0.0001 * float(price):.6f}",
                "fee": {"cost": "0.001234", "currency": "USDT"},
                "fees": [],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--page-rows", type=int, default=200_000, help="rows timed through the 1,000-row page path")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; the best of each is reported")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from traders.models import ExchangeAccount, Fill, IngestionCursor, LeadTrader
    from traders.services.ingestion import FILL_COLUMNS, STREAMS, _page_commit, fill_row, fills_upsert

    call_command("migrate", verbosity=0)
    assert connection.vendor == "postgresql", "this benchmark is about PostgreSQL"
    per_account = args.rows // args.accounts
    accounts = []
    for n in range(args.accounts):
        trader, _ = LeadTrader.objects.get_or_create(
            exchange_uid=f"BENCH{n}", defaults={"display_name": f"bench {n}", "email": f"bench{n}@bench.local"}
        )
        account, _ = ExchangeAccount.objects.get_or_create(trader=trader, label="bench")
        accounts.append(account)
    start_ms = int((datetime.now(UTC) - timedelta(days=400)).timestamp() * 1000)

    def truncate():
        with connection.cursor() as cur:
            cur.execute("TRUNCATE leaderboard_fill")
            cur.execute("VACUUM ANALYZE leaderboard_fill")

    cols = ", ".join(f'"{c}"' for c in FILL_COLUMNS)
    copy_label = "COPY (tuples straight into the table)"
    upsert_label = "upsert path (fills_upsert, new rows)"
    again_label = "re-ingest (same rows again, all conflicts)"
    rounds: dict[str, list[float]] = {copy_label: [], upsert_label: [], again_label: []}
    total = per_account * args.accounts

    def copy_round() -> float:
        truncate()
        elapsed = 0.0
        for n, account in enumerate(accounts):
            rows = [fill_row(account.id, t) for t in trades_for(n, per_account, start_ms)]
            t0 = time.perf_counter()
            with (
                transaction.atomic(),
                connection.cursor() as cur,
                cur.copy(f"COPY leaderboard_fill ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            elapsed += time.perf_counter() - t0
        assert Fill.objects.count() == total
        return elapsed

    def upsert_round(expect_new: int) -> float:
        elapsed = 0.0
        created = 0
        for n, account in enumerate(accounts):
            trades = trades_for(n, per_account, start_ms)
            t0 = time.perf_counter()
            created += fills_upsert(account=account, trades=trades)
            elapsed += time.perf_counter() - t0
        assert created == expect_new and Fill.objects.count() == total, created
        return elapsed

    # Rounds alternate COPY / upsert / re-ingest so that the load of a shared machine hits all three alike.
    for r in range(args.rounds):
        rounds[copy_label].append(copy_round())
        truncate()
        rounds[upsert_label].append(upsert_round(total))
        rounds[again_label].append(upsert_round(0))
        print(f"round {r + 1}: " + ", ".join(f"{k.split(' ')[0]} {v[-1]:.1f}s" for k, v in rounds.items()), flush=True)
    results = {label: min(times) for label, times in rounds.items()}

    # The ingestion's real shape: 1,000-row pages, each committed with the stream cursor.
    truncate()
    stream = next(s for s in STREAMS if s.name == IngestionCursor.Stream.TRADES)
    page_accounts = accounts[: max(1, args.page_rows // per_account)]
    elapsed = 0.0
    page_total = 0
    for n, account in enumerate(page_accounts):
        IngestionCursor.objects.get_or_create(account=account, stream=stream.name)
        trades = trades_for(n, per_account, start_ms)
        t0 = time.perf_counter()
        for i in range(0, len(trades), 1000):
            page = trades[i : i + 1000]
            _page_commit(
                account=account, stream=stream, rows=page, since_ms=page[-1]["timestamp"], last_id=page[-1]["id"]
            )
        elapsed += time.perf_counter() - t0
        page_total += len(trades)
    results[f"pages of 1,000 with cursor ({page_total:,} rows)"] = (elapsed, page_total)

    copy_rate = total / results[copy_label]
    print(
        f"\n{total:,} fills, {args.accounts} accounts, best of {args.rounds} rounds, "
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    print("| path | seconds | rows/s | vs COPY |")
    print("|---|---:|---:|---:|")
    for label, value in results.items():
        seconds, rows = value if isinstance(value, tuple) else (value, total)
        rate = rows / seconds
        print(f"| {label} | {seconds:.1f} | {rate:,.0f} | {rate / copy_rate:.2f} |")
    truncate()


if __name__ == "__main__":
    main()
