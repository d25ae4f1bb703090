"""The framing sentences of a regime reading, quoting its live numbers, in the active language (no ORM).

Each leg of the thesis is read as the data shows it: the sentence says whether it confirms or contradicts the
thesis, rather than repeating the thesis' conclusion. Call under translation.override(lang) for each language.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from regime.indicators import CONFIRMS, CONTRADICTS, LEGS, MIXED, NO_DATA


def _pct(value: float, signed: bool = True) -> str:
    return f"{value * 100:+.0f}%" if signed else f"{abs(value) * 100:.0f}%"


def _pts(value: float) -> str:
    return f"{value * 100:+.0f}"


def _bp(value: float) -> str:
    return f"{value:+.0f}"


def verdict_text(verdict: str) -> str:
    return {
        CONFIRMS: _("confirms"),
        CONTRADICTS: _("contradicts"),
        MIXED: _("inconclusive"),
        NO_DATA: _("no data"),
    }[verdict]


def label_text(label: str) -> str:
    return {"abundant": _("Liquidity abundant"), "neutral": _("Neutral"), "scarce": _("Capital scarce")}[label]


def _stale_note(indicators: dict, keys: list[str]) -> str:
    lasts = sorted({i["last"] for k in keys if (i := indicators.get(k)) and i.get("stale") and i.get("last")})
    return _("last reading %(date)s") % {"date": lasts[0]} if lasts else ""


def leg_clause(leg: str, indicators: dict, verdict: str) -> str:
    """One clause per leg, quoting its numbers, ending with the verdict in brackets."""
    v = {k: i.get("value") for k, i in indicators.items()}
    parts: list[str] = []
    keys: list[str] = []
    if leg == "crypto":
        keys = ["btc_drawdown", "btc_return_90d", "btc_vs_200d"]
        if v.get("btc_drawdown") is not None:
            parts.append(_("BTC is %(dd)s below its one-year high") % {"dd": _pct(v["btc_drawdown"], signed=False)})
        if v.get("btc_return_90d") is not None:
            parts.append(_("%(ret)s over 90 days") % {"ret": _pct(v["btc_return_90d"])})
        if v.get("btc_vs_200d") is not None:
            parts.append(_("%(vs)s against its 200-day average") % {"vs": _pct(v["btc_vs_200d"])})
    elif leg == "rates":
        keys = ["dgs10_change_90d", "credit_change_90d"]
        if v.get("dgs10_change_90d") is not None:
            parts.append(_("the 10-year yield moved %(bp)s bp in 90 days") % {"bp": _bp(v["dgs10_change_90d"])})
        if v.get("credit_change_90d") is not None:
            code = indicators["credit_change_90d"].get("code") or ""
            parts.append(_("credit (%(code)s) %(bp)s bp") % {"code": code, "bp": _bp(v["credit_change_90d"])})
    elif leg == "multiplier":
        keys = ["money_multiplier_change_1y"]
        if v.get("money_multiplier") is not None and v.get("money_multiplier_change_1y") is not None:
            parts.append(
                _("M2 / monetary base is %(mm).2f, %(chg)s over a year")
                % {"mm": v["money_multiplier"], "chg": _pct(v["money_multiplier_change_1y"])}
            )
    elif leg == "cashflow":
        keys = ["mu_vs_btc_90d", "sndk_vs_btc_90d"]
        if v.get("mu_vs_btc_90d") is not None:
            parts.append(_("MU's 90-day return minus BTC's is %(pts)s points") % {"pts": _pts(v["mu_vs_btc_90d"])})
        if v.get("sndk_vs_btc_90d") is not None:
            parts.append(_("SNDK's %(pts)s") % {"pts": _pts(v["sndk_vs_btc_90d"])})
    if not parts:
        names = {
            "crypto": _("crypto barometer"),
            "rates": _("discount rates"),
            "multiplier": _("money multiplier"),
            "cashflow": _("cash-flow leadership"),
        }
        return _("%(leg)s: no data") % {"leg": names[leg]}
    note = _stale_note(indicators, keys)
    sep = _(", ")
    tail = sep.join([note, verdict_text(verdict)]) if note else verdict_text(verdict)
    return _("%(facts)s (%(verdict)s)") % {"facts": sep.join(parts), "verdict": tail}


def framing_text(*, label: str, score: float | None, indicators: dict, legs: dict[str, str]) -> str:
    """Two sentences: the legs with their numbers and verdicts, then the label and the tally."""
    clauses = [leg_clause(leg, indicators, legs.get(leg, NO_DATA)) for leg in LEGS]
    first = _("; ").join(clauses)
    first = first[0].upper() + first[1:]
    confirm = sum(1 for v in legs.values() if v == CONFIRMS)
    contradict = sum(1 for v in legs.values() if v == CONTRADICTS)
    read = sum(1 for v in legs.values() if v != NO_DATA)
    tally = ngettext(
        "%(confirm)d of %(read)d legs confirms the thesis that capital is scarce and assets without near-term cash "
        "flow are hit first",
        "%(confirm)d of %(read)d legs confirm the thesis that capital is scarce and assets without near-term cash "
        "flow are hit first",
        confirm,
    ) % {"confirm": confirm, "read": read}
    if contradict:
        tally += ngettext(", %(n)d contradicts it", ", %(n)d contradict it", contradict) % {"n": contradict}
    score_text = "—" if score is None else f"{score:+.2f}"
    end = _("%(label)s (score %(score)s): %(tally)s.") % {
        "label": label_text(label),
        "score": score_text,
        "tally": tally,
    }
    return _("%(legs)s. %(conclusion)s") % {"legs": first, "conclusion": end}


def framing_texts(**kwargs) -> tuple[str, str]:
    """The English and Simplified Chinese text of the same reading."""
    with translation.override("en"):
        en = framing_text(**kwargs)
    with translation.override("zh-hans"):
        zh = framing_text(**kwargs)
    return en, zh


INDICATOR_NAMES = {
    "btc_drawdown": gettext_lazy("BTC below its 365-day high"),
    "btc_return_90d": gettext_lazy("BTC 90-day return"),
    "btc_vs_200d": gettext_lazy("BTC vs its 200-day average"),
    "btc_vol_30d": gettext_lazy("BTC 30-day volatility (annualised)"),
    "dgs10_change_90d": gettext_lazy("10-year yield, 90-day change"),
    "credit_change_90d": gettext_lazy("Credit yield, 90-day change"),
    "money_multiplier": gettext_lazy("Money multiplier (M2 / base)"),
    "money_multiplier_change_1y": gettext_lazy("Money multiplier, 1-year change"),
    "mu_vs_btc_90d": gettext_lazy("MU 90-day return minus BTC's"),
    "sndk_vs_btc_90d": gettext_lazy("SNDK 90-day return minus BTC's"),
}
LEG_NAMES = {
    "crypto": gettext_lazy("Crypto liquidity barometer"),
    "rates": gettext_lazy("Discount-rate pressure"),
    "multiplier": gettext_lazy("Money multiplier"),
    "cashflow": gettext_lazy("Cash-flow leadership"),
}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "pct":
        return f"{value * 100:+.1f}%"
    if unit == "bp":
        return _("%(bp)s bp") % {"bp": f"{value:+.0f}"}
    return f"{value:.2f}"
