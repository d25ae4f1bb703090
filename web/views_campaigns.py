"""Public sign-up, enrolment and "My campaign" pages. Thin: forms validate, services write, selectors read."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import selectors
from campaigns.forms import QuestionnaireForm, questionnaire_errors
from campaigns.models import Campaign, Enrollment
from campaigns.services.enrolment import (
    CLOSED,
    NOT_OPEN,
    OPEN,
    enrollment_submit,
    enrollment_withdraw,
    registration_window_state,
    utc_offset_label,
)
from core.ratelimit import (
    client_ip,
    enrol_limit,
    login_limit,
    password_reset_confirm_limit,
    password_reset_email_limit,
    password_reset_limit,
    rate_limit_exceeded,
    rate_limit_exceeded_for_email,
    signup_limit,
)
from core.services.lockouts import login_lockout_release_by_owner
from rewards.selectors import payout_list_for_trader
from traders.forms import ApiCredentialsForm, EmailAuthenticationForm, TraderRegistrationForm
from traders.forms_password import TraderPasswordResetForm
from traders.models import LeadTrader
from traders.selectors import exchange_account_of, trader_of_user
from traders.services.accounts import trader_credentials_set
from traders.services.registration import trader_register

logger = logging.getLogger(__name__)


def _safe_next(request) -> str:
    """A path on this site to go on to, or "": never another host, and never a bare word (redirect() would read
    "0" or "me" as a view name and fail)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _too_many(request, template: str, context: dict):
    messages.error(request, _("Too many attempts from your network. Please wait a while and try again."))
    return render(request, template, context, status=429)


@require_http_methods(["GET", "HEAD", "POST"])
def register(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return redirect(next_url or "campaigns:me")
    if request.method == "POST":
        form = TraderRegistrationForm(request.POST)
        if rate_limit_exceeded(rule=signup_limit(), ip=client_ip(request)):
            return _too_many(request, "campaigns/register.html", {"form": form, "next": next_url})
        if form.is_valid():
            try:
                trader = trader_register(**form.service_kwargs())
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                login(request, trader.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("Welcome, %(name)s. Your lead-trader profile is registered.") % {"name": trader.display_name},
                )
                response = redirect(next_url or "campaigns:me")
                # Show the site in the language the trader chose.
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, trader.preferred_language, samesite="Lax")
                return response
        elif form.is_bot:
            logger.info("Registration honeypot triggered from %s", client_ip(request))
    else:
        form = TraderRegistrationForm(initial={"preferred_language": get_language() or settings.LANGUAGE_CODE})
    return render(request, "campaigns/register.html", {"form": form, "next": next_url})


def _window_context(campaign: Campaign, now) -> dict:
    state = registration_window_state(campaign=campaign, now=now)
    target = {NOT_OPEN: campaign.registration_opens_at, OPEN: campaign.registration_closes_at}.get(state)
    return {
        "window_state": state,
        "window_open": state == OPEN,
        "window_not_open": state == NOT_OPEN,
        "window_closed": state == CLOSED,
        "utc_offset": utc_offset_label(timezone.localtime(campaign.registration_opens_at, campaign.zone)),
        "opens_local": timezone.localtime(campaign.registration_opens_at, campaign.zone),
        "closes_local": timezone.localtime(campaign.registration_closes_at, campaign.zone),
        "countdown_target": target,
        "countdown_seconds": int((target - now).total_seconds()) if target else 0,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug, is_active=True)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
    trader = trader_of_user(request.user)
    if trader is None:
        messages.info(request, _("Register as a lead trader first, then enrol."))
        return redirect(f"{reverse('campaigns:register')}?{urlencode({'next': request.path})}")
    now = timezone.now()
    context = {"campaign": campaign, "trader": trader, **_window_context(campaign, now)}
    context["enrollment"] = Enrollment.objects.filter(campaign=campaign, trader=trader).first()
    if questionnaire_errors(campaign.questionnaire):
        logger.error("Campaign %s has an invalid questionnaire; enrolment is paused", campaign.slug)
        context["questionnaire_broken"] = True
        return render(request, "campaigns/enrol.html", context, status=503 if request.method == "POST" else 200)
    form = QuestionnaireForm(request.POST or None, questionnaire=campaign.questionnaire)
    context["form"] = form
    if request.method == "POST":
        if rate_limit_exceeded(rule=enrol_limit(), ip=client_ip(request)):
            return _too_many(request, "campaigns/enrol.html", context)
        if form.is_valid():
            try:
                enrollment_submit(campaign=campaign, trader=trader, answers=form.answers(), now=timezone.now())
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("Your enrolment is submitted. The campaign team will review it."))
                return redirect("campaigns:me")
    return render(request, "campaigns/enrol.html", context)


