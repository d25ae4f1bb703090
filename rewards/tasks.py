"""Celery tasks of rewards: thin wrappers around one service each. Task names keep their first spelling (beat rows
and queued messages hold them)."""

from celery import shared_task

from core.services.audit import SYSTEM
from rewards.services.payouts import reward_periods_close


@shared_task(name="campaigns.tasks.close_periods")
def close_periods() -> dict:
    """Close every ended reward period and calculate a draft payout batch for each (beat, every 15 minutes)."""
    summary = reward_periods_close(actor=SYSTEM)  # drafts by the system: any one approver, then another payer
    return {"closed": summary.closed, "calculated": summary.calculated, "waiting": summary.waiting}
