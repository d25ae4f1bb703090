"""Field rules of the registration form and the questionnaire (form and definition)."""

import copy
import json
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory
from django.utils import translation

from campaigns.forms import CampaignAdminForm, QuestionnaireForm, questionnaire_errors
from demo.campaigns import QUESTIONNAIRE
from tests.signup_support import VALID_ANSWERS, fast_signup, make_campaign, valid_registration  # noqa: F401
from traders.forms import DEFAULT_EXCHANGE, EmailAuthenticationForm, TraderRegistrationForm
from traders.services.registration import trader_register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]


def errors_for(**overrides) -> dict:
    form = TraderRegistrationForm(valid_registration(**overrides))
    form.is_valid()
    return form.errors


def test_valid_registration_cleans_and_normalises():
    form = TraderRegistrationForm(valid_registration(display_name="  Star Trader 星  ", telegram="star_trader"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "star.trader@example.com"
    assert form.cleaned_data["display_name"] == "Star Trader 星"
    assert form.cleaned_data["telegram"] == "@star_trader"
    assert TraderRegistrationForm().fields["exchange"].initial == DEFAULT_EXCHANGE == "gate"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x",
        "y" * 65,
        "A" + "\u2adc" * 40,
        "🚀🚀🚀",
        "bad\x00name",
        "tab\tname",
        "line\nbreak",
        "spoof\u202eeman",
        "   ",
    ],
)
def test_display_name_rules(value):
    assert "display_name" in errors_for(display_name=value)


@pytest.mark.parametrize("value", ["Star 🚀", "明星带单员", "Звезда", "A1"])
def test_display_name_accepts_any_script_and_emoji_with_a_letter(value):
    assert "display_name" not in errors_for(display_name=value)


def test_exchange_must_be_a_ccxt_exchange():
    assert "exchange" in errors_for(exchange="not-an-exchange")
    assert "exchange" not in errors_for(exchange="kraken", exchange_uid="abc_123")


@pytest.mark.parametrize(
    ("exchange", "uid", "ok"),
    [
        ("gate", "12345678", True),
        ("gate", "abc123", False),  # Gate UIDs are numbers
        ("gate", "123", False),
        ("gate", "1" * 21, False),
        ("kraken", "trader.one-2_x", True),
        ("kraken", "ab", False),
        ("kraken", "has space", False),
        ("kraken", "x" * 65, False),
        ("kraken", "-leading", False),
    ],
)
def test_exchange_uid_rules(exchange, uid, ok):
    assert ("exchange_uid" not in errors_for(exchange=exchange, exchange_uid=uid)) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://www.gate.com/copytrading/lead-trader/1", True),
        ("www.gate.com/copytrading/1", True),  # https assumed
        ("", False),
        ("javascript:alert(1)", False),
        ("ftp://example.com/profile", False),
        ("https://" + "a" * 500 + ".com", False),
    ],
)
def test_profile_url_rules(value, ok):
    assert ("profile_url" not in errors_for(profile_url=value)) is ok


@pytest.mark.parametrize("value", ["", "not-an-email", "a@b", "x" * 140 + "@example.com"])
def test_email_rules(value):
    assert "email" in errors_for(email=value)


@pytest.mark.parametrize(("value", "ok"), [("", True), ("@star_trader", True), ("@ab", False), ("has space", False)])
def test_telegram_rules(value, ok):
    assert ("telegram" not in errors_for(telegram=value)) is ok


def test_preferred_language_must_be_offered():
    assert "preferred_language" in errors_for(preferred_language="fr")
    assert "preferred_language" not in errors_for(preferred_language="zh-hans")


def test_bio_rules():
    assert "bio" not in errors_for(bio="")
    assert "bio" not in errors_for(bio="Line one\r\nLine two\twith tab 🚀")
    assert "bio" in errors_for(bio="x" * 1001)
    assert "bio" in errors_for(bio="bell\x07")


def test_password_rules():
    assert "password2" in errors_for(password2="something-else-42")
    assert "password1" in errors_for(password1="password", password2="password")  # common and short
    assert "password1" in errors_for(password1="12345678901", password2="12345678901")  # numeric
    assert "password1" in errors_for(password1="star.trader", password2="star.trader")  # like the email


