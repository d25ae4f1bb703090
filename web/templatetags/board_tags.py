"""Formatting for the public pages: metric values, signs, campaign-zone times and leaderboard links."""

from urllib.parse import urlencode

from django import template
from django.utils.translation import get_language

from core.numbers import format_number
from leaderboard.metric_registry import BY_KEY, DEFAULT_SET, SORTS
from leaderboard.models import FLAG_LABELS
from leaderboard.selectors import REASON_LABELS

register = template.Library()


@register.filter
def cell(standing, key: str):
    """The Standing value behind a board column (its key is the ?sort= key: metric_registry.SORTS)."""
    field = SORTS[key][0] if key in SORTS else key
    return getattr(standing, field, None)


@register.filter
def metric(value, kind: str = "num") -> str:
    """A number as pages show it (core.numbers): `kind` is a metric key of the registry (its format, decimals and
    display bound) or a bare kind (pct, pct0, money, amount, int, num); grouping follows the active language."""
    spec = BY_KEY.get(kind)
    if spec is not None:
        return format_number(value, spec.fmt, places=spec.places, bound=spec.display_bound, language=get_language())
    return format_number(value, kind, language=get_language())


@register.filter
def absval(value):
    return None if value is None else abs(value)


@register.filter
def tone(value) -> str:
    if value is None:
        return ""
    return "up" if value > 0 else ("down" if value < 0 else "")


@register.filter
def zoned(value, campaign) -> str:
    """An instant in the campaign's own zone, with its UTC offset spelled out."""
    if value is None or campaign is None:
        return ""
    local = value.astimezone(campaign.zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


@register.filter
def localized(campaign, field: str) -> str:
    """campaign.name / name_zh (and the like) by the active language."""
    if campaign is None:
        return ""
    if (get_language() or "").startswith("zh"):
        value = getattr(campaign, f"{field}_zh", "")
        if value:
            return value
    return getattr(campaign, field, "")


@register.simple_tag
def board_url(
    window: str, sort: str = "rank", descending: bool = False, query: str = "", page=1, campaign=None, cols=""
):
    """A normalised /leaderboard/ link: only the parameters the page understands, in a fixed order."""
    params = {"window": window}
    if campaign is not None:
        params["campaign"] = campaign.slug
    if cols and cols != DEFAULT_SET:
        params["cols"] = cols
    if sort != "rank" or descending:
        params["sort"] = f"-{sort}" if descending else sort
    if query:
        params["q"] = query
    if page and int(page) > 1:
        params["page"] = page
    return "/leaderboard/?" + urlencode(params)


@register.filter
def reason_text(reason) -> str:
    code = reason.get("code") if isinstance(reason, dict) else reason
    if isinstance(reason, dict) and reason.get("message"):
        return str(reason["message"])
    label = REASON_LABELS.get(code) or FLAG_LABELS.get(code)
    return str(label) if label else str(code).replace("_", " ")


@register.inclusion_tag("leaderboard/_track_record.html")
def track_record_badge(standing):
    """The "track record" badge in plain words: significant, or how many more days of this quality it needs."""
    return standing.track_record
