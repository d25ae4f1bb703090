"""The post moderation queue of the admin (registered in campaigns/admin.py).

Every change goes through campaigns.services.posts, so it is audited and the rules (reason required) hold whatever
screen or command the operator uses.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from campaigns.models import Post
from campaigns.services.posts import posts_moderate
from campaigns.templatetags.post_text import post_html, web_link

# --- posts -----------------------------------------------------------------------------------------------------


class RejectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class DuplicateFilter(admin.SimpleListFilter):
    title = _("originality")
    parameter_name = "originality"

    def lookups(self, request, model_admin):
        return [
            ("copied", _("Near-duplicate of an earlier post")),
            ("short", _("Too short")),
            ("off_topic", _("Not trading related")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "copied":
            return queryset.filter(duplicate_of__isnull=False)
        if self.value() == "short":
            return queryset.filter(checks__long_enough=False)
        if self.value() == "off_topic":
            return queryset.filter(is_trading_related=False)
        return queryset


class PostModerationAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "trader",
        "status",
        "originality",
        "is_featured",
        "is_home_page",
        "views",
        "likes",
        "copy_volume",
        "published_at",
    ]
    list_filter = ["status", DuplicateFilter, "is_featured", "is_home_page", "campaign", "source"]
    search_fields = ["url", "text", "trader__display_name", "trader__exchange_uid"]
    list_select_related = ["trader", "duplicate_of"]
    raw_id_fields = ["trader", "duplicate_of"]
    date_hierarchy = "published_at"
    # Moderation changes go through the actions (audited), never through the edit form.
    readonly_fields = [
        "text_preview",
        "status",
        "rejection_reason",
        "is_featured",
        "is_home_page",
        "duplicate_of",
        "similarity",
        "length",
        "is_trading_related",
        "checks",
        "reviewed_at",
        "reviewed_by",
        "source",
    ]
    exclude = ["text"]
    actions = ["mark_quality", "reject_selected", "feature", "unfeature", "put_on_home_page", "take_off_home_page"]

    @admin.display(description=_("post"))
    def excerpt(self, obj: Post):
        return web_link(obj.url, Truncator(obj.text).chars(80))

    @admin.display(description=_("text"))
    def text_preview(self, obj: Post):
        return post_html(obj.text)

    @admin.display(description=_("checks"))
    def originality(self, obj: Post):
        flags = []
        if obj.duplicate_of_id:
            percent = f"{(obj.similarity or 0) * 100:.0f}"  # formatted, not round(): a stored inf must not crash
            flags.append(_("copies #%(id)s (%(sim)s%%)") % {"id": obj.duplicate_of_id, "sim": percent})
        if obj.checks and not obj.checks.get("long_enough", True):
            flags.append(_("short (%(n)s)") % {"n": obj.length})
        if not obj.is_trading_related:
            flags.append(_("not trading related"))
        return "; ".join(str(f) for f in flags) or "✓"

    def _moderate(self, request, queryset, action: str, reason: str = ""):
        try:
            result = posts_moderate(
                post_ids=list(queryset.values_list("pk", flat=True)), action=action, actor=request.user, reason=reason
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return
        self.message_user(
            request, _("%(changed)d post(s) updated, %(skipped)d unchanged.") % result.__dict__, level=messages.SUCCESS
        )

    @admin.action(description=_("Mark selected posts quality"), permissions=["change"])
    def mark_quality(self, request, queryset):
        self._moderate(request, queryset, "quality")

    @admin.action(description=_("Reject selected posts (with a reason)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectionForm(request.POST if request.POST.get("apply") else None)
        if form.is_bound and form.is_valid():
            self._moderate(request, queryset, "reject", form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject posts"),
            "posts": list(queryset.select_related("trader")),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/campaigns/post/reject.html", context)

    @admin.action(description=_("Feature selected posts"), permissions=["change"])
    def feature(self, request, queryset):
        self._moderate(request, queryset, "feature")

    @admin.action(description=_("Remove selected posts from featured"), permissions=["change"])
    def unfeature(self, request, queryset):
        self._moderate(request, queryset, "unfeature")

    @admin.action(description=_("Recommend selected posts on the home page"), permissions=["change"])
    def put_on_home_page(self, request, queryset):
        self._moderate(request, queryset, "home_page")

    @admin.action(description=_("Take selected posts off the home page"), permissions=["change"])
    def take_off_home_page(self, request, queryset):
        self._moderate(request, queryset, "unhome_page")
