"""Password reset through Django's real views, and every email leaving through the Celery task after commit:
the full flow, no account enumeration, single-use links, rate limits, the trader's language, rolled-back
decisions and a failing SMTP server."""

import re
from datetime import datetime

import pytest
from celery.signals import task_success
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from campaigns.models import Enrollment
from campaigns.services.enrolment import enrollment_approve, enrollment_reject, enrollment_submit
from core.models import AuditEvent, OutboundEmail
from core.tasks import send_email
from tests.signup_support import SHANGHAI, fast_signup, make_campaign, register_trader  # noqa: F401
from traders.models import LeadTrader

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]

LOGIN = "/accounts/login/"
RESET = "/accounts/password-reset/"
OLD_PASSWORD = "a-Long-unusual-pass-42"
NEW_PASSWORD = "Another-rare-phrase-97"
SENT = OutboundEmail.Status.SENT
LINK_RE = re.compile(r"https?://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


def trader(n: int = 1, language: str = "en") -> LeadTrader:
    return register_trader(n, uid_prefix="5000", password=OLD_PASSWORD, preferred_language=language)


@pytest.fixture
def sent_by_task():
    """Messages the Celery task delivered (the task's own success signal, so mail sent any other way is not here)."""
    delivered = []

    def record(sender=None, result=None, **kwargs):
        if sender is not None and sender.name == send_email.name:
            delivered.append(result)

    task_success.connect(record, weak=False)
    yield delivered
    task_success.disconnect(record)


def ask_reset(client, email: str, capture, **extra):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, **extra)


