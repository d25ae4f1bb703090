"""Public pages: home, leaderboard, trader profile. Thin: selectors read, templates show.

The leaderboard's rendered table is cached under a key that contains the latest published run's id (the version),
so publishing a run switches every reader to the new table at once; a cache outage only costs a re-render. Only
pages bounded by data are shared through Redis (web.page_cache). The version itself is cached too
(public_selectors.board_state_cached, rewritten on publish by services.board_cache).
"""

import functools
import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import strip_spaces_between_tags
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from campaigns.selectors import leaderboard_pool
from campaigns.services.enrolment import registration_window_state
from leaderboard import charts
from leaderboard.explanation import score_breakdown
from leaderboard.metric_registry import CAPACITY_FIELDS, COLUMN_SETS, COLUMNS, DEFAULT_SET, METRICS, SET_LABELS
from leaderboard.models import RankingRun
from web import board_state_mirror, page_cache
from web import selectors as sel
from web.templatetags.board_tags import board_url

CSRF_PLACEHOLDER = b"__starboard_csrf_token__"
MAX_QUERY = 64


def local_cache_clear() -> None:
    """Forget this process's copies (tests do this with cache.clear(); production never needs to)."""
    page_cache.local_copies_clear()
    board_state_mirror.clear()


_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def _conditional(request, *, etag: str, last_modified):
    """A 304 when the client already has this version, else None."""
    if not any(header in request.META for header in _CONDITIONAL_HEADERS):
        return None  # most requests: nothing to compare, skip the parsing
    return get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp()) if last_modified else None
    )


@functools.lru_cache(maxsize=64)
def _http_date(timestamp: float) -> str:
    return http_date(timestamp)


