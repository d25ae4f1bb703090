"""Hypothesis-generated form data against the real sign-up and enrolment views: zero 5xx, zero partial rows.

Examples are bounded (max_examples) so this file runs in well under a minute.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.models import Enrollment
from tests.signup_support import SHANGHAI, VALID_ANSWERS, fast_signup, make_campaign, valid_registration  # noqa: F401
from traders.models import ExchangeAccount, LeadTrader

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]

FIELDS = list(valid_registration())
HYPOTHESIS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

control = st.text(alphabet=st.characters(categories=["Cc"]), min_size=1, max_size=8)
EMOJI = ["🚀", "👨‍👩‍👧", "🇨🇳", "💹", "🐳", "\u200d", "\ufe0f"]
emoji = st.lists(st.sampled_from(EMOJI), min_size=1, max_size=12).map("".join)
mixed = st.text(alphabet=st.sampled_from(list("aZ9_-.@ 中文交易員ЖЯ한국어عربي\u202e\u00a0ß\u2adc")), max_size=80)
very_long = st.builds(lambda ch, n: ch * n, st.characters(exclude_categories=["Cs"]), st.integers(200, 6000))
hostile = st.one_of(
    st.just(""),
    st.text(max_size=80),
    control,
    emoji,
    mixed,
    very_long,
    st.sampled_from(["0", "-1", "1e400", "9" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "null", "\\x00"]),
)
field_value = st.one_of(hostile, st.lists(hostile, min_size=2, max_size=3))  # repeated keys too


@st.composite
def registration_data(draw):
    uid = draw(st.integers(10_000, 10**12))
    base = valid_registration(
        exchange_uid=str(uid), email=f"t{uid}@example.com", website="", display_name=draw(mixed) or "Trader"
    )
    mode = draw(st.sampled_from(["valid", "corrupt", "random"]))
    if mode == "valid":
        return base
    if mode == "corrupt":
        for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
            base[name] = draw(field_value)
        return base
    data = draw(st.fixed_dictionaries({}, optional={name: field_value for name in FIELDS}))
    return data


def _rows():
    return (
        get_user_model().objects.count(),
        LeadTrader.objects.count(),
        ExchangeAccount.objects.count(),
    )


def test_generated_registrations_never_error_and_never_half_save(settings):
    settings.SIGNUP_RATE_LIMIT = (10**6, 3600)
    outcomes = {"created": 0, "refused": 0}

    @HYPOTHESIS
    @given(data=registration_data())
    def check(data):
        before = _rows()
        response = Client().post("/register/", data)
        assert response.status_code < 500, data
        after = _rows()
        if response.status_code == 302:
            outcomes["created"] += 1
            assert after[0] == before[0] + 1 and after[1] == before[1] + 1, data
            assert after[2] - before[2] in (0, 1)
        else:
            outcomes["refused"] += 1
            assert response.status_code in (200, 400)  # 400: a control character, refused before the form
            assert after == before, data
        # Never a login account without its trader, or an API account without its trader.
        assert not get_user_model().objects.filter(lead_trader__isnull=True).exists()

    check()
    assert outcomes["created"] > 0 and outcomes["refused"] > 0, outcomes


answer_value = st.one_of(field_value, st.sampled_from(["trend", "swing", "btc", "eth", "5", "60", "61"]))


@st.composite
def enrolment_answers(draw):
    base = dict(VALID_ANSWERS)
    mode = draw(st.sampled_from(["valid", "corrupt", "random"]))
    if mode == "corrupt":
        for name in draw(st.lists(st.sampled_from(list(base)), min_size=1, max_size=2, unique=True)):
            base[name] = draw(answer_value)
    elif mode == "random":
        base = draw(st.fixed_dictionaries({}, optional={name: answer_value for name in base}))
    return base


def test_generated_enrolments_never_error_and_never_half_save(settings):
    settings.ENROL_RATE_LIMIT = (10**6, 3600)
    today = timezone.now().astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    campaign = make_campaign(slug="open", opens=today - timedelta(days=1), closes=today + timedelta(days=20))
    client = Client()
    assert client.post("/register/", valid_registration()).status_code == 302
    trader = LeadTrader.objects.get()
    seen = {"created": 0, "refused": 0}

    @HYPOTHESIS
    @given(answers=enrolment_answers())
    def check(answers):
        Enrollment.objects.filter(trader=trader).delete()
        response = client.post(f"/campaigns/{campaign.slug}/enrol/", answers)
        assert response.status_code < 500, answers
        created = Enrollment.objects.filter(trader=trader).count()
        if response.status_code == 302:
            seen["created"] += 1
            assert created == 1
        else:
            seen["refused"] += 1
            assert created == 0, answers

    check()
    assert seen["created"] > 0 and seen["refused"] > 0, seen
