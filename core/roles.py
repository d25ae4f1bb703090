"""The operators' least-privilege roles: one Django group each, made by `manage.py setup_roles` (core.services.roles).

Each role holds what its job needs in the admin and nothing more. The four eyes on money need three people: a
campaign manager (re)calculates a batch, a payout approver approves it, a payer marks it paid; no role holds two of
those permissions. Permissions are named "app_label.codename" so this module imports no app above core.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    group: str  # the group's name in the admin
    job: str  # what the role is for (README's operator section says the same)
    permissions: tuple[str, ...]
    views_everything: bool = False  # plus "view" on every model registered in the admin


# What every working role reads to do its job: the campaign and who the traders are.
_CAMPAIGN_VIEW = ("campaigns.view_campaign", "campaigns.view_rewardpool", "traders.view_leadtrader")

MODERATOR = Role(
    group="Moderator",
    job="Decides on posts: quality, rejection with a reason, featured and home page.",
    permissions=(
        *_CAMPAIGN_VIEW,
        "campaigns.view_post",
        "campaigns.change_post",
        "campaigns.view_postsignature",
        "campaigns.view_postband",
    ),
)
ENROLMENT_REVIEWER = Role(
    group="Enrolment reviewer",
    job="Approves or rejects enrolments with a reason; clears or upholds anti-gaming flags with a reason.",
    permissions=(
        *_CAMPAIGN_VIEW,
        "campaigns.view_enrollment",
        "campaigns.change_enrollment",
        "traders.view_exchangeaccount",
        "traders.view_dailyequity",
        "leaderboard.view_rankingrun",
        "leaderboard.view_standing",
        "leaderboard.view_flagreview",
        "leaderboard.review_flag",
    ),
)
CAMPAIGN_MANAGER = Role(
    group="Campaign manager",
    job=(
        "Runs the campaign's data: campaigns, reward pools and periods; (re)calculates draft payout batches; "
        "checks traders' UIDs; retries failed emails; sees the beat schedule."
    ),
    permissions=(
        *_CAMPAIGN_VIEW,
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.add_rewardpool",
        "campaigns.change_rewardpool",
        "campaigns.view_rewardperiod",
        "campaigns.change_rewardperiod",
        "traders.change_leadtrader",
        "traders.view_exchangeaccount",
        "traders.view_ingestioncursor",
        "rewards.view_payoutbatch",
        "rewards.change_payoutbatch",
        "rewards.view_payout",
        "core.view_outboundemail",
        "core.retry_outboundemail",
        "django_celery_beat.view_periodictask",
    ),
)
PAYOUT_APPROVER = Role(
    group="Payout approver",
    job="Approves a draft payout batch someone else calculated (four eyes); it is frozen from then on.",
    permissions=(
        *_CAMPAIGN_VIEW,
        "campaigns.view_rewardperiod",
        "rewards.view_payoutbatch",
        "rewards.approve_payoutbatch",
        "rewards.view_payout",
        "leaderboard.view_rankingrun",
        "leaderboard.view_standing",
        "core.view_auditevent",
    ),
)
PAYER = Role(
    group="Payer",
    job="Exports an approved batch, pays it outside Starboard and marks it paid with the payment reference.",
    permissions=(
        *_CAMPAIGN_VIEW,
        "campaigns.view_rewardperiod",
        "rewards.view_payoutbatch",
        "rewards.pay_payoutbatch",
        "rewards.view_payout",
    ),
)
AUDITOR = Role(
    group="Auditor",
    job="Reads everything the admin shows, the audit log included; changes nothing and runs no action.",
    permissions=(),
    views_everything=True,
)

ROLES: tuple[Role, ...] = (MODERATOR, ENROLMENT_REVIEWER, CAMPAIGN_MANAGER, PAYOUT_APPROVER, PAYER, AUDITOR)
