"""Celery tasks of the campaigns app: thin wrappers that load ids and call one service."""

import smtplib

from celery import shared_task

from campaigns.models import Campaign
from campaigns.services.mail import email_deliver
from campaigns.services.periods import reward_periods_ensure

# Delivery retries wait up to 30 s, 1 min, 2 min, ... (random below each, capped at 30 min): at most ~1.5 h in all.
EMAIL_MAX_RETRIES = 8


@shared_task(name="campaigns.tasks.ensure_periods")
def ensure_periods(campaign_id: int) -> int:
    """Create any missing reward periods of a campaign's pools (after an operator adds or edits a pool)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    return len(reward_periods_ensure(campaign=campaign))


@shared_task(name="campaigns.tasks.close_periods")
def close_periods() -> dict:
    """Close every ended reward period and calculate a draft payout batch for each (beat, every 15 minutes)."""
    from campaigns.services.payouts import reward_periods_close

    summary = reward_periods_close()
    return {"closed": summary.closed, "calculated": summary.calculated, "waiting": summary.waiting}


@shared_task(
    name="campaigns.tasks.send_email",
    acks_late=True,  # a worker that dies mid-send leaves the message queued: at least once, never lost
    autoretry_for=(smtplib.SMTPException, OSError),  # refused connection, timeout, 4xx/5xx from the server
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=EMAIL_MAX_RETRIES,
)
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    """Deliver one already-rendered email (campaigns/services/mail.py renders it in the recipient's language)."""
    return email_deliver(subject=subject, body=body, to=to, from_email=from_email)
