"""Shared data and fixtures for the sign-up / enrolment tests (tests/test_signup_*.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from campaigns.models import Campaign
from demo.campaigns import QUESTIONNAIRE
from tests.cache_support import cache_clear
from traders.models import LeadTrader
from traders.services.registration import trader_register

SHANGHAI = ZoneInfo("Asia/Shanghai")


def valid_registration(**overrides) -> dict:
    data = {
        "display_name": "Star Trader 星",
        "exchange": "gate",
        "exchange_uid": "12345678",
        "profile_url": "https://www.gate.com/copytrading/lead-trader/12345678",
        "email": "Star.Trader@Example.com",
        "telegram": "@star_trader",
        "preferred_language": "en",
        "bio": "Trend follower on BTC and ETH.\nRisk first.",
        "password1": "a-Long-unusual-pass-42",
        "password2": "a-Long-unusual-pass-42",
        "api_key": "",
        "api_secret": "",
        "api_password": "",
        "accept_terms": "on",
        "website": "",
    }
    data.update(overrides)
    return data


VALID_ANSWERS = {
    "experience_years": "5",
    "style": "trend",
    "markets": ["btc", "eth"],
    "posting_plan": "Daily BTC futures setups with entry, stop and take profit.",
}


def make_campaign(*, slug="phase-2", opens=None, closes=None, questionnaire=None) -> Campaign:
    opens = opens or datetime(2026, 2, 12, 18, tzinfo=SHANGHAI)
    closes = closes or datetime(2026, 2, 25, tzinfo=SHANGHAI)
    return Campaign.objects.create(
        slug=slug,
        name=f"Campaign {slug}",
        name_zh=f"活动 {slug}",
        time_zone="Asia/Shanghai",
        registration_opens_at=opens,
        registration_closes_at=closes,
        starts_at=opens,
        ends_at=datetime(2026, 5, 1, tzinfo=SHANGHAI) if closes < datetime(2026, 5, 1, tzinfo=SHANGHAI) else closes,
        questionnaire=QUESTIONNAIRE if questionnaire is None else questionnaire,
    )


def register_trader(n: int = 1, *, uid_prefix: str = "1000", **overrides) -> LeadTrader:
    """Trader number n registered through the service: UID `uid_prefix` + n (4 digits); `overrides` replace fields."""
    kwargs = dict(
        display_name=f"Trader {n}",
        exchange="gate",
        exchange_uid=f"{uid_prefix}{n:04d}",
        email=f"trader{n}@example.com",
        password="a-Long-unusual-pass-42",
        terms_accepted=True,
    )
    return trader_register(**{**kwargs, **overrides})


@pytest.fixture
def fast_signup(settings):
    """Cheap password hashing and an empty rate-limit cache, so tests measure our code, not PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache_clear()
    yield settings
    cache_clear()
