"""Celery tasks of the email outbox: thin wrappers around one service each. Task names keep their first spelling
(beat rows and queued messages hold them)."""

from celery import shared_task

from core.services.outbox import outbound_email_send, outbound_emails_sweep


@shared_task(name="campaigns.tasks.send_email", acks_late=True)  # a worker that dies mid-send: delivered again
def send_email(email_id: int) -> str:
    """Send one outbox email once (core/services/outbox.py); failures are recorded on the row and retried by
    sweep_emails, not by Celery, so every attempt is visible to operators."""
    return outbound_email_send(email_id=email_id)


@shared_task(name="campaigns.tasks.sweep_emails")
def sweep_emails() -> dict:
    """Enqueue again the queued emails that are due (lost at the broker, or a failed send); give up after N (beat)."""
    summary = outbound_emails_sweep()
    return {"enqueued": summary.enqueued, "given_up": summary.given_up}
