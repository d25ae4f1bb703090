"""The transactional email outbox: every email is a row written with the change it reports, sent once by the task,
enqueued again by the sweeper when the broker lost it, given up after N failed sends, and visible and retryable in
the admin; a real worker delivers an approval email end to end."""

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Enrollment
from campaigns.services.enrolment import enrollment_approve
from config.celery import app
from core.models import AuditEvent, OutboundEmail
from core.services.outbox import REDACTED_BODY, SKIPPED, outbound_email_send, outbound_emails_retry
from core.tasks import send_email, sweep_emails
from tests.conftest import celery_worker_env, celery_worker_running
from tests.signup_support import SHANGHAI, fast_signup, make_campaign, register_trader  # noqa: F401
from traders.models import LeadTrader

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]

QUEUED, SENT, FAILED = OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED
CHANGELIST = "admin:core_outboundemail_changelist"
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def trader(n: int = 1) -> LeadTrader:
    return register_trader(n, uid_prefix="6000", email=f"outbox{n}@example.com", preferred_language="en")


def pending_enrollment(n: int = 1) -> Enrollment:
    """Written directly (no submission email), so the only email in each test is the one it is about."""
    return Enrollment.objects.create(
        campaign=make_campaign(), trader=trader(n), answers={}, submitted_at=datetime(2026, 2, 13, 12, tzinfo=SHANGHAI)
    )


def approval_emails(enrollment: Enrollment):
    return OutboundEmail.objects.filter(target_id=str(enrollment.pk), subject__startswith="Enrolment approved")


