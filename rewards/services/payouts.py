"""Payout batches: calculate a draft per closed period, recalculate drafts, approve (frozen), export, mark paid.

One calculator per pool kind turns a period into payout lines, each with its reason (rank, score and inputs,
ranking snapshot id), using rewards.allocation for the cents. Every transition is an audit event. An approved
batch is frozen here (only drafts are replaced) and in the database (triggers in migration 0003).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from campaigns.models import Enrollment, Post, RewardPeriod, RewardPool
from campaigns.periods import local_minute
from core.csv_export import csv_document
from core.numbers import format_number
from core.services.audit import SYSTEM, audit_record
from leaderboard.flags import flags_open
from leaderboard.models import RankingRun, Standing
from leaderboard.selectors import ranking_run_for_period
from rewards.allocation import split_fixed, split_proportional, split_tiers
from rewards.content_scoring import POST_COLUMNS, content_scores
from rewards.models import Payout, PayoutBatch
from rewards.signals import payout_batch_approved
from traders.models import LeadTrader

SPOTLIGHT_WEIGHTS = {"trading": 0.5, "content": 0.5}
CENT = Decimal("0.01")


class NoRankingRun(ValidationError):
    """The leaderboard period has no published ranking run yet: nothing to pay from."""


@dataclass
class Line:
    trader_id: int
    amount: Decimal
    rank: int | None = None
    score: float | None = None
    explanation: dict = field(default_factory=dict)


@dataclass
class Computation:
    reason: str
    lines: list[Line]
    pool_amount: Decimal
    unspent: Decimal
    ranking_run: RankingRun | None = None
    notes: dict = field(default_factory=dict)


def _approved_trader_ids(campaign) -> set[int]:
    return set(
        Enrollment.objects.filter(campaign=campaign, status=Enrollment.Status.APPROVED).values_list(
            "trader_id", flat=True
        )
    )


def _in_period(period: RewardPeriod, field_name: str = "published_at") -> dict:
    return {f"{field_name}__gte": period.starts_at, f"{field_name}__lt": period.ends_at}


# --- calculators, one per pool kind --------------------------------------------------------------------------------


def _qualified_at(post: dict) -> datetime:
    """When a post counts as quality: when it was marked quality, or its publish time if it was reviewed earlier."""
    return max(post["reviewed_at"] or post["published_at"], post["published_at"])


def _first_post_candidates(period: RewardPeriod) -> list[dict]:
    """The first quality posts this period pays, in the order they qualified (see _first_post for the rule)."""
    pool, campaign = period.pool, period.pool.campaign
    approved_at = dict(
        Enrollment.objects.filter(campaign=campaign, status=Enrollment.Status.APPROVED).values_list(
            "trader_id", "decided_at"
        )
    )
    quality = Post.objects.filter(campaign=campaign, status=Post.Status.QUALITY, trader_id__in=approved_at)
    first: dict[int, dict] = {}
    for post in quality.values("id", "trader_id", "url", "published_at", "reviewed_at"):
        post["qualified_at"] = _qualified_at(post)
        best = first.get(post["trader_id"])
        if best is None or (post["qualified_at"], post["id"]) < (best["qualified_at"], best["id"]):
            first[post["trader_id"]] = post
    for trader_id, post in first.items():
        # A trader approved after the post qualified earns the bonus when approved: the period of the approval
        # pays it (an earlier period's batch, maybe approved already, could not have).
        decided = approved_at[trader_id]
        if decided is not None and decided > post["qualified_at"]:
            post["marked_quality_at"], post["qualified_at"], post["approved_late"] = post["qualified_at"], decided, True
    last = pool.periods.order_by("-starts_at", "-id").first()
    is_last = last is not None and last.pk == period.pk
    awarded_elsewhere = set(
        Payout.objects.filter(period__pool__campaign=campaign, reason=Payout.Reason.FIRST_POST)
        .exclude(period=period)
        .values_list("trader_id", flat=True)
    )
    candidates = []
    for trader_id, post in first.items():
        if trader_id in awarded_elsewhere or post["qualified_at"] < period.starts_at:
            continue
        post["late"] = post["qualified_at"] >= period.ends_at
        # Published before the last period ended, marked quality after it: counts in the last period.
        if not post["late"] or (is_last and post["published_at"] < period.ends_at):
            candidates.append(post)
    return sorted(candidates, key=lambda p: (p["qualified_at"], p["id"]))


def _first_post(period: RewardPeriod) -> Computation:
    """Approved traders whose first quality post qualified in this period, once per trader per campaign.

    The moment that counts is when the post was marked quality (its publish time for posts reviewed before they
    were published, e.g. imports), or when the trader's enrolment was approved if that came later; first come first
    served under the optional campaign-wide budget cap.

    Late review: a post published before the pool's last period ends but marked quality after it counts in that
    last period, so recalculating the last period's draft includes it (its line says "late review"). If the last
    batch is already approved it stays frozen and the post is not paid; the payout desk lists it as "late quality
    post, not paid: batch already approved" (first_post_unpaid) rather than dropping it silently. A post published
    after the campaign ended never counts.
    """
    pool, campaign = period.pool, period.pool.campaign
    candidates = _first_post_candidates(period)
    budget = None
    if pool.budget_cap is not None:
        spent = Payout.objects.filter(period__pool__campaign=campaign, reason=Payout.Reason.FIRST_POST).exclude(
            period=period
        ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        budget = max(pool.budget_cap - spent, Decimal(0))
    split = split_fixed(keys=[p["trader_id"] for p in candidates], amount=pool.amount, budget=budget)
    lines = [
        Line(
            trader_id=p["trader_id"],
            amount=split.amounts[p["trader_id"]],
            rank=position,
            explanation={
                "rule": "first_quality_post",
                "post_id": p["id"],
                "post_url": p["url"],
                "published_at": p["published_at"].isoformat(),
                "qualified_at": p["qualified_at"].isoformat(),
                "late_review": p["late"],
                "approved_after_the_post": p.get("approved_late", False),
                "marked_quality_at": p["marked_quality_at"].isoformat() if p.get("approved_late") else None,
                "budget_left_before": None if budget is None else str(budget),
            },
        )
        for position, p in enumerate(candidates, start=1)
        if split.amounts[p["trader_id"]] > 0
    ]
    over_budget = [p["trader_id"] for p in candidates if split.amounts[p["trader_id"]] == 0]
    return Computation(
        reason=Payout.Reason.FIRST_POST,
        lines=lines,
        pool_amount=split.paid if budget is None else budget,
        unspent=split.unspent,
        notes={
            "over_budget_trader_ids": over_budget,
            "late_review_trader_ids": [p["trader_id"] for p in candidates if p["late"]],
        },
    )


def first_post_unpaid(*, batch: PayoutBatch) -> list[dict]:
    """First-post bonuses a recalculation of this approved batch would pay but it cannot (it is frozen): posts
    marked quality after it was calculated (late review), or whose trader was approved after it. No other batch
    pays them either. Traders left out by the budget cap are not listed: they would not be paid anyway.
    [] for drafts (recalculating includes them) and for other pools.

    Each: trader_id, exchange_uid, display_name, post_id, url, published_at, qualified_at.
    """
    period = batch.period
    if period.pool.kind != RewardPool.Kind.FIRST_POST or batch.status == PayoutBatch.Status.DRAFT:
        return []
    paid = set(batch.lines.values_list("trader_id", flat=True))
    missing = [line for line in _first_post(period).lines if line.trader_id not in paid]
    traders = {t.pk: t for t in LeadTrader.objects.filter(pk__in=[line.trader_id for line in missing])}
    return [
        {
            "trader_id": line.trader_id,
            "exchange_uid": traders[line.trader_id].exchange_uid,
            "display_name": traders[line.trader_id].display_name,
            "post_id": line.explanation["post_id"],
            "url": line.explanation["post_url"],
            "published_at": datetime.fromisoformat(line.explanation["published_at"]),
            "qualified_at": datetime.fromisoformat(line.explanation["qualified_at"]),
        }
        for line in missing
    ]


def _content(period: RewardPeriod) -> Computation:
    """The period's content pool split in proportion to each eligible trader's score (rewards.content_scoring)."""
    pool, campaign = period.pool, period.pool.campaign
    posts = pd.DataFrame(
        list(
            Post.objects.filter(
                campaign=campaign,
                status=Post.Status.QUALITY,
                trader_id__in=_approved_trader_ids(campaign),
                **_in_period(period),
            ).values(*POST_COLUMNS)
        ),
        columns=POST_COLUMNS,
    )
    table = content_scores(posts, zone=campaign.zone, rules=pool.rules)
    eligible = table[table["eligible"]].sort_values("rank")
    cap = pool.rules.get("per_trader_cap")
    split = split_proportional(
        total=pool.amount,
        keys=[int(t) for t in eligible.index],
        weights=[str(s) for s in eligible["score"]],
        cap=None if cap in (None, "") else Decimal(str(cap)),
    )
    lines = []
    for trader_id, row in eligible.iterrows():
        trader_id = int(trader_id)
        explanation = {
            "rule": "content_pool",
            "posts": int(row["posts"]),
            "days": int(row["days"]),
            "exposure": int(row["exposure"]),
            "engagement": int(row["engagement"]),
            "copy_volume": f"{row['copy_volume']:.2f}",
            "copy_metric": pool.rules.get("copy_metric", "copy_volume"),
            "percentiles": {c: round(float(row[f"pct_{c}"]), 6) for c in ("exposure", "engagement", "copy_volume")},
            "weights": {**{"exposure": 0.3, "engagement": 0.3, "copy_volume": 0.4}, **pool.rules.get("weights", {})},
            "eligible_traders": len(eligible),
            "capped": split.notes[trader_id]["capped"],
        }
        lines.append(
            Line(
                trader_id=trader_id,
                amount=split.amounts[trader_id],
                rank=int(row["rank"]),
                score=float(row["score"]),
                explanation=explanation,
            )
        )
    ineligible = table[~table["eligible"]]
    notes = {
        "ineligible": {int(t): {"posts": int(r["posts"]), "days": int(r["days"])} for t, r in ineligible.iterrows()}
    }
    return Computation(
        reason=Payout.Reason.CONTENT, lines=lines, pool_amount=pool.amount, unspent=split.unspent, notes=notes
    )


def _leaderboard(period: RewardPeriod) -> Computation:
    """The top N of the period's final published run by the pool's tier table; ties share the tiers they cover."""
    pool = period.pool
    run = ranking_run_for_period(period=period)
    if run is None:
        raise NoRankingRun(_("No published ranking run for %(period)s yet."), params={"period": period})
    tiers = [Decimal(str(t)) for t in pool.rules.get("tiers", [])]
    if not tiers:
        raise ValidationError(_("The leaderboard pool has no tier table (rules.tiers)."))
    tiers = tiers[: pool.winners or len(tiers)]
    ranked = list(
        Standing.objects.filter(run=run, eligible=True, rank__isnull=False)
        .order_by("rank", "trader_id")
        .values("trader_id", "rank", "score", "roi", "max_drawdown", "sharpe")
    )
    # Everyone within the paid positions, plus anyone tied with the last of them.
    cut = len(tiers)
    while cut < len(ranked) and cut > 0 and ranked[cut]["score"] == ranked[cut - 1]["score"]:
        cut += 1
    top = ranked[:cut]
    split = split_tiers(
        total=pool.amount, keys=[s["trader_id"] for s in top], scores=[s["score"] for s in top], tiers=tiers
    )
    lines = []
    for s in top:
        note = split.notes[s["trader_id"]]
        lines.append(
            Line(
                trader_id=s["trader_id"],
                amount=split.amounts[s["trader_id"]],
                rank=s["rank"],
                score=s["score"],
                explanation={
                    "rule": "leaderboard_tiers",
                    "snapshot_id": run.pk,
                    "snapshot_published_at": run.published_at.isoformat(),
                    "snapshot_rule_version": run.rule_version,
                    "rank": s["rank"],
                    "tiers_shared": note["tiers"],
                    "tied_with": note["tied_with"],
                    "roi": s["roi"],
                    "max_drawdown": s["max_drawdown"],
                    "sharpe": s["sharpe"],
                },
            )
        )
    return Computation(
        reason=Payout.Reason.LEADERBOARD,
        lines=lines,
        pool_amount=pool.amount,
        unspent=split.unspent,
        ranking_run=run,
    )


def _spotlight(period: RewardPeriod) -> Computation:
    """The weekly star trader: the best composite of trading (the week's latest published 7-day run) and content
    (engagement of the week's quality posts), each as a percentile rank, weighted by pool.rules.weights."""
    pool, campaign = period.pool, period.pool.campaign
    weights = {**SPOTLIGHT_WEIGHTS, **pool.rules.get("weights", {})}
    approved = _approved_trader_ids(campaign)
    run = (
        RankingRun.objects.filter(
            campaign=campaign,
            window=RankingRun.Window.D7,
            status=RankingRun.Status.PUBLISHED,
            published_at__gte=period.starts_at,
            published_at__lt=period.ends_at,
        )
        .order_by("-published_at")
        .first()
    )
    trading = pd.Series(dtype=float)
    if run is not None:
        # A trader the ranking flagged for review is never put in the spotlight while the flag stands; a flag an
        # operator cleared before the run was published no longer stands (FlagReview).
        flagged = {t for t, flags in run.standings.values_list("trader_id", "flags") if flags_open(flags)}
        approved = approved - flagged
        rows = run.standings.filter(eligible=True, trader_id__in=approved).values_list("trader_id", "score")
        trading = pd.Series({t: s for t, s in rows if s is not None}, dtype=float)
    content = pd.Series(dtype=float)
    engagement = Post.objects.filter(
        campaign=campaign, status=Post.Status.QUALITY, trader_id__in=approved, **_in_period(period)
    ).values_list("trader_id", "views", "likes", "comments", "shares")
    if engagement:
        frame = pd.DataFrame(list(engagement), columns=["trader_id", "views", "likes", "comments", "shares"])
        content = frame.groupby("trader_id")[["views", "likes", "comments", "shares"]].sum().sum(axis=1).astype(float)
    table = pd.DataFrame({"trading": trading, "content": content})
    if table.empty:
        return Computation(reason=Payout.Reason.SPOTLIGHT, lines=[], pool_amount=Decimal(0), unspent=Decimal(0))
    pct = table.rank(method="average", pct=True).fillna(0.0)
    table["composite"] = (weights["trading"] * pct["trading"] + weights["content"] * pct["content"]).round(6)
    table = table.reset_index(names="trader_id").sort_values(["composite", "trader_id"], ascending=[False, True])
    best = table.iloc[0]
    line = Line(
        trader_id=int(best["trader_id"]),
        amount=Decimal(0),
        rank=1,
        score=float(best["composite"]),
        explanation={
            "rule": "weekly_spotlight",
            "snapshot_id": run.pk if run else None,
            "trading_score": None if pd.isna(best["trading"]) else float(best["trading"]),
            "content_engagement": None if pd.isna(best["content"]) else float(best["content"]),
            "weights": weights,
            "candidates": len(table),
        },
    )
    return Computation(
        reason=Payout.Reason.SPOTLIGHT, lines=[line], pool_amount=Decimal(0), unspent=Decimal(0), ranking_run=run
    )


CALCULATORS = {
    RewardPool.Kind.FIRST_POST: _first_post,
    RewardPool.Kind.CONTENT: _content,
    RewardPool.Kind.LEADERBOARD: _leaderboard,
    RewardPool.Kind.SPOTLIGHT: _spotlight,
}


# --- four eyes ------------------------------------------------------------------------------------------------
# Nobody takes a batch from draft to paid alone: whoever last calculated it (a person, or SYSTEM for the scheduled
# close of periods) does not approve it, and whoever approved it does not mark it paid. Checked here, for the admin,
# the commands and anything else, and by the database's constraints on PayoutBatch.


def _operator_with(actor, permission: str) -> bool:
    return bool(
        actor is not None
        and actor is not SYSTEM
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm(permission)
    )


def payout_calculator_check(actor) -> None:
    """Raise PermissionDenied unless `actor` may calculate batches: SYSTEM, or an active staff user with the
    permission to change payout batches."""
    if actor is not SYSTEM and not _operator_with(actor, "rewards.change_payoutbatch"):
        raise PermissionDenied(
            _("Only an active staff user with the permission to change payout batches may calculate them.")
        )


def payout_batch_approve_refusal(*, batch: PayoutBatch, actor) -> str | None:
    """Why `actor` may not approve this draft (four eyes), or None. Permission and status are checked apart."""
    if batch.calculated_by_id is None and not batch.calculated_by_system:
        return _(
            "Nobody is recorded as having calculated this batch: an operator recalculates it first, then another "
            "one approves it."
        )
    if batch.calculated_by_id is not None and batch.calculated_by_id == getattr(actor, "pk", None):
        return _("The person who last recalculated a batch cannot approve it.")
    return None


def payout_batch_pay_refusal(*, batch: PayoutBatch, actor) -> str | None:
    """Why `actor` may not mark this approved batch paid (four eyes), or None."""
    if batch.approved_by_id is not None and batch.approved_by_id == getattr(actor, "pk", None):
        return _("The person who approved a batch cannot mark it paid: another operator with that permission does.")
    return None


def _who(actor) -> str:
    return "system" if actor is SYSTEM else actor.get_username()


# --- transitions ------------------------------------------------------------------------------------------------


@transaction.atomic
def payout_batch_calculate(*, period: RewardPeriod, actor, now: datetime | None = None) -> PayoutBatch:
    """Calculate the period's draft batch, or replace the lines of its existing draft. Approved batches refuse.

    `actor` is who calculates: an active staff user allowed to change payout batches, or SYSTEM (beat). They are
    recorded, and may not approve the batch.
    """
    payout_calculator_check(actor)
    now = now or timezone.now()
    period = RewardPeriod.objects.select_for_update().select_related("pool__campaign").get(pk=period.pk)
    if period.ends_at > now:
        raise ValidationError(_("%(period)s has not ended yet."), params={"period": period})
    batch = PayoutBatch.objects.select_for_update().filter(period=period).first()
    if batch is not None and batch.status != PayoutBatch.Status.DRAFT:
        raise ValidationError(_("This payout batch is approved: its lines are frozen."))
    result = CALCULATORS[period.pool.kind](period)
    previous = None
    if batch is None:
        batch = PayoutBatch(period=period)
    else:
        previous = {"total": str(batch.total), "lines": batch.lines.count()}
        batch.lines.all().delete()
    pool = period.pool
    batch.ranking_run = result.ranking_run
    batch.pool_amount = result.pool_amount
    batch.total = sum((line.amount for line in result.lines), Decimal(0))
    batch.unspent = result.unspent
    batch.calculated_at = now
    batch.calculated_by = None if actor is SYSTEM else actor
    batch.calculated_by_system = actor is SYSTEM
    batch.save()
    payees = LeadTrader.objects.in_bulk([line.trader_id for line in result.lines])
    Payout.objects.bulk_create(
        [
            Payout(
                batch=batch,
                period=period,
                trader_id=line.trader_id,
                **Payout.payee_of(payees[line.trader_id]),  # who is paid, frozen with the batch when approved
                reason=result.reason,
                amount=line.amount,
                currency=pool.currency,
                reward_form=pool.reward_form,
                rank=line.rank,
                score=line.score,
                ranking_run=result.ranking_run,
                explanation=line.explanation,
            )
            for line in result.lines
        ]
    )
    audit_record(
        action="payout_batch.recalculated" if previous else "payout_batch.calculated",
        target=batch,
        actor=actor,
        campaign=pool.campaign,
        data={
            "period_id": period.pk,
            "pool": pool.kind,
            "lines": len(result.lines),
            "total": str(batch.total),
            "unspent": str(batch.unspent),
            "snapshot_id": result.ranking_run.pk if result.ranking_run else None,
            "calculator": _who(actor),
            "previous": previous,
            **{k: v for k, v in result.notes.items() if v},
        },
    )
    return batch


@transaction.atomic
def payout_batch_approve(*, batch_id: int, actor) -> PayoutBatch:
    """Approve a draft: a permission, and not by whoever last calculated it. The row lock makes two approvals at the
    same moment queue up: the second sees the batch already approved and is refused."""
    if not _operator_with(actor, "rewards.approve_payoutbatch"):
        raise PermissionDenied(_("You may not approve payout batches."))
    batch = PayoutBatch.objects.select_for_update().select_related("period__pool__campaign").get(pk=batch_id)
    if batch.status != PayoutBatch.Status.DRAFT:
        raise ValidationError(
            _("This payout batch is already %(status)s."), params={"status": batch.get_status_display()}
        )
    if batch.calculated_at is None:
        raise ValidationError(_("This payout batch has not been calculated."))
    refusal = payout_batch_approve_refusal(batch=batch, actor=actor)
    if refusal:
        raise ValidationError(refusal)
    batch.status = PayoutBatch.Status.APPROVED
    batch.approved_at = timezone.now()
    batch.approved_by = actor
    batch.save(update_fields=["status", "approved_at", "approved_by"])
    audit_record(
        action="payout_batch.approved",
        target=batch,
        actor=actor,
        campaign=batch.period.pool.campaign,
        data={
            "total": str(batch.total),
            "unspent": str(batch.unspent),
            "lines": batch.lines.count(),
            "calculator": "system" if batch.calculated_by_system else batch.calculated_by.get_username(),
        },
    )
    payout_batch_approved.send(sender=PayoutBatch, batch=batch, actor=actor)
    return batch


@transaction.atomic
def payout_batch_mark_paid(*, batch_id: int, actor, reference: str) -> PayoutBatch:
    """Mark an approved batch paid with the payment's reference: a permission, and not by whoever approved it."""
    if not _operator_with(actor, "rewards.pay_payoutbatch"):
        raise PermissionDenied(_("You may not mark payout batches paid."))
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(_("A payment reference is required."))
    batch = PayoutBatch.objects.select_for_update().select_related("period__pool__campaign").get(pk=batch_id)
    if batch.status != PayoutBatch.Status.APPROVED:
        raise ValidationError(_("Only an approved batch can be marked paid."))
    refusal = payout_batch_pay_refusal(batch=batch, actor=actor)
    if refusal:
        raise ValidationError(refusal)
    batch.status = PayoutBatch.Status.PAID
    batch.paid_at = timezone.now()
    batch.paid_by = actor
    batch.paid_reference = reference[:200]
    batch.save(update_fields=["status", "paid_at", "paid_by", "paid_reference"])
    audit_record(
        action="payout_batch.paid",
        target=batch,
        actor=actor,
        campaign=batch.period.pool.campaign,
        data={"reference": batch.paid_reference, "total": str(batch.total), "approver_id": batch.approved_by_id},
    )
    return batch


def _when(iso: str | None, zone) -> str:
    """An explanation's stored time (ISO, UTC) as the campaign's zone shows it."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    return f"{local_minute(moment, zone)} ({zone.key})" if zone is not None else iso


def _n(value, kind: str = "num", places: int = 2) -> str:
    """A number in a reason as the pages write it (core.numbers): grouped, rounded, "—" when absent."""
    return format_number(value, kind, places=places, language=get_language())


def payout_reason_text(payout: Payout, *, zone=None) -> str:
    """One sentence an operator (and a disputing trader) can check against the inputs; times in `zone` if given."""
    e = payout.explanation or {}
    if payout.reason == Payout.Reason.FIRST_POST:
        if e.get("approved_after_the_post"):
            return _(
                "First quality post %(url)s, marked quality %(marked)s; counted from the enrolment's approval %(at)s"
            ) % {
                "url": e.get("post_url", ""),
                "marked": _when(e.get("marked_quality_at"), zone),
                "at": _when(e.get("qualified_at"), zone),
            }
        text = _("First quality post %(url)s, marked quality %(at)s") % {
            "url": e.get("post_url", ""),
            "at": _when(e.get("qualified_at"), zone),
        }
        if e.get("late_review"):
            text += " " + _("(marked quality after the period ended: counted in the pool's last period)")
        return text
    if payout.reason == Payout.Reason.CONTENT:
        pct = e.get("percentiles", {})
        return _(
            "Content rank %(rank)s of %(n)s, score %(score)s: %(posts)s quality posts on %(days)s days; "
            "exposure %(exposure)s (pct %(p1)s), engagement %(engagement)s (pct %(p2)s), "
            "copy volume %(volume)s (pct %(p3)s)%(capped)s"
        ) % {
            "rank": payout.rank,
            "n": e.get("eligible_traders"),
            # The content score is a weighted percentile in 0..1: four places tell neighbours apart.
            "score": _n(payout.score, places=4),
            "posts": e.get("posts"),
            "days": e.get("days"),
            "exposure": _n(e.get("exposure"), "int"),
            "p1": _n(pct.get("exposure"), "pct0", 1),
            "engagement": _n(e.get("engagement"), "int"),
            "p2": _n(pct.get("engagement"), "pct0", 1),
            "volume": _n(e.get("copy_volume"), "money"),
            "p3": _n(pct.get("copy_volume"), "pct0", 1),
            "capped": _(", capped") if e.get("capped") else "",
        }
    if payout.reason == Payout.Reason.LEADERBOARD:
        tied = e.get("tied_with") or 0
        text = _("Leaderboard rank %(rank)s, score %(score)s, in ranking snapshot #%(snapshot)s") % {
            "rank": payout.rank,
            "score": _n(payout.score),
            "snapshot": e.get("snapshot_id"),
        }
        if tied:
            text += " " + _("(tied with %(n)s, sharing tiers %(tiers)s)") % {
                "n": tied,
                "tiers": " + ".join(e.get("tiers_shared", [])),
            }
        return text
    if payout.reason == Payout.Reason.SPOTLIGHT:
        return _("Star trader of the week, composite %(score)s") % {"score": _n(payout.score, places=4)}
    return payout.get_reason_display()


EXPORT_COLUMNS = ["exchange", "uid", "display_name", "amount", "currency", "reward_form", "reason", "detail"]


@transaction.atomic
def payout_batch_export(*, batch_id: int, actor=None) -> str:
    """The approved batch as CSV, one row per line: whom it pays as frozen on the line (never the trader as edited
    since), the amount as a number, and why; cells neutralised for spreadsheets (core.csv_export). The export
    is an audit event."""
    batch = PayoutBatch.objects.select_related("period__pool__campaign").get(pk=batch_id)
    if batch.status == PayoutBatch.Status.DRAFT:
        raise ValidationError(_("Approve the batch before exporting it."))
    zone = batch.period.pool.campaign.zone
    lines = list(batch.lines.order_by("rank", "payee_uid", "id"))
    content = csv_document(
        EXPORT_COLUMNS,
        (
            [
                line.payee_exchange,
                line.payee_uid,
                line.payee_name,
                line.amount.quantize(CENT),
                line.currency,
                line.reward_form,
                line.reason,
                payout_reason_text(line, zone=zone),
            ]
            for line in lines
        ),
    )
    audit_record(
        action="payout_batch.exported",
        target=batch,
        actor=actor,
        campaign=batch.period.pool.campaign,
        data={"lines": len(lines), "total": str(batch.total)},
    )
    return content


# --- closing periods ----------------------------------------------------------------------------------------------


@dataclass
class CloseSummary:
    closed: list[int] = field(default_factory=list)
    calculated: list[int] = field(default_factory=list)
    waiting: dict = field(default_factory=dict)  # period id -> why no batch yet


def reward_periods_close(*, actor, now: datetime | None = None) -> CloseSummary:
    """Close every ended period and calculate a draft batch for each closed period that has none yet.

    `actor` calculates the drafts (SYSTEM for beat, else the operator a command names; see payout_batch_calculate).
    Each period is its own transaction, so one that has to wait (e.g. for its ranking run) does not hold the
    others back; it is retried on the next run.
    """
    payout_calculator_check(actor)  # before anything is closed
    now = now or timezone.now()
    summary = CloseSummary()
    for period in RewardPeriod.objects.filter(status=RewardPeriod.Status.OPEN, ends_at__lte=now).select_related(
        "pool__campaign"
    ):
        with transaction.atomic():
            updated = RewardPeriod.objects.filter(pk=period.pk, status=RewardPeriod.Status.OPEN).update(
                status=RewardPeriod.Status.CLOSED, closed_at=now
            )
            if updated:
                audit_record(
                    action="reward_period.closed",
                    target=period,
                    actor=actor,
                    campaign=period.pool.campaign,
                    data={"pool": period.pool.kind, "index": period.index},
                )
                summary.closed.append(period.pk)
    pending = RewardPeriod.objects.filter(status=RewardPeriod.Status.CLOSED, batch__isnull=True, pool__is_active=True)
    for period in pending.select_related("pool__campaign").order_by("ends_at", "id"):
        try:
            payout_batch_calculate(period=period, actor=actor, now=now)
        except NoRankingRun as exc:
            summary.waiting[period.pk] = exc.messages[0]
            continue
        summary.calculated.append(period.pk)
    return summary
