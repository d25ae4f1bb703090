"""Compute and publish rankings: every rolling window and every started leaderboard period, or the ones asked for."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from campaigns.models import Campaign
from leaderboard.models import RankingRun
from leaderboard.scoring import RulesError
from leaderboard.services.ranking import rankings_publish


class Command(BaseCommand):
    help = (
        "Compute and publish a RankingRun (with all its standings, in one transaction) per campaign and window. "
        "Without options: every started campaign, the 7d/30d/90d windows and each open leaderboard period."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", metavar="SLUG", help="Only this campaign (default: every started one)")
        parser.add_argument(
            "--window",
            choices=[w.value for w in RankingRun.Window],
            help="Only this window; 'period' ranks the campaign's leaderboard reward periods",
        )
        parser.add_argument(
            "--all-periods", action="store_true", help="Also re-rank closed periods (default: open ones only)"
        )

    def handle(self, *args, **options):
        campaigns = None
        if options["campaign"]:
            campaigns = list(Campaign.objects.filter(slug=options["campaign"]))
            if not campaigns:
                raise CommandError(f"No campaign with slug {options['campaign']!r}.")
        windows = [options["window"]] if options["window"] else None
        try:
            runs, skipped = rankings_publish(
                campaigns=campaigns,
                windows=windows,
                include_closed_periods=options["all_periods"],
                progress=lambda jobs: tqdm(jobs, desc="rank", unit="run", disable=options["verbosity"] < 1),
            )
        except RulesError as exc:
            raise CommandError(f"Invalid ranking rules: {exc}") from exc
        for reason in skipped:
            self.stderr.write(f"skipped {reason}")
        if not runs and skipped:
            raise CommandError(f"Nothing ranked: {len(skipped)} window(s) skipped (see above).")
        standings = sum(run.trader_count for run in runs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Published {len(runs)} ranking run(s) with {standings} standings; skipped {len(skipped)}."
            )
        )