@require_POST
@login_required
def withdraw(request, slug: str):
    trader = trader_of_user(request.user)
    enrollment = get_object_or_404(Enrollment, campaign__slug=slug, trader=trader) if trader else None
    if enrollment is None:
        return redirect("campaigns:me")
    try:
        enrollment_withdraw(enrollment=enrollment, actor=request.user, reason=_("Withdrawn by the trader"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You have withdrawn from the campaign."))
    return redirect("campaigns:me")


def me_context(*, trader: LeadTrader, now) -> dict:
    """Everything "My campaign" shows. Later features add their keys here and their section to me.html."""
    enrollments = list(selectors.enrollment_list_for_trader(trader=trader))
    enrolled_ids = {e.campaign_id for e in enrollments}
    return {
        "trader": trader,
        "accounts": list(trader.accounts.order_by("id")),
        "enrollments": enrollments,
        "open_campaigns": [c for c in selectors.campaign_open_for_registration(now=now) if c.pk not in enrolled_ids],
        "posts": selectors.post_list_for_trader(trader=trader)[:50],
        "payouts": payout_list_for_trader(trader=trader)[:100],
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def me(request):
    trader = trader_of_user(request.user)
    if trader is None:
        return render(request, "campaigns/me.html", {"trader": None})
    return render(request, "campaigns/me.html", me_context(trader=trader, now=timezone.now()))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def me_api_key(request):
    """Add or replace the read-only API key. The page never shows a stored key, only when it was last set."""
    trader = trader_of_user(request.user)
    if trader is None:
        return redirect("campaigns:me")
    account = exchange_account_of(trader=trader)
    form = ApiCredentialsForm(request.POST or None)
    if request.method == "POST":
        if rate_limit_exceeded(rule=enrol_limit(), ip=client_ip(request)):
            return _too_many(request, "campaigns/api_key.html", {"form": form, "account": account})
        if form.is_valid():
            data = form.cleaned_data
            try:
                trader_credentials_set(
                    trader=trader,
                    api_key=data["api_key"],
                    api_secret=data["api_secret"],
                    api_password=data["api_password"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("Your API key is saved (encrypted). It will not be shown again."))
                return redirect("campaigns:me")
    return render(request, "campaigns/api_key.html", {"form": form, "account": account, "trader": trader})


class LoginView(auth_views.LoginView):
    """Django's sign-in with email as the username, rate-limited per IP like the sign-up."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if rate_limit_exceeded(rule=login_limit(), ip=client_ip(request)):
            form = self.get_form()
            return _too_many(request, self.template_name, self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, rate-limited per IP and per email address; the email leaves through Celery.

    A registered and an unknown address get the same redirect to the same page, and both count against the limits.
    """

    form_class = TraderPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        too_many = rate_limit_exceeded(rule=password_reset_limit(), ip=client_ip(request)) or (
            form.is_valid()
            and rate_limit_exceeded_for_email(rule=password_reset_email_limit(), email=form.cleaned_data["email"])
        )
        if too_many:
            messages.error(request, _("Too many password reset requests. Please wait a while and try again."))
            return render(request, self.template_name, self.get_context_data(form=form), status=429)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "choose a new password" page behind an emailed link, rate-limited per IP. The new password also
    unlocks the account's sign-in (core.services.lockouts): its owner proved they read its mailbox."""

    def dispatch(self, request, *args, **kwargs):
        if rate_limit_exceeded(rule=password_reset_confirm_limit(), ip=client_ip(request)):
            messages.error(request, _("Too many attempts from your network. Please wait a while and try again."))
            return render(request, self.template_name, {"rate_limited": True}, status=429)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        login_lockout_release_by_owner(user=form.user)
        return response
