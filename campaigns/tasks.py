"""Celery tasks of the campaigns app: thin wrappers that load ids and call one service."""

from celery import shared_task

from campaigns.models import Campaign
from campaigns.services.audit import SYSTEM
from campaigns.services.outbox import outbound_email_send, outbound_emails_sweep
from campaigns.services.periods import reward_periods_ensure


@shared_task(name="campaigns.tasks.ensure_periods")
def ensure_periods(campaign_id: int) -> int:
    """Create any missing reward periods of a campaign's pools (after an operator adds or edits a pool)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    return len(reward_periods_ensure(campaign=campaign))


@shared_task(name="campaigns.tasks.close_periods")
def close_periods() -> dict:
    """Close every ended reward period and calculate a draft payout batch for each (beat, every 15 minutes)."""
    from campaigns.services.payouts import reward_periods_close

    summary = reward_periods_close(actor=SYSTEM)  # drafts by the system: any one approver, then another payer
    return {"closed": summary.closed, "calculated": summary.calculated, "waiting": summary.waiting}


@shared_task(name="campaigns.tasks.send_email", acks_late=True)  # a worker that dies mid-send: delivered again
def send_email(email_id: int) -> str:
    """Send one outbox email once (campaigns/services/outbox.py); failures are recorded on the row and retried by
    sweep_emails, not by Celery, so every attempt is visible to operators."""
    return outbound_email_send(email_id=email_id)


@shared_task(name="campaigns.tasks.sweep_emails")
def sweep_emails() -> dict:
    """Enqueue again the queued emails that are due (lost at the broker, or a failed send); give up after N (beat)."""
    summary = outbound_emails_sweep()
    return {"enqueued": summary.enqueued, "given_up": summary.given_up}
