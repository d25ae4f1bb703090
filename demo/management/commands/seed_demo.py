"""Seed a living demo: both campaign phases, a simulated trader population and everything built on it."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from campaigns.services.periods import reward_periods_ensure
from demo import campaigns as campaign_demo
from demo import regime as regime_demo
from demo import traders as leaderboard_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo campaigns and a clearly labelled simulated population. Idempotent."

    def handle(self, *args, **options):
        started = time.monotonic()
        steps = []
        with transaction.atomic():
            campaigns = campaign_demo.seed_campaigns()
            periods = [p for campaign in campaigns for p in reward_periods_ensure(campaign=campaign)]
            steps.append(f"{len(campaigns)} campaigns with {len(periods)} reward periods")
            population, table = leaderboard_demo.demo_population()
            traders = leaderboard_demo.seed_traders(population=population)
            steps.append(f"{len(traders)} simulated traders")
            steps.append(campaign_demo.seed_enrolments(campaigns=campaigns, traders=traders))
            steps.append(f"{leaderboard_demo.seed_performance(table=table)} daily equity rows")
            # Some traders' simulated fills, positions and ledger, through the ingestion's upserts.
            steps.append(leaderboard_demo.seed_exchange_data(table=table))
        steps.append(regime_demo.seed_regime())
        # After performance, enrolments and BTC: rankings read all three.
        steps.append(leaderboard_demo.seed_rankings())
        # After rankings: the monthly leaderboard payouts read the published period runs.
        steps.append(campaign_demo.seed_posts_and_payouts())
        self.stdout.write(self.style.SUCCESS(f"Demo seeded in {time.monotonic() - started:.1f}s: " + "; ".join(steps)))
