"""Enrolment in a campaign: submit inside the registration window, then the operator's decision.

Every transition is an audit event and an email to the trader in their preferred language, rendered and written to
the outbox inside the transaction and sent by a Celery task only after commit (core/services/outbox.py), so a
rolled-back decision never reaches anyone's inbox, a committed one is not lost to a broker outage, and a slow or
failing mail server never holds up the operator.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Enrollment
from core.models import OutboundEmail
from core.services.audit import actor_or_none, audit_record
from core.services.mail import RenderedEmail, email_language, email_render
from core.services.outbox import outbound_email_queue
from traders.models import LeadTrader

NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"

# Which states each decision may start from.
_APPROVABLE = {Enrollment.Status.PENDING, Enrollment.Status.REJECTED}
_REJECTABLE = {Enrollment.Status.PENDING, Enrollment.Status.APPROVED}
_WITHDRAWABLE = {Enrollment.Status.PENDING, Enrollment.Status.APPROVED}


def registration_window_state(*, campaign: Campaign, now: datetime) -> str:
    """NOT_OPEN before the opening instant, OPEN in [opens, closes), CLOSED from the (exclusive) close on."""
    if now < campaign.registration_opens_at:
        return NOT_OPEN
    if now >= campaign.registration_closes_at:
        return CLOSED
    return OPEN


def registration_window_text(*, campaign: Campaign) -> str:
    """'2026-02-12 18:00 – 2026-02-25 00:00 (Asia/Shanghai, UTC+08:00)' in the campaign's own zone."""
    opens = timezone.localtime(campaign.registration_opens_at, campaign.zone)
    closes = timezone.localtime(campaign.registration_closes_at, campaign.zone)
    return f"{opens:%Y-%m-%d %H:%M} – {closes:%Y-%m-%d %H:%M} ({campaign.time_zone}, {utc_offset_label(opens)})"


def utc_offset_label(moment: datetime) -> str:
    """'UTC+08:00' for an aware datetime."""
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def _window_error(*, campaign: Campaign, state: str) -> ValidationError:
    window = registration_window_text(campaign=campaign)
    if state == NOT_OPEN:
        message = _("Registration for this campaign has not opened yet. It is open %(window)s.")
    else:
        message = _("Registration for this campaign has closed. It was open %(window)s.")
    return ValidationError(message % {"window": window}, code=f"window_{state}")


@transaction.atomic
def enrollment_submit(
    *, campaign: Campaign, trader: LeadTrader, answers: dict, now: datetime | None = None
) -> Enrollment:
    """Enrol the trader with their questionnaire answers; only inside the window, once per campaign.

    A trader who withdrew may enrol again while the window is open (their old answers are replaced).
    """
    now = now or timezone.now()
    state = registration_window_state(campaign=campaign, now=now)
    if not campaign.is_active or state != OPEN:
        raise _window_error(campaign=campaign, state=state if state != OPEN else CLOSED)
    existing = Enrollment.objects.select_for_update().filter(campaign=campaign, trader=trader).first()
    if existing is not None and existing.status != Enrollment.Status.WITHDRAWN:
        raise ValidationError(_("You are already enrolled in this campaign."), code="duplicate")
    try:
        with transaction.atomic():
            if existing is None:
                enrollment = Enrollment.objects.create(
                    campaign=campaign, trader=trader, answers=answers, submitted_at=now
                )
            else:
                enrollment = existing
                enrollment.status = Enrollment.Status.PENDING
                enrollment.answers = answers
                enrollment.reason = ""
                enrollment.submitted_at = now
                enrollment.decided_at = None
                enrollment.decided_by = None
                enrollment.save()
    except IntegrityError as exc:  # a double submit raced us to the unique (campaign, trader) row
        raise ValidationError(_("You are already enrolled in this campaign."), code="duplicate") from exc
    audit_record(
        action="enrollment.submitted",
        target=enrollment,
        actor=trader.user,
        campaign=campaign,
        data={"trader_id": trader.pk, "resubmitted": existing is not None},
    )
    _notify_on_commit(enrollment=enrollment, event="submitted")
    return enrollment


