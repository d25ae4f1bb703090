"""'Why this rank', readable: the stored Standing.explanation turned into the rows a trader can check by hand.

score = sum over metrics of weight x percentile x 100; each row shows the metric's value, its percentile among the
ranked traders, the weight the pool's rules give it, and the points it contributed. Floors show the requirement
beside the trader's own value. Flags an operator reviewed and cleared (FlagReview) are listed with the review's
date: they no longer count against the trader, and stay visible. A record of equity and flows only says so, as does
one whose returns cover too little of the window, and each ratio left empty gives its reason.
"""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from leaderboard.models import FLAG_LABELS

FLOORS = [
    # (floor key, value key, label, format)
    ("require_approved_enrolment", "approved", _("Approved enrolment"), "bool"),
    ("min_equity", "equity", _("Equity (USDT) at least"), "money"),
    ("min_trades", "trades", _("Closed trades at least"), "int"),
    ("min_active_days", "active_days", _("Active days at least"), "int"),
]
# Why a ratio is shown as "—" although the formula would give a number (leaderboard.metrics.metrics_bound).
RATIO_REASON_LABELS = {
    "too_few_returns": _("too few returns in the window"),
    "low_coverage": _("the returns cover too little of the window"),
    "short_window": _("too short a period to annualise"),
    "tiny_drawdown": _("the drawdown is too small for the ratio to mean anything"),
}
EXTRA_LABELS = {"cagr": (_("Annualised return"), "pct")}  # explained, not a board column
TIE_BREAK_LABELS = {
    "score": _("score"),
    "pnl": _("PnL"),
    "enrolled_at": _("earlier enrolment"),
    "trader_id": _("registration order"),
}


def score_breakdown(explanation: dict, *, labels: dict[str, tuple]) -> dict:
    """labels: metric key -> (label, format) as the leaderboard columns show them."""
    explanation = explanation or {}
    score = explanation.get("score") or {}
    metrics = explanation.get("metrics") or {}
    percentiles = explanation.get("percentiles") or {}
    contributions = explanation.get("contributions") or {}
    weights = score.get("weights") or {}
    if score.get("method") == "metric" and score.get("metric"):
        weights = {score["metric"]: 1.0}  # the score is that metric's own value
    rows = []
    # Heaviest weight first; JSON objects keep no key order in PostgreSQL (jsonb), so order explicitly.
    for key, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
        label, fmt = labels.get(key, (key, "num"))
        rows.append(
            {
                "key": key,
                "label": label,
                "format": fmt,
                "value": metrics.get(key),
                "percentile": percentiles.get(key),
                "weight": weight,
                "points": contributions.get(key),
            }
        )
    eligibility = explanation.get("eligibility") or {}
    required, values = eligibility.get("floors") or {}, eligibility.get("values") or {}
    floors = []
    for floor_key, value_key, label, fmt in FLOORS:
        if floor_key not in required or (fmt == "bool" and not required[floor_key]):
            continue
        actual = values.get(value_key)
        need = required[floor_key]
        ok = bool(actual) if fmt == "bool" else actual is not None and float(actual) >= float(need)
        floors.append({"label": label, "required": need, "actual": actual, "format": fmt, "ok": ok})
    cleared = [
        {
            "code": flag.get("code"),
            "label": FLAG_LABELS.get(flag.get("code"), flag.get("code")),
            "reviewed_at": _instant(flag.get("reviewed_at")),
            "expires_at": _instant(flag.get("expires_at")),
        }
        for flag in eligibility.get("cleared_flags") or []
    ]
    undefined = [
        {"label": {**EXTRA_LABELS, **labels}.get(key, (key, "num"))[0], "reason": RATIO_REASON_LABELS.get(code, code)}
        for key, code in sorted((explanation.get("undefined") or {}).items())
    ]
    return {
        "method": score.get("method"),
        # "equity_and_flows": no trade record behind the trader; ranked on the return metrics alone.
        "basis": explanation.get("basis"),
        "low_coverage": bool(explanation.get("low_coverage")),
        "coverage": metrics.get("coverage"),
        "undefined": undefined,
        "rows": rows,
        "total": sum(r["points"] for r in rows if r["points"] is not None) if rows else None,
        "floors": floors,
        "tie_break": [TIE_BREAK_LABELS.get(k, k) for k in explanation.get("tie_break") or []],
        "window": explanation.get("window") or {},
        "cleared_flags": cleared,
    }


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
