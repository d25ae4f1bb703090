"""Hooks that apps above rewards connect to (rewards never imports them)."""

from django.dispatch import Signal

# Sent inside payout_batch_approve's transaction, after the batch is saved approved: kwargs batch, actor. A receiver
# that raises rolls the approval back (results publishes the batch's bundle here: an approval is never unpublished).
payout_batch_approved = Signal()
