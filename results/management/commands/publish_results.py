"""Publish the results bundle of every approved batch that has none yet (approved before results existed)."""

from django.core.management.base import BaseCommand

from results.services import results_publish_missing


class Command(BaseCommand):
    help = "Publish a results bundle for every approved or paid payout batch without one, oldest approval first."

    def handle(self, *args, **options):
        published = results_publish_missing()
        for bundle in published:
            self.stdout.write(
                f"batch {bundle.batch_id}: bundle #{bundle.sequence} {bundle.sha256} ({bundle.check_result})"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(published)} bundle(s) published."))