def smtp_server_down(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1


def sweep_at(moment: datetime, capture) -> dict:
    """Run the beat task as of `moment`; the sends it enqueues run (eagerly) once its transaction commits."""
    from core.services.outbox import outbound_emails_sweep

    with capture(execute=True):
        summary = outbound_emails_sweep(now=moment)
    return {"enqueued": summary.enqueued, "given_up": summary.given_up}


def _drop_broker_connections() -> None:
    """Forget the app's broker pools so the next publish uses the broker_url configured now (kombu keeps each
    URL's pool in its own registry, so the real broker's pool is found again, open, after the test)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are really published (not eager) to a broker URL where nothing listens, until the test restores it."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_PORT_BROKER)
    _drop_broker_connections()

    def restore():
        monkeypatch.undo()
        _drop_broker_connections()

    yield restore
    monkeypatch.undo()
    _drop_broker_connections()


# ---- written in the business transaction --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_decision_writes_one_row_in_its_own_transaction(admin_user):
    """Real commits and rollbacks: the row exists inside the decision's transaction, and only a commit keeps it."""
    enrollment = pending_enrollment()
    before = OutboundEmail.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        enrollment_approve(enrollment=enrollment, actor=admin_user)
        (inside,) = approval_emails(enrollment)  # visible to the transaction that wrote it...
        assert inside.status == QUEUED and mail.outbox == []  # ...and nothing sent before the commit
        raise RuntimeError("a later step of the same request failed")
    assert OutboundEmail.objects.count() == before and mail.outbox == []

    enrollment_approve(enrollment=enrollment, actor=admin_user)
    (email,) = approval_emails(enrollment)
    assert OutboundEmail.objects.count() == before + 1
    assert (email.kind, email.to_email, email.language) == (OutboundEmail.Kind.ENROLMENT, "outbox1@example.com", "en")
    assert (email.target_type, email.status, email.attempts) == ("campaigns.enrollment", SENT, 1)
    assert email.sent_at is not None and not email.body_redacted and "Status: Approved" in email.body
    (message,) = mail.outbox
    assert (message.subject, message.body, message.to) == (email.subject, email.body, [email.to_email])


def test_sent_once_even_if_the_task_runs_twice(admin_user, django_capture_on_commit_callbacks):
    enrollment = pending_enrollment()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_approve(enrollment=enrollment, actor=admin_user)
    (email,) = approval_emails(enrollment)
    assert email.status == SENT and len(mail.outbox) == 1

    assert send_email.apply(args=[email.pk]).get() == SKIPPED  # a redelivery, or the sweeper's copy
    assert send_email.apply(args=[email.pk]).get() == SKIPPED
    assert sweep_at(timezone.now() + timedelta(days=1), django_capture_on_commit_callbacks)["enqueued"] == 0
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (SENT, 1)


class SlowLocmemBackend(LocmemBackend):
    """The test's mail server: takes a while to accept a message, so two workers overlap in the send."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_it_once(settings, admin_user):
    enrollment = pending_enrollment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # nothing is sent yet: fails, stays queued
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    enrollment_approve(enrollment=enrollment, actor=admin_user)
    (email,) = approval_emails(enrollment)
    assert email.status == QUEUED
    settings.EMAIL_BACKEND = f"{__name__}.SlowLocmemBackend"
    mail.outbox.clear()

    start, results = threading.Barrier(2), []

    def worker():
        try:
            start.wait()
            results.append(outbound_email_send(email_id=email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == sorted([SENT, SKIPPED]) and len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (SENT, 2)


# ---- the broker is down at commit -----------------------------------------------------------------------------------


def test_broker_down_at_commit_keeps_the_row_and_the_sweeper_sends_it(
    admin_user, broker_down, django_capture_on_commit_callbacks, caplog
):
    enrollment = pending_enrollment()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrollment_approve(enrollment=enrollment, actor=admin_user)
    assert len(callbacks) == 1  # the enqueue ran after the commit, against the closed port, and failed
    assert "not enqueued (broker unavailable?)" in caplog.text
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED  # the decision stands
    (email,) = approval_emails(enrollment)
    assert (email.status, email.attempts) == (QUEUED, 0) and mail.outbox == []

    broker_down()  # the broker is back (eager in tests)
    capture = django_capture_on_commit_callbacks
    assert sweep_at(email.created_at + timedelta(minutes=1), capture) == {"enqueued": 0, "given_up": 0}  # not yet
    assert sweep_at(email.created_at + timedelta(minutes=5), capture) == {"enqueued": 1, "given_up": 0}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (SENT, 1)
    (message,) = mail.outbox
    assert message.subject == email.subject and message.to == ["outbox1@example.com"]
    assert sweep_at(email.created_at + timedelta(hours=1), capture)["enqueued"] == 0  # sent: never again


def test_the_beat_task_and_its_schedule():
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    (task,) = PeriodicTask.objects.filter(task="campaigns.tasks.sweep_emails")
    assert (task.interval.every, task.interval.period, task.enabled) == (1, "minutes", True)
    assert sweep_emails.apply().get() == {"enqueued": 0, "given_up": 0}


# ---- failed sends: retried with a growing wait, then given up --------------------------------------------------------


def test_gives_up_after_n_failed_sends_and_shows_it_in_the_admin(
    settings, admin_user, admin_client, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    enrollment = pending_enrollment()
    smtp_server_down(settings)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_approve(enrollment=enrollment, actor=admin_user)
    (email,) = approval_emails(enrollment)
    assert (email.status, email.attempts) == (QUEUED, 1) and "Connection refused" in email.last_error
    first_wait = email.next_attempt_at - timezone.now()
    assert timedelta(seconds=55) < first_wait <= timedelta(minutes=1)

    capture = django_capture_on_commit_callbacks
    assert sweep_at(timezone.now() + timedelta(seconds=30), capture)["enqueued"] == 0  # waits its minute
    assert sweep_at(timezone.now() + timedelta(minutes=1), capture)["enqueued"] == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (QUEUED, 2)
    assert timedelta(seconds=115) < email.next_attempt_at - timezone.now() <= timedelta(minutes=2)  # twice as long
    assert sweep_at(timezone.now() + timedelta(minutes=2), capture)["enqueued"] == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == (FAILED, 3, None)
    assert "Connection refused" in email.last_error
    assert sweep_at(timezone.now() + timedelta(days=1), capture) == {"enqueued": 0, "given_up": 0}
    assert mail.outbox == []

    page = admin_client.get(reverse(CHANGELIST), {"status__exact": FAILED}).content.decode()
    assert "outbox1@example.com" in page and "Enrolment approved" in page and "Failed" in page
    detail = admin_client.get(reverse("admin:core_outboundemail_change", args=[email.pk])).content.decode()
    assert "Connection refused" in detail and "Status: Approved" in detail


def test_the_sweeper_gives_up_a_queued_row_out_of_attempts(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    past = timezone.now() - timedelta(hours=1)
    email = OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.ENROLMENT,
        to_email="x@example.com",
        subject="s",
        body="b",
        language="en",
        attempts=2,
        next_attempt_at=past,
    )
    assert sweep_at(timezone.now(), django_capture_on_commit_callbacks) == {"enqueued": 0, "given_up": 1}
    email.refresh_from_db()
    assert (email.status, email.last_error) == (FAILED, "Gave up after 2 attempts.")
    assert mail.outbox == []


def test_the_sweeper_gives_up_a_queued_row_that_never_finished_an_attempt_in_a_day(django_capture_on_commit_callbacks):
    """A sender killed mid-send every time counts no attempt: age bounds it instead."""
    fields = {"kind": OutboundEmail.Kind.ENROLMENT, "to_email": "x@example.com", "subject": "s", "body": "b"}
    now = timezone.now()
    young = OutboundEmail.objects.create(**fields, created_at=now - timedelta(hours=23), next_attempt_at=now)
    old = OutboundEmail.objects.create(**fields, created_at=now - timedelta(hours=25), next_attempt_at=now)
    summary = sweep_at(now, django_capture_on_commit_callbacks)
    assert summary == {"enqueued": 1, "given_up": 1}
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, old.attempts, old.last_error) == (FAILED, 0, "Gave up: not sent within 24 h.")
    assert young.status == SENT and len(mail.outbox) == 1  # the young one went out (eager task)


# ---- the admin: read-only, and the retry action ---------------------------------------------------------------------


@pytest.fixture
def failed_email(settings, admin_user, django_capture_on_commit_callbacks) -> OutboundEmail:
    settings.OUTBOX_MAX_ATTEMPTS = 1
    enrollment = pending_enrollment()
    smtp_server_down(settings)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_approve(enrollment=enrollment, actor=admin_user)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    (email,) = approval_emails(enrollment)
    assert email.status == FAILED
    mail.outbox.clear()
    return email


def operator(django_user_model, *codenames: str):
    user = django_user_model.objects.create_user(username=f"op-{len(codenames)}", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="core", codename__in=codenames))
    return user


def retry_post(client, email: OutboundEmail):
    return client.post(reverse(CHANGELIST), {"action": "retry_failed", "_selected_action": [email.pk]}, follow=True)


def test_retry_action_with_permission_sends_again_and_is_audited(
    client, django_user_model, failed_email, django_capture_on_commit_callbacks
):
    user = operator(django_user_model, "view_outboundemail", "retry_outboundemail")
    client.force_login(user)
    assert "retry_failed" in client.get(reverse(CHANGELIST)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = retry_post(client, failed_email)
    assert "1 email(s) queued again." in response.content.decode()
    failed_email.refresh_from_db()
    assert (failed_email.status, failed_email.attempts) == (SENT, 1)
    (message,) = mail.outbox
    assert message.subject.startswith("Enrolment approved")
    (event,) = AuditEvent.objects.filter(action="outbound_email.retried")
    assert (event.actor, event.target_type, event.target_id) == (user, "core.outboundemail", str(failed_email.pk))
    assert event.data["attempts"] == 1 and "Connection refused" in event.data["last_error"]

    with django_capture_on_commit_callbacks(execute=True):  # a sent email is not failed: left alone
        response = retry_post(client, failed_email)
    assert "were not failed and were left as they are" in response.content.decode() and len(mail.outbox) == 1


def test_retry_action_without_permission_changes_nothing(
    client, django_user_model, failed_email, django_capture_on_commit_callbacks
):
    user = operator(django_user_model, "view_outboundemail")
    client.force_login(user)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "outbox1@example.com" in page and "retry_failed" not in page  # may read, may not retry
    with django_capture_on_commit_callbacks(execute=True):
        retry_post(client, failed_email)
    failed_email.refresh_from_db()
    assert failed_email.status == FAILED and mail.outbox == []
    assert not AuditEvent.objects.filter(action="outbound_email.retried").exists()
    with pytest.raises(PermissionDenied):  # the service checks too, for any caller
        outbound_emails_retry(email_ids=[failed_email.pk], actor=user)
    # Read-only: no add, change or delete for anyone, superusers included.
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "x"))
    assert client.get(reverse("admin:core_outboundemail_add")).status_code == 403
    assert client.post(reverse("admin:core_outboundemail_delete", args=[failed_email.pk])).status_code == 403


# ---- password reset: the one-time link ------------------------------------------------------------------------------


def test_a_sent_password_reset_body_is_redacted_and_never_shown(
    client, admin_client, settings, django_capture_on_commit_callbacks
):
    t = trader()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": t.email})
    (message,) = mail.outbox
    assert "/accounts/reset/" in message.body  # the trader got the link...
    (email,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.PASSWORD_RESET)
    assert (email.status, email.body, email.body_redacted) == (SENT, REDACTED_BODY, True)  # ...the outbox keeps none
    assert (email.to_email, email.subject, email.target_type, email.target_id) == (
        t.email,
        "Reset your Starboard password",
        "auth.user",
        str(t.user_id),
    )

    smtp_server_down(settings)  # not sent yet: the body (and link) is kept for the retry, but not shown
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": t.email}, REMOTE_ADDR="10.9.0.9")
    queued = OutboundEmail.objects.get(kind=OutboundEmail.Kind.PASSWORD_RESET, status=QUEUED)
    assert "/accounts/reset/" in queued.body and not queued.body_redacted
    for row in (email, queued):
        detail = admin_client.get(reverse("admin:core_outboundemail_change", args=[row.pk])).content.decode()
        assert "/accounts/reset/" not in detail and "Not shown: a password-reset email" in detail


# ---- a real worker --------------------------------------------------------------------------------------------------

WORKER_QUEUE = "pytest-outbox"


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_approval_email(tmp_path, monkeypatch, admin_user, django_db_blocker):
    env = {
        **celery_worker_env(django_db_blocker),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    args = ["--concurrency=1", "--without-gossip", "--without-mingle", f"--queues={WORKER_QUEUE}"]
    args.append("--hostname=pytest-outbox@%h")
    # Our own queue, so a worker another test left running (with another email backend) cannot take the message.
    monkeypatch.setattr(send_email, "_exec_options", {**send_email._get_exec_options(), "queue": WORKER_QUEUE})
    enrollment = pending_enrollment()
    with celery_worker_running(env=env, args=args, log_name="celery-worker-outbox.log") as worker:
        enrollment_approve(enrollment=enrollment, actor=admin_user)  # committed: enqueued to Redis on commit
        (email,) = approval_emails(enrollment)
        # Wait for both: the row sent, and the worker's log line that says so (written just after the commit).
        deadline = time.monotonic() + 240  # generous: CI is a loaded 2-core machine
        while time.monotonic() < deadline:
            log = worker.log_path.read_text()
            if not OutboundEmail.objects.filter(status=QUEUED).exists() and "succeeded" in log:
                break
            time.sleep(0.2)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (SENT, 1), log[-3000:]
    assert email.sent_at is not None
    written = "\n".join(path.read_text() for path in tmp_path.iterdir())
    assert f"Subject: {email.subject}" in written and "To: outbox1@example.com" in written
    assert "Status: Approved" in written
    assert "campaigns.tasks.send_email" in log and "succeeded" in log  # it ran there, not eagerly here
    assert mail.outbox == []