def _decide(
    *, enrollment: Enrollment, status: str, allowed: set, actor, reason: str, action: str, now: datetime | None
) -> Enrollment:
    enrollment = Enrollment.objects.select_for_update().select_related("trader", "campaign").get(pk=enrollment.pk)
    if enrollment.status not in allowed:
        raise ValidationError(
            _("An enrolment that is %(current)s cannot become %(new)s.")
            % {
                "current": Enrollment.Status(enrollment.status).label,
                "new": Enrollment.Status(status).label,
            },
            code="invalid_transition",
        )
    previous = enrollment.status
    enrollment.status = status
    enrollment.reason = reason.strip()
    enrollment.decided_at = now or timezone.now()
    enrollment.decided_by = actor_or_none(actor)
    enrollment.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    audit_record(
        action=action,
        target=enrollment,
        actor=actor,
        campaign=enrollment.campaign,
        data={"trader_id": enrollment.trader_id, "from": previous, "to": status, "reason": enrollment.reason},
    )
    _notify_on_commit(enrollment=enrollment, event=status)
    return enrollment


@transaction.atomic
def enrollment_approve(*, enrollment: Enrollment, actor, reason: str = "", now: datetime | None = None) -> Enrollment:
    return _decide(
        enrollment=enrollment,
        status=Enrollment.Status.APPROVED,
        allowed=_APPROVABLE,
        actor=actor,
        reason=reason,
        action="enrollment.approved",
        now=now,
    )


@transaction.atomic
def enrollment_reject(*, enrollment: Enrollment, actor, reason: str, now: datetime | None = None) -> Enrollment:
    if not reason or not reason.strip():
        raise ValidationError(_("Give the trader a reason for the rejection."), code="reason_required")
    return _decide(
        enrollment=enrollment,
        status=Enrollment.Status.REJECTED,
        allowed=_REJECTABLE,
        actor=actor,
        reason=reason,
        action="enrollment.rejected",
        now=now,
    )


@transaction.atomic
def enrollment_withdraw(
    *, enrollment: Enrollment, actor=None, reason: str = "", now: datetime | None = None
) -> Enrollment:
    return _decide(
        enrollment=enrollment,
        status=Enrollment.Status.WITHDRAWN,
        allowed=_WITHDRAWABLE,
        actor=actor,
        reason=reason,
        action="enrollment.withdrawn",
        now=now,
    )


def _notify_on_commit(*, enrollment: Enrollment, event: str) -> None:
    """Render the trader's email now, from the state this transaction writes, into the outbox; sent after commit."""
    email = enrollment_email_render(enrollment=enrollment, event=event)
    outbound_email_queue(email=email, to=enrollment.trader.email, kind=OutboundEmail.Kind.ENROLMENT, target=enrollment)


def enrollment_email_render(*, enrollment: Enrollment, event: str) -> RenderedEmail:
    """The email telling the trader about their enrolment, in their preferred language."""
    trader, campaign = enrollment.trader, enrollment.campaign
    language = email_language(preferred=trader.preferred_language)
    with translation.override(language):
        context = {
            "trader": trader,
            "campaign": campaign,
            "campaign_name": campaign.name_zh if language == "zh-hans" and campaign.name_zh else campaign.name,
            "enrollment": enrollment,
            "event": event,
            "status": Enrollment.Status(enrollment.status).label,
            "window": registration_window_text(campaign=campaign),
            "submitted": date_format(timezone.localtime(enrollment.submitted_at, campaign.zone), "DATETIME_FORMAT"),
        }
        return email_render(
            subject_template="campaigns/email/enrollment_subject.txt",
            body_template="campaigns/email/enrollment_body.txt",
            context=context,
            language=language,
        )
