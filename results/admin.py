from django.contrib import admin

from core.admin_readonly import ReadOnlyModelAdmin
from results.models import PublishedBundle


@admin.register(PublishedBundle)
class PublishedBundleAdmin(ReadOnlyModelAdmin):
    """Published bundles are written by results.services alone and never changed: the admin only shows them."""

    list_display = ["campaign", "sequence", "batch", "sha256", "published_at", "check_result"]
    list_filter = ["campaign"]
    exclude = ["files"]
    readonly_fields = ["campaign", "batch", "sequence", "sha256", "previous_sha256", "published_at", "check_result"]
