"""The public leaderboard page under load, beside a minimal Django view on the same server in the same run.

    .venv/bin/python bench/bench_pages.py [--traders 10000] [--duration 10] [--rounds 3] [--sqlite]

Defaults: PostgreSQL (DATABASE_URL, default database sb_pages_bench, recreated) and Redis db 3 as the broker
(REDIS_URL), db 4 as the cache (REDIS_CACHE_URL's default), as deployed; --sqlite uses a fresh SQLite file (the
embedded default), Redis still the cache.
gunicorn with 2 sync workers on 127.0.0.1, wrk with 32 connections:
1. build a campaign with 10,000 ranked traders (8 published runs: 7d/30d/90d/period, each with a previous run);
2. warm both URLs, then measure the minimal view and the leaderboard page (window=30d, page 1) for the same
   duration each, interleaved over several rounds (a noisy neighbour on the shared machine hits both sides);
3. print requests/s and p50/p99 latency per round and the median ratio.
Targets: leaderboard >= 70% of the minimal view's rps, p99 < 100 ms.
Also timed: one cold render of the leaderboard (cache empty) in-process, the cost a publish puts on the first reader.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
SQLITE_FILE = ROOT / "bench" / "out" / "pages_bench.sqlite3"  # scratch (bench/out/ is gitignored)
if "--sqlite" in sys.argv:  # the embedded default (no database server) instead of PostgreSQL
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_pages_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

PORT = 8765
BOARD = "/leaderboard/?window=30d"
MINIMAL = "/bench/minimal/"


def recreate_database(url: str) -> None:
    if url.startswith("sqlite"):
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        SQLITE_FILE.unlink(missing_ok=True)
        return
    from bench.databases import ensure_database

    ensure_database(url, fresh=True)


def build(traders: int) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.pages_data import build_board

    started = time.perf_counter()
    build_board(traders=traders, equity_traders=3)
    print(f"built {traders:,} traders x 8 runs in {time.perf_counter() - started:.1f}s")
    cache.clear()
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    response = client.get(BOARD)
    assert response.status_code == 200
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"cold render (cache empty): {elapsed_ms:.1f} ms, {len(response.content):,} bytes")
    started = time.perf_counter()
    for _ in range(50):
        client.get(BOARD)
    print(f"warm render in-process: {(time.perf_counter() - started) * 1000 / 50:.2f} ms/request")
    cache.clear()


def wrk(url: str, *, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket.group(1) if socket else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--traders", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved minimal/leaderboard rounds")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sqlite", action="store_true", help="SQLite file database instead of PostgreSQL")
    parser.add_argument("--port", type=int, default=PORT, help="loopback port for gunicorn (another may be taken)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")

    recreate_database(os.environ["DATABASE_URL"])
    build(args.traders)

    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + MINIMAL, timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        for path in (MINIMAL, BOARD):
            body = urllib.request.urlopen(base + path, timeout=10).read()  # noqa: S310
            assert body, path
        wrk(base + BOARD, duration=2, connections=args.connections)  # warm both workers' connections
        wrk(base + MINIMAL, duration=2, connections=args.connections)
        rounds = []
        for _ in range(args.rounds):  # interleaved, so a busy neighbour hits both sides alike
            minimal = wrk(base + MINIMAL, duration=args.duration, connections=args.connections)
            board = wrk(base + BOARD, duration=args.duration, connections=args.connections)
            # Context, not targets: the same minimal view with the page's byte count, and with its one query.
            large = wrk(base + "/bench/minimal-large/", duration=args.duration, connections=args.connections)
            with_db = wrk(base + "/bench/minimal-db/", duration=args.duration, connections=args.connections)
            rounds.append(
                {
                    "minimal": minimal,
                    "leaderboard": board,
                    "minimal_large": large,
                    "minimal_db": with_db,
                    "ratio": board["rps"] / minimal["rps"],
                }
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)

    from bench.pages_urls import LARGE  # the same-size body the server returns (Django is set up by now)

    for number, r in enumerate(rounds, start=1):
        print(
            f"round {number}: minimal {r['minimal']['rps']:.0f} rps p99 {r['minimal']['p99_ms']:.1f} ms | "
            f"leaderboard {r['leaderboard']['rps']:.0f} rps p50 {r['leaderboard']['p50_ms']:.1f} ms "
            f"p99 {r['leaderboard']['p99_ms']:.1f} ms | ratio {r['ratio']:.0%} | "
            f"minimal {len(LARGE) // 1000} KB body {r['minimal_large']['rps']:.0f} rps, minimal + version query "
            f"{r['minimal_db']['rps']:.0f} rps"
        )
    ratio = statistics.median(r["ratio"] for r in rounds)
    p99 = statistics.median(r["leaderboard"]["p99_ms"] for r in rounds)
    errors = sum(r["leaderboard"]["non_2xx"] + r["minimal"]["non_2xx"] for r in rounds)
    print(
        f"median of {len(rounds)} rounds: leaderboard/minimal = {ratio:.0%} (target >= 70%); "
        f"leaderboard p99 {p99:.1f} ms (target < 100 ms); non-2xx {errors}; "
        f"{args.traders:,} traders, {args.connections} connections, {args.duration}s per side per round, "
        f"{'SQLite' if args.sqlite else 'PostgreSQL'} + {'Redis' if os.environ.get('REDIS_URL') else 'locmem'}"
    )
    print("PASS" if ratio >= 0.70 and p99 < 100 and errors == 0 else "MISS")


if __name__ == "__main__":
    main()
