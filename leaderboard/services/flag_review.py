"""An operator's review of one trader's anti-gaming flag: clear it (a false positive) or uphold it.

The review cites the standing the operator looked at (its trader, campaign, run and flag), needs a reason and the
leaderboard.review_flag permission, and is an audit event. It changes nothing already published: the campaign's
next ranking runs apply it (leaderboard.services.ranking), and approved payouts stay frozen.

How long a clearance lasts: by default until the campaign ends, because most flags describe the account rather
than one day (a small account stays small; a copy of another trader's signals stays a copy) and would otherwise
hold a trader the operator has already cleared again and again. The operator may give a number of days instead
(e.g. a one-off data gap), and can end a clearance at any time by upholding the flag. The flag stays visible on
every standing either way, so a change in behaviour is still seen.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Enrollment
from core.services.audit import audit_record
from core.validators import normalise_text, validate_multiline
from leaderboard.models import FlagReview, RankingRun, Standing

REASON_MAX = 2000
MAX_DAYS = 366
PERMISSION = "leaderboard.review_flag"


def standings_to_review(*, standings: list[Standing], code: str) -> list[Standing]:
    """Of the standings (newest first), the one each (trader, campaign) review cites: the newest carrying `code`."""
    chosen: dict[tuple[int, int], Standing] = {}
    for standing in standings:
        if code in standing.flag_codes:
            chosen.setdefault((standing.trader_id, standing.run.campaign_id), standing)
    return list(chosen.values())


@transaction.atomic
def flag_review_record(
    *,
    standing: Standing,
    code: str,
    decision: str,
    reason: str,
    actor,
    valid_days: int | None = None,
    now: datetime | None = None,
) -> FlagReview:
    """Record the operator's decision on the flag `code` raised on `standing`, for that trader in that campaign.

    valid_days: a clearance ends that many days after the review; None lasts until the campaign ends. Raises
    PermissionDenied without the permission, ValidationError when the review cannot stand as given.
    """
    if actor is None or not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("You may not review anti-gaming flags."))
    if decision not in FlagReview.Decision.values:
        raise ValidationError(_("Unknown decision: %(decision)s"), params={"decision": decision})
    reason = normalise_text(reason or "")
    if not reason:
        raise ValidationError(_("Give a reason for this review."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationError(_("The reason is too long (at most %(n)d characters)."), params={"n": REASON_MAX})
    validate_multiline(reason)
    if valid_days is not None:
        if decision != FlagReview.Decision.CLEARED:
            raise ValidationError(_("Only a clearance can have an end."), code="upheld_with_end")
        if not 1 <= valid_days <= MAX_DAYS:
            raise ValidationError(_("A clearance lasts 1 to %(n)d days."), params={"n": MAX_DAYS})
    standing = Standing.objects.select_related("run__campaign", "trader").get(pk=standing.pk)
    run, trader = standing.run, standing.trader
    if run.status != RankingRun.Status.PUBLISHED:
        raise ValidationError(_("Only a flag of a published ranking can be reviewed."))
    if code not in standing.flag_codes:
        raise ValidationError(
            _("%(trader)s has no flag %(flag)s in this ranking."), params={"trader": trader.display_name, "flag": code}
        )
    campaign = run.campaign
    if not Enrollment.objects.filter(campaign=campaign, trader=trader).exists():
        raise ValidationError(_("%(trader)s is not enrolled in this campaign."), params={"trader": trader.display_name})
    now = now or timezone.now()
    review = FlagReview.objects.create(
        trader=trader,
        campaign=campaign,
        code=code,
        decision=decision,
        reason=reason,
        run=run,
        reviewed_by=actor,
        reviewed_at=now,
        expires_at=now + timedelta(days=valid_days) if valid_days else None,
    )
    audit_record(
        action=f"flag_review.{decision}",
        target=review,
        actor=actor,
        campaign=campaign,
        data={
            "trader_id": trader.pk,
            "exchange_uid": trader.exchange_uid,
            "flag": code,
            "decision": decision,
            "reason": reason,
            "run_id": run.pk,
            "standing_id": standing.pk,
            "expires_at": review.expires_at.isoformat() if review.expires_at else None,
        },
    )
    return review
