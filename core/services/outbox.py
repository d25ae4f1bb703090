"""The transactional email outbox: every email is a row written with the change it reports, then sent by a task.

- outbound_email_queue: called inside the business transaction; writes the already-rendered email (status queued)
  and, once the transaction commits, hands its id to campaigns.tasks.send_email. A rolled-back change leaves no
  row and sends nothing. If the broker is down at that moment the enqueue is only logged: the row stays queued.
- outbound_email_send (the task): locks the row (SELECT ... FOR UPDATE SKIP LOCKED), sends it only while it is
  still queued, and marks it sent in the same transaction, so a task that runs twice (a redelivery, the sweeper's
  copy) or two workers at once send it once. The lock is held during the SMTP call; a worker that dies before
  its commit leaves the row queued and it is sent again later: at least once, never silently lost.
  A failed send is recorded (attempts, last_error) and tried again after a growing wait; after
  OUTBOX_MAX_ATTEMPTS failures the row is marked failed.
- outbound_emails_sweep (beat, every minute): hands every queued row whose next attempt is due to the broker again
  (the enqueue at commit was lost, or a send failed), and marks failed a queued row that used all its attempts.
- outbound_emails_retry: an operator puts failed rows back in the queue (permission-checked, audited).

Password-reset emails carry a one-time link that signs the recipient in. The outbox never holds it: the body is
stored with a placeholder where the link's token goes, and the token is made when the email is sent
(core/services/password_reset.py), so a queued or failed row holds no working link and a retry sends a fresh
one. Once sent the body is replaced by a note anyway: subject, recipient, language and times stay as the record of
what was sent. The admin never shows such a body, and never filters or searches by any body
(core/secret_fields.py).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.models import OutboundEmail
from core.services.audit import audit_record
from core.services.mail import RenderedEmail, email_deliver
from core.services.password_reset import password_reset_body

logger = logging.getLogger(__name__)

SKIPPED = "skipped"  # outbound_email_send found nothing to send: already sent or failed, or being sent right now
REDACTED_BODY = "[Removed after sending: this email contained a one-time password-reset link.]"
SWEEP_BATCH = 500
RETRY_PERMISSION = "core.retry_outboundemail"


@dataclass(frozen=True)
class SweepSummary:
    enqueued: int
    given_up: int


def outbound_email_queue(
    *,
    email: RenderedEmail,
    to: str,
    kind: str,
    from_email: str | None = None,
    target: models.Model | None = None,
    now: datetime | None = None,
) -> OutboundEmail:
    """Write the email to the outbox in the current transaction; it is enqueued for sending once that commits."""
    now = now or timezone.now()
    row = OutboundEmail.objects.create(
        kind=kind,
        to_email=to,
        from_email=from_email or "",
        subject=email.subject,
        body=email.body,
        language=email.language,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        created_at=now,
        next_attempt_at=now + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS),
    )
    _enqueue_on_commit(row.pk)
    return row


@sensitive_variables("body")  # a reset email's body holds its live link here: kept out of error reports
def outbound_email_send(*, email_id: int, now: datetime | None = None) -> str:
    """Send one queued email once; returns its status afterwards ('sent', 'queued' to retry, 'failed') or SKIPPED."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return SKIPPED
        body = _body_to_send(email)
        if body is None:
            return _record_undeliverable(email=email, now=now or timezone.now())
        try:
            email_deliver(subject=email.subject, body=body, to=[email.to_email], from_email=email.from_email or None)
        except Exception as exc:  # SMTP, network, a refused address: recorded on the row, tried again later
            logger.warning("Outbound email %s not sent (attempt %s): %r", email.pk, email.attempts + 1, exc)
            return _record_failure(email=email, error=exc, now=now or timezone.now())
        _record_sent(email=email, now=now or timezone.now())
        return OutboundEmail.Status.SENT


