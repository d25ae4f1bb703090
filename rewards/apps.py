"""Payouts of the reward pools: batches, lines, allocation, the payout desk."""

from django.apps import AppConfig


class RewardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rewards"
