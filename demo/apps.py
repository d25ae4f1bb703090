"""The demo: seeding and simulation (installed in local settings only, never in production)."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