def outbound_emails_sweep(*, now: datetime | None = None) -> SweepSummary:
    """Enqueue again every queued email whose next attempt is due; mark failed those out of attempts or older than
    OUTBOX_MAX_AGE_SECONDS (an operator can still retry them from the admin)."""
    now = now or timezone.now()
    enqueued = given_up = 0
    with transaction.atomic():
        due = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:SWEEP_BATCH]
        )
        too_old = now - timedelta(seconds=settings.OUTBOX_MAX_AGE_SECONDS)
        for email in due:
            # Out of attempts, or never finished one in time (a worker killed mid-send each time counts no attempt).
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS or email.created_at <= too_old:
                email.status = OutboundEmail.Status.FAILED
                if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                    reason = f"Gave up after {email.attempts} attempts."
                else:
                    reason = f"Gave up: not sent within {settings.OUTBOX_MAX_AGE_SECONDS // 3600} h."
                email.last_error = email.last_error or reason
                email.save(update_fields=["status", "last_error"])
                given_up += 1
            else:
                email.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
                email.save(update_fields=["next_attempt_at"])
                _enqueue_on_commit(email.pk)
                enqueued += 1
    return SweepSummary(enqueued=enqueued, given_up=given_up)


@transaction.atomic
def outbound_emails_retry(*, email_ids: list[int], actor, now: datetime | None = None) -> int:
    """Put failed emails back in the queue with a fresh set of attempts; one audit event each. Returns how many."""
    if actor is None or not actor.has_perm(RETRY_PERMISSION):
        raise PermissionDenied
    now = now or timezone.now()
    retried = 0
    failed = OutboundEmail.objects.select_for_update().filter(pk__in=email_ids, status=OutboundEmail.Status.FAILED)
    for email in failed.order_by("id"):
        previous_attempts = email.attempts
        email.status = OutboundEmail.Status.QUEUED
        email.attempts = 0
        email.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            action="outbound_email.retried",
            target=email,
            actor=actor,
            data={
                "kind": email.kind,
                "to": email.to_email,
                "attempts": previous_attempts,
                "last_error": email.last_error,
            },
        )
        _enqueue_on_commit(email.pk)
        retried += 1
    return retried


def retry_delay(*, attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed sends: 1, 2, 4, ... minutes, capped."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS))


def _record_sent(*, email: OutboundEmail, now: datetime) -> None:
    fields = {"status": OutboundEmail.Status.SENT, "sent_at": now, "attempts": email.attempts + 1}
    if email.kind == OutboundEmail.Kind.PASSWORD_RESET:
        fields.update(body=REDACTED_BODY, body_redacted=True)
    # Conditional: only a row still queued becomes sent (the lock above already makes this the only writer).
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.QUEUED).update(**fields)


def _body_to_send(email: OutboundEmail) -> str | None:
    if email.kind == OutboundEmail.Kind.PASSWORD_RESET:
        return password_reset_body(body=email.body, user_id=email.target_id)
    return email.body


def _record_undeliverable(*, email: OutboundEmail, now: datetime) -> str:
    """A reset for an account that can no longer reset its password: failed at once, no retry would change it."""
    email.attempts += 1
    email.status = OutboundEmail.Status.FAILED
    email.last_error = "Not sent: the account was deleted or deactivated, or has no usable password."
    email.next_attempt_at = now
    email.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
    return email.status


def _record_failure(*, email: OutboundEmail, error: Exception, now: datetime) -> str:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    email.next_attempt_at = now + retry_delay(attempts=email.attempts)
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        email.status = OutboundEmail.Status.FAILED
    email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
    return email.status


def _enqueue_on_commit(email_id: int) -> None:
    transaction.on_commit(lambda: _enqueue(email_id), robust=True)


def _enqueue(email_id: int) -> None:
    """Hand the id to the broker; if it is down the row stays queued and the sweeper enqueues it again later."""
    from core.tasks import send_email

    try:
        send_email.delay(email_id)
    except Exception:
        logger.warning(
            "Outbound email %s not enqueued (broker unavailable?); the sweeper will retry.", email_id, exc_info=True
        )