def _stamp(response, *, etag: str, last_modified) -> None:
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = _http_date(last_modified.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    if "Vary" in response:
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
    else:  # the usual case, without re-parsing a header this view has not set yet
        response["Vary"] = "Accept-Language, Cookie"


def _page_number(value) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except (TypeError, ValueError):
        return 1


@require_safe
def home(request):
    campaign = sel.campaign_for_page()
    context = {"campaign": campaign}
    if campaign is None:
        return render(request, "leaderboard/home.html", context)
    pools = sel.pools_of(campaign=campaign)
    pool = leaderboard_pool(pools=pools)
    period_run = sel.run_latest(campaign=campaign, window=RankingRun.Window.PERIOD)
    run_7d = sel.run_latest(campaign=campaign, window=RankingRun.Window.D7)
    projected = sel.projected_rewards(pool=pool, run=period_run)
    top = sel.top_standings(run=period_run, limit=(pool.winners if pool and pool.winners else 10))
    context.update(
        pools=pools,
        leaderboard_pool=pool,
        top=[(s, projected.get(s.trader_id)) for s in top],
        period_run=period_run,
        spotlight=sel.spotlight(campaign=campaign, run_7d=run_7d),
        spotlight_run=run_7d,
        posts=sel.posts_showcase(campaign=campaign),
        registration=registration_window_state(campaign=campaign, now=timezone.now()),
        now=timezone.now(),
    )
    return render(request, "leaderboard/home.html", context)


def _cookie_free(request) -> bool:
    """No session and no flash messages: the visitor sees exactly what every anonymous visitor sees."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


@require_safe
def leaderboard(request):
    slug = request.GET.get("campaign") or None
    window = sel.window_clean(request.GET.get("window"))
    sort, descending = sel.sort_clean(request.GET.get("sort"))
    cols = sel.column_set_clean(request.GET.get("cols"))
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    page_number = _page_number(request.GET.get("page"))
    language = get_language()

    # The version: the latest published run of the campaign and window, from the cache (written when a run is
    # published), else one indexed query. A cached page for a cookie-free visitor then touches no database at all.
    state = sel.board_state_cached(slug=slug, window=window)
    campaign = run = None
    if state is None:  # no published run: find out whether the campaign exists at all
        campaign = sel.campaign_for_page(slug=slug)
        if campaign is None and slug:
            raise Http404("No such campaign")
        campaign_id, version, last_modified = (campaign.pk if campaign else 0), 0, None
    else:
        campaign_id, run_id, last_modified = state
        # The publish time too, so a run id reused after a delete (SQLite) can never revive an old page.
        version = f"{run_id}.{int(last_modified.timestamp() * 1000)}"

    whole_page = _cookie_free(request)  # signed-in visitors get their own nav: another representation
    parts = [campaign_id, int(bool(slug)), window, sort, int(descending), page_number, language, query, whole_page]
    if cols != DEFAULT_SET:
        parts.append(cols)  # the default set keeps the digest (and the cached pages) it had before column sets
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()
    etag = f'"lb-{version}-{digest[:20]}"'
    not_modified = _conditional(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        _stamp(not_modified, etag=etag, last_modified=last_modified)
        return not_modified

    key = f"pages:leaderboard:v{version}:{digest}"
    canonical = page_cache.is_canonical(
        query=query, page_number=page_number, descending=descending, first_click_descending=sel.SORTS[sort][1]
    ) and (cols == DEFAULT_SET)
    if whole_page:
        pieces = page_cache.page_get(key + ":whole", canonical=canonical)
        if pieces is not None:
            response = HttpResponse(_with_csrf_token(request, pieces))
            _stamp(response, etag=etag, last_modified=last_modified)
            return response

    if state is not None:
        campaign, run = sel.board_objects(campaign_id=campaign_id, run_id=run_id)
    table = page_cache.page_get(key, canonical=canonical)
    if table is None:
        table = _render_board(
            request,
            campaign=campaign,
            run=run,
            window=window,
            sort=sort,
            descending=descending,
            query=query,
            page_number=page_number,
            cols=cols,
        )
        page_cache.page_put(key, table, canonical=canonical)
    context = {
        "campaign": campaign,
        "run": run,
        "window": window,
        "table": table,
        "query": query,
        # the language links return to the canonical URL: the cached page is shared by every query-string variant
        "lang_next": board_url(window, sort, descending, query, page_number, campaign if slug else None, cols),
    }
    if whole_page:
        # The page is the same for every cookie-free visitor but a CSRF token, if it has a POST form at all: cache
        # it split at a placeholder. No form (the anonymous nav has none), one piece: no token, no cookie, no work.
        placeholder = CSRF_PLACEHOLDER.decode()
        html = render_to_string("leaderboard/leaderboard.html", {**context, "csrf_token": placeholder}, request)
        pieces = tuple(html.encode().split(CSRF_PLACEHOLDER))  # stored encoded: a hit costs no re-encoding
        page_cache.page_put(key + ":whole", pieces, canonical=canonical)
        response = HttpResponse(_with_csrf_token(request, pieces))
    else:
        response = render(request, "leaderboard/leaderboard.html", context)
    _stamp(response, etag=etag, last_modified=last_modified)
    return response


def _with_csrf_token(request, pieces: tuple[bytes, ...]) -> bytes:
    """The cached page for this visitor: its own CSRF token where the page has a form, else the shared bytes."""
    if len(pieces) == 1:
        return pieces[0]  # get_token is never called, so the CSRF middleware sets no cookie
    return get_token(request).encode().join(pieces)


def _render_board(request, *, campaign, run, window, sort, descending, query, page_number, cols=DEFAULT_SET) -> str:
    page = None
    projected = {}
    if run is not None:
        paginator = Paginator(
            sel.standing_page_queryset(run=run, sort=sort, descending=descending, query=query), sel.PAGE_SIZE
        )
        page = paginator.get_page(page_number)
        if window == RankingRun.Window.PERIOD:
            projected = sel.projected_rewards(pool=leaderboard_pool(pools=sel.pools_of(campaign=campaign)), run=run)
    link_campaign = campaign if request.GET.get("campaign") else None
    headers = []
    shown = COLUMN_SETS[cols]
    for key, label, kind, optional in COLUMNS:
        active = key == sort
        next_desc = (not descending) if active else sel.SORTS[key][1]
        headers.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "optional": optional,
                "active": active,
                "descending": descending,
                "href": board_url(window, key, next_desc, query, 1, link_campaign, cols),
                "best_value": f"-{key}" if sel.SORTS[key][1] else key,
                # the set's columns, and the sorted column always (sorting never hides what it sorts by)
                "shown": key in shown or active,
            }
        )
    rows = [
        {"s": standing, "change": standing.rank_change, "projected": projected.get(standing.trader_id)}
        for standing in page or []
    ]
    html = render_to_string(
        "leaderboard/_board.html",
        {
            "campaign": campaign,
            "run": run,
            "window": window,
            "windows": RankingRun.Window.choices,
            "sort": sort,
            "descending": descending,
            "sorts": sel.SORTS,
            "columns": COLUMNS,
            "headers": headers,
            "cols": cols,
            "column_sets": SET_LABELS.items(),
            "link_campaign": link_campaign,
            "query": query,
            "page": page,
            "rows": rows,
            "show_projected": bool(projected),
        },
        request=request,
    )
    # Rendered once per run and served many times: drop the template's indentation between tags.
    return mark_safe(strip_spaces_between_tags(html))  # noqa: S308 (our own autoescaped template output)


@require_safe
def trader_profile(request, exchange_uid: str):
    trader = sel.trader_public(exchange_uid=exchange_uid)
    if trader is None:
        raise Http404("No such trader")
    slug = request.GET.get("campaign")
    campaign = sel.campaign_for_page(slug=slug) if slug else sel.campaign_for_trader(trader=trader)
    standings = sel.trader_standings(trader=trader, campaign=campaign)
    latest = sel.latest_per_window(standings)
    series = sel.equity_series(trader=trader)
    uv_points = [(d, float(uv)) for d, uv, _ in series]
    drawdowns = charts.drawdown_series([v for _, v in uv_points])
    history_window, history = sel.rank_history(standings)
    rank_points = [(s.run.end_date, float(s.rank)) for s in history if s.rank]
    primary = sel.primary_standing(latest)
    rewards = sel.trader_rewards(trader=trader)
    context = {
        "trader": trader,
        "campaign": campaign,
        "latest": [(w, label, latest.get(w)) for w, label in RankingRun.Window.choices],
        "primary": primary,
        # Capacity panel (issue 13): the registry's labels and formats, "not reported" where the value is None.
        "capacity": [(getattr(primary, m.field), m.label, m.fmt) for m in METRICS if m.field in CAPACITY_FIELDS]
        if primary
        else [],
        "breakdown": score_breakdown(
            primary.explanation if primary else {}, labels={key: (label, fmt) for key, label, fmt, _ in COLUMNS}
        ),
        "uv_chart": charts.line_chart(uv_points, label=str(_("Unit value")), baseline=1.0 if uv_points else None),
        "dd_chart": charts.line_chart(
            list(zip([d for d, _ in uv_points], [x * 100 for x in drawdowns], strict=True)),
            kind="area",
            label=str(_("Drawdown (%)")),
            value_format="{:.1f}%",
            baseline=0.0,
            css_class="chart chart-dd",
        ),
        "rank_chart": charts.line_chart(rank_points, label=str(_("Rank history")), value_format="#{:.0f}", invert=True),
        "history": list(reversed(history)),
        "history_window": history_window,
        "posts": sel.trader_posts(trader=trader),
        "rewards": rewards,
        "reward_totals": [(currency, form, total) for (currency, form), total in rewards.totals.items()],
        "series_days": len(uv_points),
        "framing": sel.trader_framing(uv_points=uv_points, standing=primary),
    }
    return render(request, "leaderboard/trader.html", context)
