"""The bottom layer as an app: the audit log and the email outbox (models), their admin and tasks."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
