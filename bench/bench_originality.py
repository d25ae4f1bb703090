"""One post submission's originality check with 1,000 and 10,000 earlier posts: stored signatures against the
full rebuild of an in-memory index that every submission used to do.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_orig_bench .venv/bin/python bench/bench_originality.py

Same run, same database, same earlier posts (seeded English and Chinese trading posts of 60-90 words or
100-160 characters, every tenth a near duplicate of an earlier one), same new texts:
1. rebuild: what a submission did before: read every earlier post, shingle and MinHash each into an
   OriginalityIndex, then check the new text (the code bulk import still uses).
2. stored: campaigns.services.post_signatures.originality_nearest: band keys of the new text, one indexed query
   for the candidates, exact Jaccard on their texts (plus the two counts that find unsigned posts).
3. submit: the whole post_submit through the stored path (validation, check, save, signature, audit), rolled
   back after each timing.
New texts: a near duplicate of an earlier post (a candidate is found) and an original one. Each timing is the
median of --repeat runs; both paths must return the same post and similarity, or the script stops.
Signing the earlier posts (what migration 0006 does once) is timed too; then, on PostgreSQL, the three tables
are vacuumed and analysed (the steady state autovacuum keeps; the bench deletes and reloads them).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sb_orig_bench")

import django  # noqa: E402

from bench.databases import ensure_database  # noqa: E402

EN_WORDS = (  # noqa: SIM905 (a sentence of words reads better than a column of them)
    "btc eth long short stop loss take profit leverage funding rate open interest range breakout retest support "
    "resistance volume spot futures position size risk entry exit target trend weekly daily four hour chart "
    "liquidation squeeze whale order book bid ask spread momentum divergence rsi macd moving average close "
    "candle wick pullback accumulation distribution hedge margin isolated cross copy trading followers plan "
    "patience discipline scale in out half quarter price action market structure higher low lower high"
).split()
ZH_CHARS = (
    "比特币以太坊做多做空止损止盈杠杆资金费率持仓量区间突破回踩支撑阻力成交量现货合约仓位风险入场离场目标趋势"
    "周线日线四小时图爆仓轧空巨鲸挂单买卖价差动能背离均线收盘影线回调吸筹派发对冲保证金逐仓全仓跟单计划耐心纪律"
    "分批加减半价格行为市场结构高低点今天明天观察等待确认震荡反弹下跌上涨"
)


def post_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return " ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(60, 90)))
    return "".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(100, 160)))


def near_copy(rng: random.Random, text: str, edits: int = 3) -> str:
    chars = list(text)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice("xyz中文")
    return "".join(chars)


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(size: int, repeat: int) -> list[tuple]:
    """Fill the posts table with `size` signed earlier posts and time the three paths for two new texts."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from campaigns.models import Enrollment, Post, PostBand, PostSignature
    from campaigns.originality import OriginalityIndex
    from campaigns.services.post_signatures import originality_nearest, post_signatures_backfill
    from campaigns.services.posts import post_submit
    from demo.campaigns import seed_campaigns
    from traders.models import LeadTrader

    with transaction.atomic():
        PostBand.objects.all().delete()
        PostSignature.objects.all().delete()
        Post.objects.all().delete()
    campaign = next(c for c in seed_campaigns() if c.slug.endswith("phase-2"))
    who, _ = LeadTrader.objects.get_or_create(
        exchange_uid="BENCH-1", defaults={"display_name": "Bench", "email": "bench@example.com", "status": "active"}
    )
    Enrollment.objects.get_or_create(
        campaign=campaign, trader=who, defaults={"status": "approved", "submitted_at": campaign.starts_at}
    )
    rng = random.Random(size)
    start = timezone.now() - timedelta(days=300)
    texts = []
    for i in range(size):
        texts.append(near_copy(rng, texts[rng.randrange(i)]) if i and i % 10 == 0 else post_text(rng))
    posts = Post.objects.bulk_create(
        Post(
            campaign=campaign, trader=who, url=f"https://x.com/b/{i}", text=t, published_at=start + timedelta(minutes=i)
        )
        for i, t in enumerate(texts)
    )
    began = time.perf_counter()
    with transaction.atomic():
        post_signatures_backfill(rules=campaign.content_rules, posts=[(p.pk, p.text, p.published_at) for p in posts])
    signing = time.perf_counter() - began
    if connection.vendor == "postgresql":  # the steady state autovacuum keeps: statistics, visibility map
        with connection.cursor() as cursor:
            for table in ("campaigns_post", "campaigns_postsignature", "campaigns_postband"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"{size:,} earlier posts signed in {signing:.2f} s ({size / signing:,.0f} posts/s)", flush=True)
    now = timezone.now()

    def rebuild(text):
        index = OriginalityIndex(campaign.content_rules)
        earlier = Post.objects.filter(published_at__lt=now).order_by("published_at", "id")
        for pk, body, at in earlier.values_list("id", "text", "published_at").iterator():
            index.add(pk, body, at)
        return index.nearest(text, before=now)

    def stored(text):
        nearest = originality_nearest(rules=campaign.content_rules, text=text, before=now)
        return nearest.duplicate_of, nearest.similarity

    def submit(text):
        with transaction.atomic():
            post = post_submit(campaign=campaign, trader=who, url="https://x.com/new", text=text, published_at=now)
            transaction.set_rollback(True)
        return post.duplicate_of_id, post.similarity

    rows = []
    for label, text in {
        "near duplicate": near_copy(rng, texts[size // 2], edits=1),
        "original": post_text(rng),
    }.items():
        t_rebuild, r_rebuild = median_time(partial(rebuild, text), max(1, min(repeat, 3)))
        t_stored, r_stored = median_time(partial(stored, text), repeat)
        with CaptureQueriesContext(connection) as queries:
            t_submit, r_submit = median_time(partial(submit, text), repeat)
        if not r_rebuild == r_stored == r_submit:
            sys.exit(f"different answers for {label}: rebuild {r_rebuild}, stored {r_stored}, submit {r_submit}")
        rows.append((size, label, t_rebuild, t_stored, t_submit, len(queries) // repeat, r_stored))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rows = [row for size in args.sizes for row in measure(size, args.repeat)]
    print(f"\n{connection.vendor}; median of {args.repeat} (rebuild: of up to 3)")
    print(
        "| earlier posts | new text | rebuild (before) | stored signatures | speed-up | post_submit, stored "
        "| queries/submit |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size, label, t_rebuild, t_stored, t_submit, per_submit, result in rows:
        print(
            f"| {size:,} | {label} ({'found' if result[0] else 'none'}) | {t_rebuild * 1000:,.0f} ms "
            f"| {t_stored * 1000:,.1f} ms | {t_rebuild / t_stored:,.0f}x | {t_submit * 1000:,.1f} ms | {per_submit} |"
        )


if __name__ == "__main__":
    main()
