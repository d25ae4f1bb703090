"""Post submission from "My campaign": the form validates, campaigns.services.posts.post_submit writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import selectors
from campaigns.forms_posts import PostSubmissionForm
from campaigns.services.posts import post_submit
from traders.selectors import trader_of_user


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_new(request):
    trader = trader_of_user(request.user)
    campaigns = selectors.campaign_list_for_posting(trader=trader)
    if trader is None or not campaigns.exists():
        messages.error(request, _("Enrol in a campaign before submitting posts."))
        return redirect("campaigns:me")
    form = PostSubmissionForm(request.POST or None, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post_submit(
                campaign=data["campaign"],
                trader=trader,
                url=data["url"],
                text=data["text"],
                published_at=data["published_at"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Post submitted. A moderator will review it."))
            return redirect("campaigns:me")
    return render(request, "campaigns/post_new.html", {"form": form, "trader": trader})
