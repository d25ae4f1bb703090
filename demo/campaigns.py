"""Demo seeding for campaigns (called by seed_demo). Deterministic and idempotent.

Phase 2 is the campaign DESIGN.md describes (its window is in the past, its periods finished); phase 3 is the
next phase with registration open around today, so a visitor can try the forms.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from campaigns.models import Campaign, Enrollment, Post, RewardPool
from campaigns.services.posts import posts_import, posts_moderate
from core.services.audit import SYSTEM
from demo.simulation import showcase_uids
from rewards.models import PayoutBatch
from rewards.services.payouts import payout_batch_approve, payout_batch_mark_paid, reward_periods_close

SHANGHAI = ZoneInfo("Asia/Shanghai")

QUESTIONNAIRE = [
    {
        "key": "experience_years",
        "type": "integer",
        "required": True,
        "min": 0,
        "max": 60,
        "label": {"en": "Years of futures trading experience", "zh-hans": "合约交易经验（年）"},
    },
    {
        "key": "style",
        "type": "choice",
        "required": True,
        "choices": [
            {"value": "trend", "label": {"en": "Trend following", "zh-hans": "趋势跟随"}},
            {"value": "swing", "label": {"en": "Swing trading", "zh-hans": "波段交易"}},
            {"value": "scalp", "label": {"en": "Scalping", "zh-hans": "短线剥头皮"}},
            {"value": "arbitrage", "label": {"en": "Arbitrage / quant", "zh-hans": "套利 / 量化"}},
        ],
        "label": {"en": "Main trading style", "zh-hans": "主要交易风格"},
    },
    {
        "key": "markets",
        "type": "multichoice",
        "required": False,
        "choices": [
            {"value": "btc", "label": {"en": "BTC", "zh-hans": "BTC"}},
            {"value": "eth", "label": {"en": "ETH", "zh-hans": "ETH"}},
            {"value": "alts", "label": {"en": "Altcoins", "zh-hans": "山寨币"}},
        ],
        "label": {"en": "Markets you trade", "zh-hans": "交易的市场"},
    },
    {
        "key": "posting_plan",
        "type": "text",
        "required": True,
        "max_length": 500,
        "label": {"en": "What will you post about on Square?", "zh-hans": "你计划在广场发布哪些内容？"},
    },
]

CONTENT_RULES = {
    "min_words": 50,
    "min_cjk_chars": 80,
    "similarity_threshold": 0.8,
    "trading_keywords": [
        "btc",
        "eth",
        "long",
        "short",
        "leverage",
        "entry",
        "stop",
        "take profit",
        "position",
        "做多",
        "做空",
        "杠杆",
        "止损",
        "止盈",
        "仓位",
        "开仓",
        "平仓",
        "合约",
    ],
}


def _at(year, month, day, hour=0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def _pools(campaign: Campaign) -> None:
    specs = [
        dict(
            kind=RewardPool.Kind.FIRST_POST,
            name="First-post bonus",
            amount=Decimal("30"),
            reward_form=RewardPool.RewardForm.TRIAL_FUND,
            cadence=RewardPool.Cadence.BIWEEKLY,
            split_rule=RewardPool.SplitRule.FIXED,
            rules={"once_per_trader": True},
        ),
        dict(
            kind=RewardPool.Kind.CONTENT,
            name="Bi-weekly content incentive",
            amount=Decimal("500"),
            reward_form=RewardPool.RewardForm.CASH,
            cadence=RewardPool.Cadence.BIWEEKLY,
            split_rule=RewardPool.SplitRule.PROPORTIONAL,
            rules={
                "min_quality_posts": 3,
                "min_distinct_days": 2,
                "weights": {"exposure": 0.3, "engagement": 0.3, "copy_volume": 0.4},
            },
        ),
        dict(
            kind=RewardPool.Kind.LEADERBOARD,
            name="Monthly leaderboard reward",
            amount=Decimal("20000"),
            reward_form=RewardPool.RewardForm.CASH,
            cadence=RewardPool.Cadence.MONTHLY,
            winners=10,
            split_rule=RewardPool.SplitRule.TIERS,
            rules={"tiers": ["5000", "3500", "2500", "2000", "1500", "1500", "1000", "1000", "1000", "1000"]},
        ),
        dict(
            kind=RewardPool.Kind.SPOTLIGHT,
            name="Weekly star trader",
            amount=Decimal("0"),
            reward_form=RewardPool.RewardForm.EXPOSURE,
            cadence=RewardPool.Cadence.WEEKLY,
            winners=1,
            split_rule=RewardPool.SplitRule.NONE,
            rules={},
        ),
    ]
    for spec in specs:
        RewardPool.objects.update_or_create(campaign=campaign, kind=spec.pop("kind"), defaults=spec)


def seed_campaigns(*, now: datetime | None = None) -> list[Campaign]:
    now = now or timezone.now()
    phase2, _ = Campaign.objects.update_or_create(
        slug="star-lead-traders-phase-2",
        defaults=dict(
            name="Star Lead Trader Recruitment · Phase 2",
            name_zh="明星带单员招募 · 第二期",
            description=(
                "Register as a futures copy-trading lead trader, enrol, and keep publishing original "
                "trading posts on Square. First quality post: 30 USDT trial fund. Every two weeks: a 500 "
                "USDT content pool. Every month: the top 10 share 20,000 USDT."
            ),
            description_zh=(
                "注册成为合约跟单带单员，报名参加活动，并持续在广场发布原创交易内容。首篇优质帖子：30 USDT "
                "跟单体验金；每两周：500 USDT 内容奖池；每月：排行榜前 10 名瓜分 20,000 USDT。"
            ),
            time_zone="Asia/Shanghai",
            registration_opens_at=_at(2026, 2, 12, 18),
            registration_closes_at=_at(2026, 2, 25),
            starts_at=_at(2026, 2, 12, 18),
            ends_at=_at(2026, 5, 1),
            questionnaire=QUESTIONNAIRE,
            content_rules=CONTENT_RULES,
        ),
    )
    # The next phase: registration open around today, so a new user can try the forms.
    today = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    opens = today - timedelta(days=7)
    phase3, _ = Campaign.objects.update_or_create(
        slug="star-lead-traders-phase-3",
        defaults=dict(
            name="Star Lead Trader Recruitment · Phase 3",
            name_zh="明星带单员招募 · 第三期",
            description=phase2.description,
            description_zh=phase2.description_zh,
            time_zone="Asia/Shanghai",
            registration_opens_at=opens,
            registration_closes_at=opens + timedelta(days=28),
            starts_at=opens,
            ends_at=opens + timedelta(days=98),
            questionnaire=QUESTIONNAIRE,
            content_rules=CONTENT_RULES,
        ),
    )
    for campaign in (phase2, phase3):
        _pools(campaign)
    return [phase2, phase3]


# ---- enrolments (seed_enrolments) ----------------------------------------------------------------------------------

ENROLMENT_SEED = 20260224
# Phase 2: approved for most, and every other state present so the admin and "My campaign" show them all.
PHASE2_STATE_WEIGHTS = {"approved": 0.86, "pending": 0.05, "rejected": 0.05, "withdrawn": 0.04}
PHASE3_ENROLMENTS = {"approved": 6, "pending": 5, "rejected": 1}
DEMO_REASONS = {
    "approved": "Profile and UID verified (simulated).",
    "rejected": "The profile link does not match the exchange UID (simulated).",
    "withdrawn": "Withdrawn by the trader (simulated).",
    "pending": "",
}


def _demo_answers(rng) -> dict:
    return {
        "experience_years": rng.randint(1, 12),
        "style": rng.choice(["trend", "swing", "scalp", "arbitrage"]),
        "markets": sorted(rng.sample(["btc", "eth", "alts"], rng.randint(1, 3))),
        "posting_plan": "Simulated demo answer: daily futures setups with entry, stop and take profit.",
    }


def seed_enrolments(*, campaigns: list[Campaign], traders: list, now: datetime | None = None) -> str:
    """Enrol the simulated traders: phase 2 in every state (approved for most), a few in the open phase 3.

    Deterministic (seeded RNG over traders sorted by UID) and idempotent (one row per campaign and trader,
    updated in place). Written directly, without emails or audit events: the demo has no real people to notify.
    """
    now = now or timezone.now()
    by_slug = {c.slug: c for c in campaigns}
    phase2, phase3 = by_slug["star-lead-traders-phase-2"], by_slug["star-lead-traders-phase-3"]
    simulated = sorted((t for t in traders if t.is_simulated), key=lambda t: t.exchange_uid)
    rng = random.Random(ENROLMENT_SEED)
    states = list(PHASE2_STATE_WEIGHTS)
    plan = [(phase2, t, rng.choices(states, weights=list(PHASE2_STATE_WEIGHTS.values()))[0]) for t in simulated]
    # Make sure every state appears at least once whatever the population size.
    for index, state in enumerate(["pending", "rejected", "withdrawn"]):
        if len(plan) > index and not any(s == state for _, _, s in plan):
            plan[-1 - index] = (phase2, plan[-1 - index][1], state)
    phase3_states = [s for s, n in PHASE3_ENROLMENTS.items() for _ in range(n)]
    plan += [(phase3, trader, state) for trader, state in zip(simulated[::20], phase3_states, strict=False)]
    # The anti-gaming showcase (one trader per flag, and the trader the copycat mirrors) is approved in both
    # phases, so every flag shows on both public boards.
    showcase = set(showcase_uids(count=len(simulated)))
    plan = [(c, t, "approved" if t.exchange_uid in showcase else s) for c, t, s in plan]
    in_phase3 = {t.exchange_uid for c, t, _ in plan if c == phase3}
    plan += [(phase3, t, "approved") for t in simulated if t.exchange_uid in showcase - in_phase3]

    counts: dict[str, int] = {}
    for campaign, trader, state in plan:
        # Submitted before the window closed and before today (midnight in the campaign's zone), so a second
        # run the same day writes the same instants.
        cutoff = min(
            campaign.registration_closes_at,
            now.astimezone(campaign.zone).replace(hour=0, minute=0, second=0, microsecond=0),
        )
        span = max(cutoff - campaign.registration_opens_at, timedelta(0))
        submitted = campaign.registration_opens_at + span * rng.random()
        decided = None if state == "pending" else min(submitted + timedelta(hours=rng.randint(2, 72)), cutoff)
        Enrollment.objects.update_or_create(
            campaign=campaign,
            trader=trader,
            defaults={
                "status": state,
                "answers": _demo_answers(rng),
                "reason": DEMO_REASONS[state],
                "submitted_at": submitted,
                "decided_at": decided,
                "decided_by": None,
            },
        )
        counts[f"{campaign.slug[-7:]} {state}"] = counts.get(f"{campaign.slug[-7:]} {state}", 0) + 1
    detail = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
    return f"{len(plan)} enrolments ({detail})"


# ---- posts and payouts (seed_posts_and_payouts) --------------------------------------------------------------------

POSTS_SEED = 20260226
POSTERS = 48
PAYOUT_DESK_USER = "payout-desk-demo"  # approves the demo's batches
PAYOUT_TREASURY_USER = "payout-treasury-demo"  # marks them paid: never the one who approved (four eyes)

# Posts are built from a few of these sentences in random order, so two posts rarely share most of their text.
EN_SENTENCES = [
    "{sym} has been ranging between {lo} and {hi} for days.",
    "I opened a {side} at {entry} with {lev}x leverage, stop at {stop}.",
    "Take profit in two steps at {tp1} and {tp2}.",
    "Funding is {funding} and open interest is {oi}, so the position stays at {size}% of the account.",
    "Trade review: my {side} on {sym} from {entry} closed at {tp1}; patience paid, scaling out earlier is next.",
    "The plan was simple: wait for the retest, enter with {lev}x, put the stop below {stop} and never move it.",
    "Above {hi} I look for a {side} continuation; below {lo} I stay flat and wait.",
    "Risk per trade is one percent and there are no revenge trades after a stop.",
    "Copy traders: every entry comes with the stop already set, so the risk is known before the position opens.",
    "{sym} volatility is {vol}, so I cut leverage to {lev}x and size to {size}% of equity.",
    "If funding stays {funding} I hold the {side} into the weekend, otherwise I take half at {tp1}.",
    "After the first target I trail the stop to break-even and let the rest run toward {tp2}.",
]
ZH_SENTENCES = [
    "{sym}最近几天在{lo}到{hi}之间震荡。",
    "我在{entry}附近开了{side_zh}，杠杆{lev}倍，止损设在{stop}。",
    "止盈分两步，先看{tp1}，再看{tp2}。",
    "资金费率{funding_zh}，持仓量{oi_zh}，所以仓位只用账户的百分之{size}。",
    "交易复盘：{sym}的{side_zh}从{entry}进场，在{tp1}平仓，耐心等待是这笔交易做对的地方。",
    "计划很简单：等回踩确认再进场，止损放在{stop}下方并且不移动。",
    "站稳{hi}之上寻找{side_zh}机会，跌破{lo}则空仓观望。",
    "单笔风险不超过百分之一，止损之后绝不报复性开仓。",
    "跟单的朋友注意：我的每一笔开仓都带着止损，风险在开仓前就已经确定。",
    "{sym}近期波动{vol_zh}，所以我把杠杆降到{lev}倍，仓位降到权益的百分之{size}。",
    "如果资金费率继续{funding_zh}，{side_zh}会拿过周末，否则在{tp1}先止盈一半。",
    "到达第一目标后把止损移到成本价，剩下的仓位看向{tp2}。",
]
OFF_TOPIC = [
    "Good morning everyone, coffee first and then the charts. Have a great week and stay kind to each other!",
    "大家早上好，今天天气很好，祝大家周末愉快，记得多喝水多休息，我们下周再见。",
]
SYMBOLS = {"BTC": 68000, "ETH": 3400, "SOL": 150, "BNB": 600, "XRP": 0.6}


def _post_text(rng: random.Random, language: str) -> str:
    sym = rng.choice(list(SYMBOLS))
    base = SYMBOLS[sym] * rng.uniform(0.85, 1.15)
    side = rng.choice(["long", "short"])
    sign = 1 if side == "long" else -1

    def price(offset: float) -> str:
        value = base * (1 + offset)
        return f"{value:,.0f}" if value > 100 else f"{value:.3f}"

    values = dict(
        sym=sym,
        lo=price(-0.04),
        hi=price(0.04),
        entry=price(0),
        stop=price(-0.025 * sign),
        tp1=price(0.03 * sign),
        tp2=price(0.06 * sign),
        lev=rng.choice([2, 3, 5, 8, 10]),
        size=rng.choice([5, 8, 10, 15, 20]),
        side=side,
        side_zh="多单" if side == "long" else "空单",
        funding=rng.choice(["flat", "slightly positive", "negative"]),
        funding_zh=rng.choice(["持平", "小幅为正", "为负"]),
        oi=rng.choice(["rising slowly", "falling", "flat"]),
        oi_zh=rng.choice(["缓慢上升", "下降", "持平"]),
        vol=rng.choice(["high", "elevated", "unusually low"]),
        vol_zh=rng.choice(["很大", "偏高", "异常低"]),
    )
    sentences = ZH_SENTENCES if language == "zh-hans" else EN_SENTENCES
    # Five sentences clear the minimum length (80 CJK characters / 50 words) in both languages.
    return ("" if language == "zh-hans" else " ").join(s.format(**values) for s in rng.sample(sentences, 5))


def _demo_posts(rng: random.Random, campaign: Campaign, traders: list, *, now: datetime) -> list[dict]:
    """Deterministic rows for posts_import: mostly original posts, a few copies, short and off-topic ones."""
    rows, written = [], []
    start, end = campaign.starts_at, min(campaign.ends_at, now)
    span = (end - start).total_seconds()
    for trader in traders:
        for n in range(rng.randint(4, 30)):
            at = start + timedelta(seconds=rng.uniform(0, span))
            roll = rng.random()
            if roll < 0.04 and written:
                source = rng.choice(written)  # a copy of someone else's post with a number changed
                text = source.replace("1", "2", 1)
            elif roll < 0.08:
                text = rng.choice(OFF_TOPIC)
            elif roll < 0.11:
                text = "BTC 做多，止损 6.6 万。" if trader.preferred_language == "zh-hans" else "BTC long, stop 66k."
            else:
                text = _post_text(rng, trader.preferred_language)
                written.append(text)
            views = int(rng.lognormvariate(7, 1))
            rows.append(
                {
                    "campaign": campaign,
                    "trader": trader,
                    "url": f"https://www.gate.com/post/demo-{campaign.slug[-7:]}-{trader.exchange_uid.lower()}-{n}",
                    "text": text,
                    "published_at": at,
                    "engagement": {
                        "views": views,
                        "likes": int(views * rng.uniform(0.005, 0.08)),
                        "comments": int(views * rng.uniform(0, 0.01)),
                        "shares": int(views * rng.uniform(0, 0.004)),
                        "followers_gained": int(views * rng.uniform(0, 0.003)),
                        "copy_volume": Decimal(0)
                        if rng.random() < 0.3
                        else Decimal(str(round(rng.lognormvariate(8, 1.2), 2))),
                    },
                    "line": len(rows) + 2,
                }
            )
    return rows


def _demo_moderate(rng: random.Random, campaign: Campaign, *, now: datetime) -> int:
    """Decide every post still awaiting review, as a moderator would have a few hours after publication."""
    decided = 0
    for post in Post.objects.filter(campaign=campaign, status=Post.Status.SUBMITTED).order_by("published_at", "id"):
        at = min(post.published_at + timedelta(hours=rng.uniform(1, 20)), now)
        if post.duplicate_of_id:
            reason = f"Copies an earlier post (#{post.duplicate_of_id}, similarity {post.similarity:.0%})."
            posts_moderate(post_ids=[post.pk], action="reject", actor=None, reason=reason, now=at)
        elif not post.checks.get("long_enough", True):
            posts_moderate(post_ids=[post.pk], action="reject", actor=None, reason="Shorter than the minimum.", now=at)
        elif not post.is_trading_related:
            posts_moderate(post_ids=[post.pk], action="reject", actor=None, reason="Not trading related.", now=at)
        else:
            posts_moderate(post_ids=[post.pk], action="quality", actor=None, now=at)
            roll = rng.random()
            if roll < 0.12:
                posts_moderate(post_ids=[post.pk], action="feature", actor=None, now=at)
            if roll < 0.04:
                posts_moderate(post_ids=[post.pk], action="home_page", actor=None, now=at)
        decided += 1
    return decided


def seed_posts_and_payouts(*, now: datetime | None = None) -> str:
    from django.db import transaction

    with transaction.atomic():  # one commit instead of one per post on SQLite
        return _seed_posts_and_payouts(now=now)


def _seed_posts_and_payouts(*, now: datetime | None = None) -> str:
    """Simulated posts (English and Chinese, with engagement) for phase 2, all moderated; a few phase-3 posts
    awaiting review; then every ended period closed with its draft batch, and phase 2's batches approved (and the
    older ones paid) except the last period of each pool, which stays a draft for the operator to try.

    Leaderboard periods are calculated only from published period runs (seed_rankings); without them they are
    reported as waiting. Idempotent: posts are keyed by link, decisions and transitions only apply once.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    now = now or timezone.now()
    rng = random.Random(POSTS_SEED)
    phase2 = Campaign.objects.get(slug="star-lead-traders-phase-2")
    approved = [
        e.trader
        for e in Enrollment.objects.filter(campaign=phase2, status=Enrollment.Status.APPROVED)
        .select_related("trader")
        .order_by("trader__exchange_uid")
    ]
    posters = rng.sample(approved, min(POSTERS, len(approved))) if approved else []
    posters.sort(key=lambda t: t.exchange_uid)
    rows = _demo_posts(rng, phase2, posters, now=now)
    phase3 = Campaign.objects.filter(slug="star-lead-traders-phase-3").first()
    if phase3 is not None:
        open_traders = [
            e.trader
            for e in Enrollment.objects.filter(campaign=phase3, status__in=["approved", "pending"])
            .select_related("trader")
            .order_by("trader__exchange_uid")
        ]
        for trader in open_traders[:6]:
            rows.append(
                {
                    "campaign": phase3,
                    "trader": trader,
                    "url": f"https://www.gate.com/post/demo-phase-3-{trader.exchange_uid.lower()}-0",
                    "text": _post_text(rng, trader.preferred_language),
                    "published_at": now - timedelta(hours=rng.uniform(2, 72)),
                    "engagement": {"views": rng.randint(50, 5000), "likes": rng.randint(0, 200)},
                    "line": len(rows) + 2,
                }
            )
    result = posts_import(rows=rows)
    decided = _demo_moderate(rng, phase2, now=now)

    summary = reward_periods_close(actor=SYSTEM, now=now)  # as beat does

    def demo_operator(username: str, codename: str):
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
        if user.has_usable_password():
            user.set_unusable_password()
            user.save()
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="rewards", codename=codename))
        return get_user_model().objects.get(pk=user.pk)  # fresh permission cache

    desk = demo_operator(PAYOUT_DESK_USER, "approve_payoutbatch")
    treasury = demo_operator(PAYOUT_TREASURY_USER, "pay_payoutbatch")
    approved_n = paid_n = 0
    batches = PayoutBatch.objects.filter(period__pool__campaign=phase2).select_related("period__pool")
    last_index = {}
    for batch in batches:
        kind = batch.period.pool.kind
        last_index[kind] = max(last_index.get(kind, 0), batch.period.index)
    for batch in batches.order_by("period__ends_at", "id"):
        last = last_index[batch.period.pool.kind]
        if batch.period.index == last:
            continue  # the newest period of each pool stays a draft
        if batch.status == PayoutBatch.Status.DRAFT:
            payout_batch_approve(batch_id=batch.pk, actor=desk)
            approved_n += 1
            batch.refresh_from_db()
        if batch.status == PayoutBatch.Status.APPROVED and batch.period.index < last - 1 and batch.total > 0:
            payout_batch_mark_paid(
                batch_id=batch.pk,
                actor=treasury,
                reference=f"DEMO-{batch.period.pool.kind.upper()}-{batch.period.index}",
            )
            paid_n += 1
    quality = Post.objects.filter(campaign=phase2, status=Post.Status.QUALITY).count()
    waiting = f", {len(summary.waiting)} leaderboard periods waiting for a ranking run" if summary.waiting else ""
    return (
        f"{result.created} posts ({quality} quality in phase 2, {decided} moderated now), "
        f"{len(summary.calculated)} draft batches calculated, {approved_n} approved, {paid_n} paid{waiting}"
    )
