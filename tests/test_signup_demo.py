"""seed_enrolments: every state in phase 2 (approved for most), a few in phase 3, deterministic and idempotent."""

from datetime import datetime

import pytest

from campaigns.models import Enrollment
from demo.campaigns import seed_campaigns, seed_enrolments
from tests.factories import LeadTraderFactory
from tests.signup_support import SHANGHAI
from traders.models import LeadTrader

pytestmark = pytest.mark.django_db


def _traders(n: int) -> list[LeadTrader]:
    return [LeadTraderFactory(display_name=f"Sim {i}", exchange_uid=f"SIM{i:04d}", is_simulated=True) for i in range(n)]


def _snapshot():
    return list(
        Enrollment.objects.order_by("campaign__slug", "trader__exchange_uid").values_list(
            "campaign__slug", "trader__exchange_uid", "status", "submitted_at", "decided_at", "answers", "reason"
        )
    )


def test_seed_enrolments_every_state_deterministic_idempotent():
    now = datetime(2026, 11, 26, 21, 0, tzinfo=SHANGHAI)
    campaigns = seed_campaigns(now=now)
    traders = _traders(60)
    summary = seed_enrolments(campaigns=campaigns, traders=traders, now=now)
    first = _snapshot()
    assert seed_enrolments(campaigns=campaigns, traders=traders, now=now.replace(hour=23)) == summary
    assert _snapshot() == first  # same day, same rows
    phase2, phase3 = campaigns
    states = [s for slug, _, s, *_ in first if slug == phase2.slug]
    assert len(states) == 60 and set(states) == {"approved", "pending", "rejected", "withdrawn"}
    assert states.count("approved") > len(states) / 2
    assert 0 < sum(slug == phase3.slug for slug, *_ in first) <= 12
    for enrollment in Enrollment.objects.select_related("campaign"):
        c = enrollment.campaign
        assert c.registration_opens_at <= enrollment.submitted_at < c.registration_closes_at
        assert enrollment.submitted_at <= now
        assert (enrollment.decided_at is None) == (enrollment.status == "pending")
        assert enrollment.status == "pending" or enrollment.reason
