"""Keeps the cached board state (web.selectors.board_state_cached) in step with the database, and
every process's copy of it (web.board_state_mirror) in step with the cache.

Writes happen only after the transaction commits, so no reader ever sees the version of an uncommitted run; each
entry is recomputed from the database (the same query a reader falls back to), so the cache can only ever hold what
a reader would have found there.
"""

from django.db import transaction

from campaigns.models import Campaign
from core.cache import CACHE_ERRORS, best_effort_cache, cache_failure_report
from leaderboard.models import RankingRun
from leaderboard.signals import ranking_published
from web import board_state_mirror
from web import selectors as sel


def board_state_refresh(*, campaign: Campaign, window: str) -> None:
    """Rewrite the cached state of the campaign's page and of the featured page (it may be this campaign)."""
    keys = []
    for slug in (None, campaign.slug):
        key = sel.board_state_key(slug=slug, window=window)
        keys.append(key)
        state, seconds = sel.board_state_entry(slug=slug, window=window)
        # Redis down: nothing is written and readers use the database until it is back (core.cache logs it).
        if state is None or seconds <= 0:
            best_effort_cache.delete(key)
        else:
            best_effort_cache.set(key, sel.board_state_cache_value(state, seconds), seconds)
    _announce(keys)


def board_state_refresh_on_commit(sender=None, *, run: RankingRun, **kwargs) -> None:
    """After the publishing transaction commits: readers switch to the new run at once."""
    campaign, window = run.campaign, run.window
    transaction.on_commit(lambda: board_state_refresh(campaign=campaign, window=window), robust=True)


def board_state_forget(*, slugs: list[str]) -> None:
    """A campaign changed (dates, active flag, slug): drop the featured entries and those of its slugs."""
    keys = [sel.board_state_key(slug=slug, window=w) for slug in [None, *slugs] for w in sel.WINDOWS]
    best_effort_cache.delete_many(keys)
    _announce([board_state_mirror.ALL])


def _announce(keys: list[str]) -> None:
    """Every process drops its copies of these entries (this one at once, the others through Redis pub/sub)."""
    try:
        board_state_mirror.announce(keys)
    except CACHE_ERRORS as error:  # Redis down: no process keeps copies while its listener is disconnected
        cache_failure_report(error)


def _campaign_saving(sender, instance: Campaign, **kwargs) -> None:
    # Remember the slug it had, so a renamed campaign's old address stops resolving at once.
    if instance.pk and not kwargs.get("raw"):
        instance._board_old_slug = Campaign.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


def _campaign_changed(sender, instance: Campaign, **kwargs) -> None:
    slugs = [s for s in {instance.slug, getattr(instance, "_board_old_slug", None)} if s]
    transaction.on_commit(lambda: board_state_forget(slugs=slugs), robust=True)


def board_cache_connect() -> None:
    """Campaign edits through the ORM (admin, services) forget the cached board states they may change."""
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_campaign_saving, sender=Campaign, dispatch_uid="board_state_campaign_saving")
    post_save.connect(_campaign_changed, sender=Campaign, dispatch_uid="board_state_campaign_saved")
    post_delete.connect(_campaign_changed, sender=Campaign, dispatch_uid="board_state_campaign_deleted")
    ranking_published.connect(board_state_refresh_on_commit, dispatch_uid="board_state_ranking_published")
