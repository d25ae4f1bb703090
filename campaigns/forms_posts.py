"""The trader's post-submission form ("My campaign")."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.services.posts import MAX_TEXT, post_time_error


class PostSubmissionForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), label=_("Campaign"), empty_label=None)
    url = forms.URLField(
        label=_("Link to the post on Square"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://www.gate.com/post/..."}),
    )
    text = forms.CharField(
        label=_("Post text"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}), strip=True
    )
    published_at = forms.DateTimeField(
        label=_("Published at (campaign time zone)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean(self):
        cleaned = super().clean()
        campaign, published_at = cleaned.get("campaign"), cleaned.get("published_at")
        if campaign and published_at:
            # The wall-clock time the trader typed is in the campaign's zone, whatever zone the site runs in.
            published_at = published_at.replace(tzinfo=None).replace(tzinfo=campaign.zone)
            cleaned["published_at"] = published_at
            error = post_time_error(campaign=campaign, published_at=published_at, now=timezone.now())
            if error is not None:
                self.add_error("published_at", error)
        return cleaned