def test_api_credentials_rules():
    assert "api_secret" in errors_for(api_key="AKIAREADONLY1234")
    assert "api_key" in errors_for(api_secret="secretsecretsecret")
    assert "api_key" in errors_for(api_key="has space inside", api_secret="secretsecretsecret")
    assert "api_key" in errors_for(api_key="short", api_secret="secretsecretsecret")
    assert "api_password" in errors_for(api_password="passphrase")
    assert not errors_for(api_key="AKIAREADONLY1234", api_secret="secretsecretsecret", api_password="pass phrase")


def test_terms_must_be_accepted_with_a_clear_message():
    errors = errors_for(accept_terms="")
    assert errors["accept_terms"] == ["You must accept the campaign terms."]
    with translation.override("zh-hans"):
        form = TraderRegistrationForm(valid_registration(accept_terms=""))
        form.is_valid()
        assert form.errors["accept_terms"] == ["您必须接受活动条款。"]


def test_honeypot_refuses_the_submission():
    form = TraderRegistrationForm(valid_registration(website="http://spam.example"))
    assert not form.is_valid()
    assert form.is_bot


def test_duplicates_are_refused_case_insensitively():
    trader_register(**_service_kwargs())
    errors = errors_for(email="STAR.TRADER@example.com", exchange_uid="99999999")
    assert errors["email"] == ["This email address is already registered. Sign in instead."]
    errors = errors_for(email="other@example.com", exchange_uid="12345678")
    assert errors["exchange_uid"] == ["This exchange UID is already registered."]


def _service_kwargs() -> dict:
    form = TraderRegistrationForm(valid_registration())
    assert form.is_valid(), form.errors
    return form.service_kwargs()


def test_login_form_accepts_the_email_in_any_case(client):
    trader_register(**_service_kwargs())
    data = {"username": " STAR.Trader@example.com ", "password": "a-Long-unusual-pass-42"}
    # As the sign-in view does: every password check runs with its request (django-axes counts failures by it).
    form = EmailAuthenticationForm(request=RequestFactory().post("/accounts/login/", data), data=data)
    assert form.is_valid(), form.errors


# ---- questionnaire ---------------------------------------------------------------------------------------------


def questionnaire_form(data) -> QuestionnaireForm:
    return QuestionnaireForm(data, questionnaire=QUESTIONNAIRE)


def test_questionnaire_valid_answers_become_json():
    form = questionnaire_form(VALID_ANSWERS)
    assert form.is_valid(), form.errors
    assert form.answers() == {
        "experience_years": 5,
        "style": "trend",
        "markets": ["btc", "eth"],
        "posting_plan": "Daily BTC futures setups with entry, stop and take profit.",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("experience_years", ""),
        ("experience_years", "-1"),
        ("experience_years", "61"),
        ("experience_years", "five"),
        ("experience_years", "9" * 5000),
        ("style", ""),
        ("style", "martingale"),
        ("markets", ["btc", "doge"]),
        ("posting_plan", ""),
        ("posting_plan", "x" * 501),
        ("posting_plan", "\u2adc" * 300),  # 600 characters once normalised
        ("posting_plan", "null\x00byte"),
    ],
)
def test_questionnaire_field_rules(field, value):
    form = questionnaire_form({**VALID_ANSWERS, field: value})
    assert not form.is_valid()
    assert field in form.errors


def test_questionnaire_optional_multichoice_may_be_empty():
    data = {k: v for k, v in VALID_ANSWERS.items() if k != "markets"}
    form = questionnaire_form(data)
    assert form.is_valid(), form.errors
    assert form.answers()["markets"] == []


def test_questionnaire_labels_and_messages_in_both_languages():
    with translation.override("zh-hans"):
        form = questionnaire_form({**VALID_ANSWERS, "experience_years": "61"})
        assert form.fields["experience_years"].label == "合约交易经验（年）"
        assert dict(form.fields["style"].choices)["trend"] == "趋势跟随"
        assert not form.is_valid()
        assert "60" in form.errors["experience_years"][0] and "确保" in form.errors["experience_years"][0]
    with translation.override("en"):
        form = questionnaire_form({**VALID_ANSWERS, "experience_years": "61"})
        assert form.fields["experience_years"].label == "Years of futures trading experience"
        assert not form.is_valid()
        assert form.errors["experience_years"] == ["Ensure this value is less than or equal to 60."]


