"""Enrolment services: the window edges in the campaign's zone, duplicates, decisions, audit events, emails,
and the all-or-nothing registration with encrypted credentials."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError

from campaigns.models import Enrollment
from campaigns.services.enrolment import (
    enrollment_approve,
    enrollment_reject,
    enrollment_submit,
    enrollment_withdraw,
    registration_window_text,
)
from core.encryption import decrypt
from core.models import AuditEvent
from tests.signup_support import SHANGHAI, fast_signup, make_campaign, register_trader  # noqa: F401
from traders.models import ExchangeAccount, LeadTrader
from traders.services.accounts import exchange_account_set_credentials

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]

ANSWERS = {"experience_years": 5, "style": "trend", "markets": ["btc"], "posting_plan": "BTC setups"}


def register(n: int = 1, **extra) -> LeadTrader:
    return register_trader(n, profile_url=f"https://www.gate.com/copytrading/lead-trader/1000{n:04d}", **extra)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "accepted", "message"),
    [
        (at(12, 17, 59, 59), False, "has not opened yet"),
        (at(12, 18), True, None),
        (at(24, 23, 59, 59), True, None),
        (at(25, 0), False, "has closed"),
    ],
)
def test_enrolment_window_edges_in_the_campaign_zone(moment, accepted, message, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    trader = register()
    if accepted:
        enrollment = enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=moment)
        assert enrollment.status == Enrollment.Status.PENDING
        assert enrollment.submitted_at == moment
        return
    with pytest.raises(ValidationError) as exc:
        enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=moment)
    text = exc.value.messages[0]
    assert message in text
    # The refusal tells the trader the window, in the campaign's own zone.
    assert "2026-02-12 18:00 – 2026-02-25 00:00 (Asia/Shanghai, UTC+08:00)" in text
    assert not Enrollment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_window_text_uses_the_campaign_zone_not_utc():
    campaign = make_campaign()
    assert campaign.registration_opens_at.astimezone(SHANGHAI).hour == 18
    assert registration_window_text(campaign=campaign) == (
        "2026-02-12 18:00 – 2026-02-25 00:00 (Asia/Shanghai, UTC+08:00)"
    )


def test_inactive_campaign_refuses_enrolment():
    campaign = make_campaign()
    campaign.is_active = False
    campaign.save()
    with pytest.raises(ValidationError):
        enrollment_submit(campaign=campaign, trader=register(), answers=ANSWERS, now=at(13, 12))


def test_duplicate_enrolment_is_refused_and_withdrawn_can_enrol_again(django_capture_on_commit_callbacks):
    campaign, trader = make_campaign(), register()
    first = enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=at(13, 12))
    with pytest.raises(ValidationError) as exc:
        enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=at(13, 13))
    assert exc.value.messages == ["You are already enrolled in this campaign."]
    enrollment_withdraw(enrollment=first, actor=trader.user, reason="changed my mind")
    again = enrollment_submit(campaign=campaign, trader=trader, answers={**ANSWERS, "style": "swing"}, now=at(14, 9))
    assert again.pk == first.pk
    assert again.status == Enrollment.Status.PENDING and again.reason == "" and again.answers["style"] == "swing"
    assert Enrollment.objects.count() == 1


def test_decisions_are_audited_and_emailed_in_the_traders_language(django_capture_on_commit_callbacks, admin_user):
    campaign = make_campaign()
    zh = register(1, preferred_language="zh-hans")
    en = register(2, preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        zh_enrollment = enrollment_submit(campaign=campaign, trader=zh, answers=ANSWERS, now=at(13, 12))
        en_enrollment = enrollment_submit(campaign=campaign, trader=en, answers=ANSWERS, now=at(13, 12))
    assert [m.to for m in mail.outbox] == [[zh.email], [en.email]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_approve(enrollment=zh_enrollment, actor=admin_user, reason="欢迎加入")
        enrollment_reject(enrollment=en_enrollment, actor=admin_user, reason="Profile link does not match the UID")

    zh_enrollment.refresh_from_db()
    en_enrollment.refresh_from_db()
    assert zh_enrollment.status == Enrollment.Status.APPROVED and zh_enrollment.decided_by == admin_user
    assert en_enrollment.status == Enrollment.Status.REJECTED
    assert en_enrollment.reason == "Profile link does not match the UID"

    zh_mail, en_mail = mail.outbox
    assert "报名已通过" in zh_mail.subject and "活动 phase-2" in zh_mail.subject
    assert "欢迎加入" in zh_mail.body
    assert en_mail.subject == "Enrolment not accepted: Campaign phase-2"
    assert "Profile link does not match the UID" in en_mail.body
    assert "Asia/Shanghai" in en_mail.body

    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor", "target_id", "data"))
    assert [e[0] for e in events] == [
        "enrollment.submitted",
        "enrollment.submitted",
        "enrollment.approved",
        "enrollment.rejected",
    ]
    approved = events[2]
    assert approved[1] == admin_user.pk and approved[2] == str(zh_enrollment.pk)
    assert approved[3] == {"trader_id": zh.pk, "from": "pending", "to": "approved", "reason": "欢迎加入"}


def test_reject_needs_a_reason_and_invalid_transitions_are_refused(admin_user):
    campaign, trader = make_campaign(), register()
    enrollment = enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=at(13, 12))
    with pytest.raises(ValidationError):
        enrollment_reject(enrollment=enrollment, actor=admin_user, reason="  ")
    enrollment_withdraw(enrollment=enrollment, actor=trader.user)
    with pytest.raises(ValidationError) as exc:
        enrollment_approve(enrollment=enrollment, actor=admin_user)
    assert "Withdrawn" in exc.value.messages[0]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == [
        "enrollment.submitted",
        "enrollment.withdrawn",
    ]


def test_email_failure_does_not_undo_the_decision(settings, admin_user, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens
    campaign, trader = make_campaign(), register()
    enrollment = enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=at(13, 12))
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_approve(enrollment=enrollment, actor=admin_user)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED


# ---- registration service ---------------------------------------------------------------------------------------


def test_register_creates_user_trader_and_encrypted_account(caplog):
    caplog.set_level("DEBUG")
    trader = register(api_key="READONLYKEY12345", api_secret="SuperSecretValue987", api_password="pass-phrase")
    assert trader.status == LeadTrader.Status.PENDING and trader.terms_accepted_at is not None
    assert trader.user.username == trader.email == "trader1@example.com"
    assert trader.user.check_password("a-Long-unusual-pass-42")
    account = trader.accounts.get()
    assert account.exchange_id == "gate" and account.has_credentials
    for plaintext, stored in [
        ("READONLYKEY12345", account.api_key_encrypted),
        ("SuperSecretValue987", account.api_secret_encrypted),
        ("pass-phrase", account.api_password_encrypted),
    ]:
        assert plaintext not in stored
        assert decrypt(stored) == plaintext
        assert plaintext not in caplog.text


def test_credentials_are_replaceable():
    trader = register(api_key="READONLYKEY12345", api_secret="SuperSecretValue987")
    account = trader.accounts.get()
    old_cipher = account.api_secret_encrypted
    account.status = ExchangeAccount.Status.NEEDS_ATTENTION
    account.save()
    exchange_account_set_credentials(account=account, api_key="NEWKEY000000001", api_secret="NewSecret0000002")
    account.refresh_from_db()
    assert account.api_secret_encrypted != old_cipher
    assert decrypt(account.api_key_encrypted) == "NEWKEY000000001"
    assert account.api_password_encrypted == ""
    assert account.status == ExchangeAccount.Status.ACTIVE


def test_failed_registration_leaves_nothing_behind():
    register(1)
    users = get_user_model().objects.count()
    # Same UID, other email: refused before anything is written.
    with pytest.raises(ValidationError) as exc:
        register(1, email="someone.else@example.com")
    assert "exchange_uid" in exc.value.message_dict
    # A key without its secret fails inside the transaction, after the user and trader rows were created.
    with pytest.raises(ValidationError):
        register(2, api_key="READONLYKEY12345", api_secret="")
    assert get_user_model().objects.count() == users
    assert LeadTrader.objects.count() == 1 and ExchangeAccount.objects.count() == 0


def test_register_requires_terms():
    with pytest.raises(ValidationError):
        register(terms_accepted=False)
    assert not LeadTrader.objects.exists()


def test_window_refusal_message_in_chinese():
    from django.utils import translation

    campaign, trader = make_campaign(), register()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        enrollment_submit(campaign=campaign, trader=trader, answers=ANSWERS, now=at(25, 0) + timedelta(seconds=1))
    assert "已截止" in exc.value.messages[0]
