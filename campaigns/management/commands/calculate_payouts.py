"""Calculate (or recalculate) the draft payout batch of one reward period."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import RewardPeriod
from campaigns.services.payouts import payout_batch_calculate


class Command(BaseCommand):
    help = (
        "Calculate the draft payout batch of a reward period, replacing the lines of its draft if there is one. "
        "An approved batch is frozen and is never recalculated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=int, required=True, help="RewardPeriod id")
        parser.add_argument("--as-user", help="Username recorded as the calculator (they cannot approve it)")

    def handle(self, *args, **options):
        try:
            period = RewardPeriod.objects.select_related("pool__campaign").get(pk=options["period"])
        except RewardPeriod.DoesNotExist as exc:
            raise CommandError(f"No reward period with id {options['period']}") from exc
        actor = None
        if options["as_user"]:
            actor = get_user_model().objects.filter(username=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['as_user']!r}")
        try:
            batch = payout_batch_calculate(period=period, actor=actor)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{period}: draft batch {batch.pk} with {batch.lines.count()} lines, total {batch.total} "
                f"{period.pool.currency}, unspent {batch.unspent}."
            )
        )