def test_demo_questionnaire_definition_is_valid():
    assert questionnaire_errors(QUESTIONNAIRE) == []


def _broken(mutate):
    definition = copy.deepcopy(QUESTIONNAIRE)
    mutate(definition)
    return questionnaire_errors(definition)


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda q: q[0].update(type="date"), "type must be one of"),
        (lambda q: q[1].update(key="experience_years"), "used twice"),
        (lambda q: q[0].update(key="Bad Key"), "key must be"),
        (lambda q: q[0].update(label={"zh-hans": "只有中文"}), '"en"'),
        (lambda q: q[1].update(choices=[]), "non-empty list of choices"),
        (lambda q: q[1]["choices"].append({"value": "trend", "label": {"en": "Again"}}), "appears twice"),
        (lambda q: q[0].update(min=10, max=1), "min is larger than max"),
        (lambda q: q[0].update(max="60"), "whole number"),
        (lambda q: q[3].update(max_length=0), "max_length"),
        (lambda q: q[0].update(required="yes"), "true or false"),
        (lambda q: q[0].update(lable={"en": "typo"}), "unknown settings lable"),
        (lambda q: q.append("not an object"), "must be an object"),
    ],
)
def test_questionnaire_definition_errors(mutate, fragment):
    errors = _broken(mutate)
    assert any(fragment in error for error in errors), errors


def test_questionnaire_definition_must_be_a_list():
    assert questionnaire_errors({"key": "x"}) == ["The questionnaire must be a list of questions."]


def test_campaign_admin_form_refuses_a_broken_questionnaire():
    campaign = make_campaign()
    broken = copy.deepcopy(QUESTIONNAIRE)
    broken[0]["type"] = "date"
    data = {
        field: getattr(campaign, field) for field in ["slug", "name", "exchange", "time_zone", "currency", "is_active"]
    }
    for field in ["registration_opens_at", "registration_closes_at", "starts_at", "ends_at"]:
        data[field] = getattr(campaign, field).strftime("%Y-%m-%d %H:%M:%S")
    form = CampaignAdminForm(
        data={**data, "questionnaire": json.dumps(broken), "content_rules": "{}"}, instance=campaign
    )
    assert not form.is_valid()
    assert "questionnaire" in form.errors
    form = CampaignAdminForm(
        data={**data, "questionnaire": json.dumps(QUESTIONNAIRE), "content_rules": "{}"}, instance=campaign
    )
    assert form.is_valid(), form.errors


def test_campaign_admin_form_reads_and_shows_times_in_the_campaign_zone():
    campaign = make_campaign()
    form = CampaignAdminForm(instance=campaign)
    assert form.initial["registration_opens_at"] == datetime(2026, 2, 12, 18, 0)  # wall clock in Shanghai
    data = {
        "slug": "zoned",
        "name": "Zoned",
        "exchange": "gate",
        "time_zone": "Asia/Shanghai",
        "currency": "USDT",
        "is_active": "on",
        "registration_opens_at": "2026-02-12 18:00:00",
        "registration_closes_at": "2026-02-25 00:00:00",
        "starts_at": "2026-02-12 18:00:00",
        "ends_at": "2026-05-01 00:00:00",
        "questionnaire": "[]",
        "content_rules": "{}",
    }
    form = CampaignAdminForm(data=data)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.registration_opens_at == datetime(2026, 2, 12, 10, 0, tzinfo=UTC)
    assert saved.registration_closes_at == datetime(2026, 2, 24, 16, 0, tzinfo=UTC)
    form = CampaignAdminForm(data={**data, "slug": "zoned-ny", "time_zone": "America/New_York"})
    assert form.is_valid(), form.errors
    assert form.save().registration_opens_at == datetime(2026, 2, 12, 23, 0, tzinfo=UTC)  # 18:00 EST
