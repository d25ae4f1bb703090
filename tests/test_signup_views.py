"""The public pages against the real views: sign-up, sign-in, enrolment, My campaign, rate limits, CSRF,
the operator's admin actions, and both languages."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Enrollment
from campaigns.services.enrolment import enrollment_submit
from core.encryption import decrypt
from core.models import AuditEvent
from tests.signup_support import (
    SHANGHAI,
    VALID_ANSWERS,
    fast_signup,  # noqa: F401 - the fixture
    make_campaign,
    register_trader,
    valid_registration,
)
from traders.models import ExchangeAccount, LeadTrader

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]

REGISTER = "/register/"


def counts() -> tuple[int, int, int]:
    return get_user_model().objects.count(), LeadTrader.objects.count(), ExchangeAccount.objects.count()


def open_campaign(slug="phase-3"):
    today = timezone.now().astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    return make_campaign(slug=slug, opens=today - timedelta(days=7), closes=today + timedelta(days=21))


def signed_up_client(client, **overrides) -> Client:
    response = client.post(REGISTER, valid_registration(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def test_register_page_renders_in_english_and_chinese(client):
    english = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Register as a lead trader" in english and 'value="gate" selected' in english
    assert 'name="website"' in english and 'class="hp"' in english  # the honeypot is there, hidden
    assert "csrfmiddlewaretoken" in english
    chinese = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "注册成为带单员" in chinese and "显示名称" in chinese
    assert "Register as a lead trader" not in chinese


def test_successful_registration_signs_in_and_encrypts_the_key(client, caplog):
    caplog.set_level("DEBUG")
    data = valid_registration(
        api_key="READONLYKEY12345", api_secret="SuperSecretValue987", preferred_language="zh-hans"
    )
    response = client.post(REGISTER, data)
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert response.cookies["django_language"].value == "zh-hans"
    trader = LeadTrader.objects.get()
    assert trader.email == "star.trader@example.com" and trader.display_name == "Star Trader 星"
    assert decrypt(trader.accounts.get().api_secret_encrypted) == "SuperSecretValue987"
    assert "SuperSecretValue987" not in caplog.text
    page = client.get("/me/").content.decode()
    assert "Star Trader 星" in page
    assert "SuperSecretValue987" not in page and "READONLYKEY12345" not in page


def test_invalid_registration_shows_errors_and_never_echoes_secrets(client):
    before = counts()
    data = valid_registration(email="bad", api_key="READONLYKEY12345", api_secret="SuperSecretValue987")
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "SuperSecretValue987" not in body and "READONLYKEY12345" not in body
    assert counts() == before


def test_invalid_registration_messages_in_chinese(client):
    response = client.post(REGISTER, valid_registration(email="bad", accept_terms=""), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert "请输入合法的邮件地址。" in body  # Django's own catalogue
    assert "您必须接受活动条款。" in body


def test_duplicate_email_and_uid_are_refused(client):
    signed_up_client(client)
    other = Client()
    before = counts()
    response = other.post(REGISTER, valid_registration(email="STAR.TRADER@example.com", exchange_uid="55555555"))
    assert "This email address is already registered. Sign in instead." in response.content.decode()
    response = other.post(REGISTER, valid_registration(email="new@example.com"))
    assert "This exchange UID is already registered." in response.content.decode()
    assert counts() == before


def test_honeypot_blocks_and_saves_nothing(client):
    response = client.post(REGISTER, valid_registration(website="https://spam.example"))
    assert response.status_code == 200
    assert "This submission cannot be accepted." in response.content.decode()
    assert counts() == (0, 0, 0)


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.SIGNUP_RATE_LIMIT = (3, 3600)
    for _ in range(3):
        assert client.post(REGISTER, valid_registration(email="bad"), REMOTE_ADDR="10.0.0.1").status_code == 200
    blocked = client.post(REGISTER, valid_registration(), REMOTE_ADDR="10.0.0.1")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert counts() == (0, 0, 0)  # even a valid form is not saved once over the limit
    # Another address is not affected.
    assert client.post(REGISTER, valid_registration(), REMOTE_ADDR="10.0.0.2").status_code == 302


def test_login_is_rate_limited(client, settings):
    settings.LOGIN_RATE_LIMIT = (2, 900)
    for _ in range(2):
        client.post("/accounts/login/", {"username": "x@example.com", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    blocked = client.post("/accounts/login/", {"username": "x@example.com", "password": "w"}, REMOTE_ADDR="10.0.0.9")
    assert blocked.status_code == 429


def test_csrf_is_enforced():
    client = Client(enforce_csrf_checks=True)
    assert client.post(REGISTER, valid_registration()).status_code == 403
    assert counts() == (0, 0, 0)


def test_sign_in_with_email_and_sign_out(client):
    signed_up_client(client)
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302
    response = client.post(
        "/accounts/login/", {"username": "STAR.TRADER@example.com", "password": "a-Long-unusual-pass-42"}
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.get("/me/").status_code == 200


def test_enrol_requires_sign_in(client):
    campaign = open_campaign()
    response = client.get(f"/campaigns/{campaign.slug}/enrol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_enrol_page_shows_window_in_zone_and_countdown_and_accepts_answers(client):
    campaign = open_campaign()
    signed_up_client(client)
    page = client.get(f"/campaigns/{campaign.slug}/enrol/").content.decode()
    opens = campaign.registration_opens_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert opens in page and "Asia/Shanghai, UTC+08:00" in page
    assert "Registration closes in" in page and "data-seconds=" in page
    assert "Years of futures trading experience" in page
    response = client.post(f"/campaigns/{campaign.slug}/enrol/", VALID_ANSWERS)
    assert response.status_code == 302 and response["Location"] == "/me/"
    enrollment = Enrollment.objects.get()
    assert enrollment.answers["experience_years"] == 5 and enrollment.status == "pending"
    me = client.get("/me/").content.decode()
    assert "Pending" in me and campaign.name in me


def test_enrol_invalid_answers_show_errors_and_save_nothing(client):
    campaign = open_campaign()
    signed_up_client(client)
    response = client.post(f"/campaigns/{campaign.slug}/enrol/", {**VALID_ANSWERS, "experience_years": "99"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 60." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_enrol_closed_campaign_is_refused_with_a_clear_message(client):
    campaign = make_campaign(slug="phase-2")  # the real phase-2 window, long past
    signed_up_client(client)
    page = client.get(f"/campaigns/{campaign.slug}/enrol/").content.decode()
    assert "Registration is closed." in page and "2026-02-12 18:00" in page and "2026-02-25 00:00" in page
    response = client.post(f"/campaigns/{campaign.slug}/enrol/", VALID_ANSWERS)
    assert "Registration for this campaign has closed." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_enrol_page_in_chinese(client):
    campaign = open_campaign()
    signed_up_client(client, preferred_language="zh-hans")  # sets the language cookie
    page = client.get(f"/campaigns/{campaign.slug}/enrol/").content.decode()
    assert "活动 phase-3" in page and "合约交易经验（年）" in page and "报名截止倒计时" in page


def test_broken_questionnaire_pauses_enrolment_without_error(client):
    campaign = open_campaign()
    campaign.questionnaire = [{"key": "x", "type": "date", "label": {"en": "X"}}]
    campaign.save()
    signed_up_client(client)
    assert client.get(f"/campaigns/{campaign.slug}/enrol/").status_code == 200
    assert client.post(f"/campaigns/{campaign.slug}/enrol/", {"x": "1"}).status_code == 503
    assert not Enrollment.objects.exists()


def test_withdraw_from_my_campaign(client):
    campaign = open_campaign()
    signed_up_client(client)
    client.post(f"/campaigns/{campaign.slug}/enrol/", VALID_ANSWERS)
    response = client.post(f"/campaigns/{campaign.slug}/withdraw/")
    assert response.status_code == 302
    assert Enrollment.objects.get().status == "withdrawn"
    assert "Enrol again" in client.get("/me/").content.decode()


def test_me_without_trader_profile(admin_client):
    response = admin_client.get("/me/")
    assert response.status_code == 200 and "no lead-trader profile" in response.content.decode()


# ---- admin actions -----------------------------------------------------------------------------------------------


def _pending(n: int, campaign) -> list[Enrollment]:
    enrollments = []
    for i in range(n):
        trader = register_trader(
            i,
            uid_prefix="7000",
            display_name=f"T{i}",
            email=f"t{i}@example.com",
            preferred_language="zh-hans" if i % 2 else "en",
        )
        now = datetime(2026, 2, 13, 12, tzinfo=SHANGHAI)
        enrollments.append(enrollment_submit(campaign=campaign, trader=trader, answers={}, now=now))
    return enrollments


CHANGELIST = reverse("admin:campaigns_enrollment_changelist")


def test_admin_approve_many_with_reason(admin_client, admin_user, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    enrollments = _pending(3, campaign)
    ids = [str(e.pk) for e in enrollments]
    # First step: the intermediate page asks for the reason.
    page = admin_client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": ids})
    assert page.status_code == 200 and "3 enrolments selected" in page.content.decode()
    assert Enrollment.objects.filter(status="approved").count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            CHANGELIST, {"action": "approve_selected", "_selected_action": ids, "apply": "1", "reason": "Welcome"}
        )
    assert done.status_code == 302
    assert set(Enrollment.objects.values_list("status", "reason", "decided_by")) == {
        ("approved", "Welcome", admin_user.pk)
    }
    events = AuditEvent.objects.filter(action="enrollment.approved")
    assert events.count() == 3 and set(events.values_list("actor", flat=True)) == {admin_user.pk}
    assert sorted(events.values_list("target_id", flat=True)) == sorted(ids)
    assert len(mail.outbox) == 3
    subjects = sorted(m.subject for m in mail.outbox)
    assert sum("Enrolment approved" in s for s in subjects) == 2 and sum("报名已通过" in s for s in subjects) == 1


def test_admin_reject_one_requires_a_reason(admin_client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    (enrollment,) = _pending(1, campaign)
    base = {"action": "reject_selected", "_selected_action": [str(enrollment.pk)], "apply": "1"}
    page = admin_client.post(CHANGELIST, {**base, "reason": " "})
    assert page.status_code == 200 and "Give the trader a reason" in page.content.decode()
    assert Enrollment.objects.get().status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CHANGELIST, {**base, "reason": "UID not found on Gate"})
    enrollment.refresh_from_db()
    assert enrollment.status == "rejected" and enrollment.reason == "UID not found on Gate"
    event = AuditEvent.objects.get(action="enrollment.rejected")
    assert event.data["reason"] == "UID not found on Gate" and event.campaign == campaign
    assert mail.outbox[-1].to == [enrollment.trader.email]


def test_admin_action_reports_refused_transitions(admin_client, admin_user):
    campaign = make_campaign()
    first, second = _pending(2, campaign)
    from campaigns.services.enrolment import enrollment_withdraw

    enrollment_withdraw(enrollment=first, actor=None)
    response = admin_client.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [first.pk, second.pk], "apply": "1", "reason": ""},
        follow=True,
    )
    body = response.content.decode()
    assert "1 enrolment(s) updated." in body and "cannot become" in body
    assert dict(Enrollment.objects.values_list("pk", "status")) == {first.pk: "withdrawn", second.pk: "approved"}


def test_admin_status_is_read_only(admin_client):
    campaign = make_campaign()
    (enrollment,) = _pending(1, campaign)
    page = admin_client.get(reverse("admin:campaigns_enrollment_change", args=[enrollment.pk])).content.decode()
    assert 'name="status"' not in page


# ---- API key replacement ---------------------------------------------------------------------------------------


def test_api_key_can_be_added_and_replaced_and_is_never_shown(client):
    signed_up_client(client)
    trader = LeadTrader.objects.get()
    assert not trader.accounts.exists()
    page = client.get("/me/api-key/").content.decode()
    assert "No key is stored yet." in page
    response = client.post("/me/api-key/", {"api_key": "FIRSTKEY00000001", "api_secret": "FirstSecret000001"})
    assert response.status_code == 302
    account = trader.accounts.get()
    first_cipher = account.api_secret_encrypted
    page = client.get("/me/api-key/").content.decode()
    assert "A key is stored" in page and "FIRSTKEY00000001" not in page and "FirstSecret000001" not in page

    bad = client.post("/me/api-key/", {"api_key": "SECONDKEY0000002", "api_secret": "has spaces in it"})
    assert bad.status_code == 200 and "SECONDKEY0000002" not in bad.content.decode()
    client.post("/me/api-key/", {"api_key": "SECONDKEY0000002", "api_secret": "SecondSecret00002"})
    account.refresh_from_db()
    assert account.api_secret_encrypted != first_cipher
    assert decrypt(account.api_key_encrypted) == "SECONDKEY0000002"
    assert trader.accounts.count() == 1
    events = list(AuditEvent.objects.filter(target_type="traders.exchangeaccount").order_by("id"))
    assert [e.action for e in events] == [
        "exchange_account.credentials_added",
        "exchange_account.credentials_replaced",
    ]
    assert all("Secret" not in str(e.data) and "KEY0" not in str(e.data) for e in events)


@pytest.mark.redis
def test_rate_limit_counts_in_redis(settings):
    from django.core.cache import cache, caches

    from core.ratelimit import RateLimit, rate_limit_exceeded

    assert "Redis" in type(caches["default"]).__name__
    rule = RateLimit("test-signup", 2, 60)
    cache.delete_many([f"ratelimit:test-signup:10.9.9.9:{i}" for i in range(10**6, 10**6 + 1)])
    results = [rate_limit_exceeded(rule=rule, ip="10.9.9.9", now=60.0 * 10**6 + 1) for _ in range(3)]
    assert results == [False, False, True]
    assert cache.get(f"ratelimit:test-signup:10.9.9.9:{10**6}") == 3


def test_admin_campaign_page_shows_the_window_in_the_campaign_zone(admin_client):
    campaign = make_campaign()
    page = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    assert 'name="registration_opens_at_1" value="18:00:00"' in page
    assert "own time zone (the time zone field)" in page


def test_rate_limit_uses_the_trusted_proxy_header(client, settings):
    settings.SIGNUP_RATE_LIMIT = (1, 3600)
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    # Two clients behind the same proxy are counted apart; a forged left-most entry changes nothing.
    assert (
        client.post(REGISTER, valid_registration(email="x"), HTTP_X_FORWARDED_FOR="1.1.1.1", **proxy).status_code == 200
    )
    assert (
        client.post(REGISTER, valid_registration(email="x"), HTTP_X_FORWARDED_FOR="2.2.2.2", **proxy).status_code == 200
    )
    forged = client.post(REGISTER, valid_registration(email="x"), HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1", **proxy)
    assert forged.status_code == 429
