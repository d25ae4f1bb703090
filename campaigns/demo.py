"""Demo seeding for campaigns (called by seed_demo). Deterministic and idempotent.

Phase 2 is the campaign DESIGN.md describes (its window is in the past, its periods finished); phase 3 is the
next phase with registration open around today, so a visitor can try the forms.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from campaigns.models import Campaign, RewardPool

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
