"""Lead traders, their exchange accounts and data, ingestion."""

from django.apps import AppConfig


class TradersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "traders"
