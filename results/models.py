from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedBundle(models.Model):
    """What decided one approved payout batch, published: the bundle's files and its place in the campaign's chain.

    sha256 is the SHA-256 of manifest.json, which lists every other file's SHA-256 and the campaign's previous
    bundle's sha256 (previous_sha256, empty for the first): changing or removing a published bundle shows in the
    next one. Rows are only ever added (results.services); nothing updates or deletes them.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="results_bundles")
    batch = models.OneToOneField("rewards.PayoutBatch", on_delete=models.PROTECT, related_name="results_bundle")
    sequence = models.PositiveIntegerField(_("number in the campaign's chain"))
    sha256 = models.CharField(_("SHA-256 of the bundle"), max_length=64, unique=True)
    previous_sha256 = models.CharField(_("SHA-256 of the previous bundle"), max_length=64, blank=True)
    files = models.JSONField(_("files"), help_text=_("File name to its exact text"))
    published_at = models.DateTimeField(_("published at"))
    check_result = models.TextField(
        _("recomputed at publication"), help_text=_('"matches", or the first difference the verifier found')
    )

    class Meta:
        ordering = ["campaign_id", "sequence"]
        verbose_name = _("published results bundle")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sequence"], name="uniq_results_campaign_sequence"),
            models.UniqueConstraint(fields=["campaign", "previous_sha256"], name="uniq_results_campaign_previous"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} #{self.sequence} {self.sha256[:12]}"

    @property
    def matches(self) -> bool:
        return self.check_result == "matches"

    def file_bytes(self, name: str) -> bytes:
        return self.files[name].encode("utf-8")
