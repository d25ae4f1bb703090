"""The results app's answer to campaigns' hooks."""

from results.services import results_bundle_publish


def publish_on_approval(sender, *, batch, **kwargs) -> None:
    """An approved batch is published in the approval's own transaction (see results.services)."""
    results_bundle_publish(batch_id=batch.pk)