def reset_link(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def signs_in(client, email: str, password: str) -> bool:
    response = client.post(LOGIN, {"username": email, "password": password})
    client.post("/accounts/logout/")
    return response.status_code == 302


def test_full_reset_flow_through_the_real_views(client, django_capture_on_commit_callbacks, sent_by_task):
    t = trader()
    login_page = client.get(LOGIN).content.decode()
    assert f'href="{reverse("password_reset")}"' in login_page and "Forgot your password?" in login_page

    response = ask_reset(client, "TRADER1@Example.com", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    (message,) = mail.outbox
    assert message.to == [t.email] and message.subject == "Reset your Starboard password"
    assert sent_by_task == [SENT]  # delivered by campaigns.tasks.send_email, not inside the view

    link = reset_link(message)
    landing = client.get(link)
    assert landing.status_code == 302  # Django moves the token into the session, then shows the form
    form_page = client.get(landing["Location"])
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    done = client.post(landing["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "Password changed" in client.get(done["Location"]).content.decode()

    assert signs_in(client, t.email, NEW_PASSWORD)
    assert not signs_in(client, t.email, OLD_PASSWORD)


def test_the_link_works_once(client, django_capture_on_commit_callbacks):
    t = trader()
    ask_reset(client, t.email, django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)
    body = again.content.decode()
    assert "This password reset link is invalid" in body and 'name="new_password1"' not in body
    # Posting a different password straight to the old form changes nothing.
    client.post(
        set_password_url, {"new_password1": "Third-strange-words-31", "new_password2": "Third-strange-words-31"}
    )
    assert signs_in(client, t.email, NEW_PASSWORD)
    assert not signs_in(client, t.email, "Third-strange-words-31")


def test_unknown_email_gets_the_same_answer_and_no_mail(client, django_capture_on_commit_callbacks, sent_by_task):
    trader()
    known = ask_reset(client, "trader1@example.com", django_capture_on_commit_callbacks, REMOTE_ADDR="10.1.0.1")
    mail.outbox.clear()
    unknown = ask_reset(client, "nobody@example.com", django_capture_on_commit_callbacks, REMOTE_ADDR="10.1.0.2")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert client.get(unknown["Location"]).content == client.get(known["Location"]).content
    assert mail.outbox == [] and sent_by_task == [SENT]


def test_reset_is_rate_limited_per_ip_with_a_clear_answer(client, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_RATE_LIMIT = (2, 3600)
    t = trader()
    for n in range(2):
        assert ask_reset(client, f"x{n}@example.com", django_capture_on_commit_callbacks).status_code == 302
    blocked = ask_reset(client, t.email, django_capture_on_commit_callbacks)
    assert blocked.status_code == 429
    body = blocked.content.decode()
    assert "Too many password reset requests" in body and 'name="email"' in body
    assert mail.outbox == []  # a blocked request sends nothing, even for a real account
    other_ip = ask_reset(client, t.email, django_capture_on_commit_callbacks, REMOTE_ADDR="10.2.0.2")
    assert other_ip.status_code == 302 and len(mail.outbox) == 1


def test_reset_is_rate_limited_per_email_known_or_not(client, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_EMAIL_RATE_LIMIT = (2, 3600)
    t = trader()
    for address in (t.email, "nobody@example.com"):
        answers = [
            ask_reset(
                client, address.upper(), django_capture_on_commit_callbacks, REMOTE_ADDR=f"10.3.0.{n}"
            ).status_code
            for n in range(3)  # a new IP each time: the per-email limit, not the per-IP one
        ]
        assert answers == [302, 302, 429]  # the same for both: the limit tells nothing about the account
    assert len(mail.outbox) == 2


def test_email_is_in_the_traders_stored_language_not_the_requests(client, django_capture_on_commit_callbacks):
    zh, en = trader(1, "zh-hans"), trader(2, "en")
    ask_reset(client, zh.email, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    ask_reset(client, en.email, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="zh-hans")
    zh_mail, en_mail = mail.outbox
    assert zh_mail.to == [zh.email] and zh_mail.body.startswith("Trader 1，你好：")
    with translation.override("zh-hans"):
        assert zh_mail.subject == gettext("Reset your Starboard password")
    assert en_mail.to == [en.email] and en_mail.body.startswith("Hello Trader 2,")
    assert en_mail.subject == "Reset your Starboard password"
    assert reset_link(zh_mail) and reset_link(en_mail)


def test_a_user_without_trader_profile_gets_the_requests_language(
    client, django_user_model, django_capture_on_commit_callbacks
):
    django_user_model.objects.create_user(username="ops@example.com", email="ops@example.com", password=OLD_PASSWORD)
    ask_reset(client, "ops@example.com", django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="zh-hans")
    (message,) = mail.outbox
    assert message.body.startswith("ops@example.com，你好：")


# ---- decision emails through the task -----------------------------------------------------------------------------


def _pending_enrollment(n: int = 1) -> Enrollment:
    return enrollment_submit(
        campaign=make_campaign(), trader=trader(n), answers={}, now=datetime(2026, 2, 13, 12, tzinfo=SHANGHAI)
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_decision_sends_no_email(admin_user, sent_by_task):
    """Real commits and rollbacks (no test transaction around them): only the committed decision is emailed."""
    enrollment = _pending_enrollment()
    mail.outbox.clear()
    sent_by_task.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        enrollment_approve(enrollment=enrollment, actor=admin_user, reason="Welcome")
        raise RuntimeError("a later step of the same request failed")
    enrollment.refresh_from_db()
    assert (
        enrollment.status == Enrollment.Status.PENDING
        and not AuditEvent.objects.filter(action="enrollment.approved").exists()
    )
    assert mail.outbox == [] and sent_by_task == []

    enrollment_approve(enrollment=enrollment, actor=admin_user, reason="Welcome")  # committed: now it is sent
    (message,) = mail.outbox
    assert message.subject == "Enrolment approved: Campaign phase-2" and sent_by_task == [SENT]


def test_the_decision_email_is_rendered_from_the_committed_state(admin_user, django_capture_on_commit_callbacks):
    """Approve, then reject, before any worker runs: each email tells its own decision, not the latest state."""
    enrollment = _pending_enrollment()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_approve(enrollment=enrollment, actor=admin_user)
        enrollment_reject(enrollment=enrollment, actor=admin_user, reason="Changed our mind")
    assert [m.subject for m in mail.outbox] == [
        "Enrolment approved: Campaign phase-2",
        "Enrolment not accepted: Campaign phase-2",
    ]
    assert "Status: Approved" in mail.outbox[0].body and "Status: Rejected" in mail.outbox[1].body


def _smtp_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens on 1


def test_smtp_failure_does_not_break_the_admin_action(admin_client, settings, django_capture_on_commit_callbacks):
    enrollment = _pending_enrollment()
    _smtp_server_down(settings)
    changelist = reverse("admin:campaigns_enrollment_changelist")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            changelist,
            {"action": "approve_selected", "_selected_action": [enrollment.pk], "apply": "1", "reason": "Welcome"},
        )
    assert response.status_code == 302 and len(callbacks) == 1  # the send was queued, and it failed
    assert "1 enrolment(s) updated." in admin_client.get(response["Location"]).content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED
    assert AuditEvent.objects.filter(action="enrollment.approved", target_id=str(enrollment.pk)).exists()
    assert mail.outbox == []
    (email,) = OutboundEmail.objects.filter(target_id=str(enrollment.pk), subject__startswith="Enrolment approved")
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 1)  # tried again later by the sweeper
    assert "Connection refused" in email.last_error
