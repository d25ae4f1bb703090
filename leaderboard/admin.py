from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from campaigns.periods import local_minute
from core.admin_readonly import ReadOnlyModelAdmin
from core.console import Queue, queue_register
from core.validators import validate_multiline
from leaderboard.models import FLAG_LABELS, FlagReview, RankingRun, Standing
from leaderboard.selectors import standings_awaiting_review
from leaderboard.services.flag_review import MAX_DAYS, PERMISSION, REASON_MAX, flag_review_record, standings_to_review
from traders.forms import NormalisedCharField


@admin.register(RankingRun)
class RankingRunAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "campaign",
        "window",
        "period",
        "start_date",
        "end_date",
        "status",
        "trader_count",
        "published_at",
    ]
    list_filter = ["status", "window", "campaign"]


class FlagReviewForm(forms.Form):
    """The operator's decision on one flag of the selected traders."""

    code = forms.ChoiceField(label=_("Flag"))
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=FlagReview.Decision.choices,
        initial=FlagReview.Decision.CLEARED,
        widget=forms.RadioSelect,
    )
    reason = NormalisedCharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("What the investigation found. Kept with the review and in the audit log, not shown publicly."),
    )
    valid_days = forms.IntegerField(
        label=_("Clearance lasts (days)"),
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        help_text=_("Empty: until the campaign ends. Upholding the flag later ends a clearance at once."),
    )

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(code, FLAG_LABELS.get(code, code)) for code in codes]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == FlagReview.Decision.UPHELD and cleaned.get("valid_days"):
            self.add_error("valid_days", _("Only a clearance can have an end."))
        return cleaned


class FlaggedFilter(admin.SimpleListFilter):
    title = _("anti-gaming flags")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("open", _("Awaiting review (newest rankings)")), ("yes", _("Flagged")), ("no", _("No flag"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(pk__in=standings_awaiting_review())
        if self.value() == "yes":
            return queryset.exclude(flags=[])
        if self.value() == "no":
            return queryset.filter(flags=[])
        return queryset


def _codes(standing: Standing) -> list[str]:
    return [code for code in standing.flag_codes if code in FLAG_LABELS]


@admin.register(Standing)
class StandingAdmin(ReadOnlyModelAdmin):
    list_display = ["run", "rank", "trader", "score", "roi", "pnl", "max_drawdown", "eligible", "flag_summary"]
    list_filter = ["eligible", FlaggedFilter, "run__window", "run__campaign"]
    search_fields = ["trader__display_name", "trader__exchange_uid"]
    raw_id_fields = ["run", "trader"]
    list_select_related = ["trader", "run"]
    actions = ["review_flag"]

    @admin.display(description=_("flags"))
    def flag_summary(self, obj: Standing):
        cleared = {f.get("code") for f in obj.cleared_flags}
        labels = []
        for code in dict.fromkeys(_codes(obj)):
            label = str(FLAG_LABELS[code])
            labels.append(_("%(flag)s (cleared by operator)") % {"flag": label} if code in cleared else label)
        return "; ".join(str(label) for label in labels) or "—"

    def has_review_flag_permission(self, request) -> bool:
        return request.user.has_perm(PERMISSION)

    @admin.action(
        description=_("Review a flag of the selected traders (clear or uphold, with a reason)"),
        permissions=["review_flag"],
    )
    def review_flag(self, request, queryset):
        """Ask for the decision and the reason on an intermediate page, then record one review per trader and
        campaign, citing the newest selected standing that carries the flag."""
        standings = list(queryset.select_related("trader", "run__campaign").order_by("-run__published_at", "-id"))
        codes = sorted({code for s in standings for code in _codes(s)})
        if not codes:
            self.message_user(request, _("None of the selected traders carries a flag."), level=messages.WARNING)
            return None
        form = FlagReviewForm(request.POST if request.POST.get("apply") else None, codes=codes)
        if form.is_bound and form.is_valid():
            return self._record_reviews(request, standings, form.cleaned_data)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review an anti-gaming flag"),
            "standings": standings,
            "form": form,
            "action": "review_flag",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/leaderboard/standing/review_flag.html", context)

    def _record_reviews(self, request, standings: list[Standing], data: dict):
        chosen = standings_to_review(standings=standings, code=data["code"])
        carriers = {s.trader_id for s in chosen}
        done, refused = 0, []
        for standing in chosen:
            try:
                flag_review_record(
                    standing=standing,
                    code=data["code"],
                    decision=data["decision"],
                    reason=data["reason"],
                    actor=request.user,
                    valid_days=data["valid_days"],
                )
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                refused.append(f"{standing.trader.display_name}: {text}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(count)d flag review(s) recorded; the next ranking runs apply them.") % {"count": done},
                level=messages.SUCCESS,
            )
        skipped = sorted({s.trader.display_name for s in standings if s.trader_id not in carriers})
        if skipped:
            self.message_user(
                request,
                _("Skipped, no such flag: %(names)s") % {"names": ", ".join(skipped)},
                level=messages.WARNING,
            )
        for text in refused:
            self.message_user(request, text, level=messages.ERROR)
        return None


@admin.register(FlagReview)
class FlagReviewAdmin(ReadOnlyModelAdmin):
    """The record of flag reviews. Reviews are made with the action on standings (permission, audit), never here."""

    list_display = ["reviewed_local", "trader", "campaign", "code", "decision", "ends_local", "reviewed_by", "run"]
    list_filter = ["decision", "code", "campaign"]
    search_fields = ["trader__display_name", "trader__exchange_uid", "reason"]
    list_select_related = ["trader", "campaign", "reviewed_by", "run"]

    @admin.display(description=_("reviewed at"), ordering="reviewed_at")
    def reviewed_local(self, obj: FlagReview):
        return f"{local_minute(obj.reviewed_at, obj.campaign.zone)} ({obj.campaign.time_zone})"

    @admin.display(description=_("clearance ends at"), ordering="expires_at")
    def ends_local(self, obj: FlagReview):
        if obj.decision != FlagReview.Decision.CLEARED:
            return "—"
        if obj.expires_at is None:
            return _("when the campaign ends")
        return f"{local_minute(obj.expires_at, obj.campaign.zone)} ({obj.campaign.time_zone})"


queue_register(
    Queue(Standing, _("Anti-gaming flags to review"), standings_awaiting_review, lambda: {"flagged": "open"})
)
