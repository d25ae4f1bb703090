from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "results"
    verbose_name = _("Published results")

    def ready(self):
        from results.receivers import publish_on_approval
        from rewards.signals import payout_batch_approved

        payout_batch_approved.connect(publish_on_approval, dispatch_uid="results.publish_on_approval")
