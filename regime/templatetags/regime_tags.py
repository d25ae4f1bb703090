"""`{% load regime_tags %}{% regime_widget %}`: the liquidity-regime widget, self-contained (its own CSS)."""

from django import template

from core.cache import best_effort_cache
from regime import narrative
from regime.charts import sparkline
from regime.indicators import INDICATORS, LEGS, NO_DATA, stored_indicator
from regime.models import RegimeReading
from regime.selectors import regime_reading_latest, regime_simulated_since

register = template.Library()

SPARK_DAYS = 90
GAUGE_RANGE = 2.0  # the gauge spans score -2 .. +2 (clipped beyond)


def _sparklines(reading: RegimeReading) -> dict[str, str]:
    """SVG points of each indicator over the last SPARK_DAYS readings; cached per reading and score, since every
    page shows the widget and the points only change when a reading is (re)computed."""
    key = f"regime:sparks:{reading.pk}:{reading.as_of}:{reading.score!r}"
    cached = best_effort_cache.get(key)  # Redis down: computed from the database
    if cached is not None:
        return cached
    history = list(
        RegimeReading.objects.filter(as_of__lte=reading.as_of)
        .order_by("-as_of")
        .values_list("components", flat=True)[:SPARK_DAYS]
    )[::-1]
    sparks = {spec.key: sparkline([stored_indicator(h, spec.key).get("value") for h in history]) for spec in INDICATORS}
    best_effort_cache.set(key, sparks, 6 * 3600)
    return sparks


def widget_context(reading: RegimeReading | None, *, compact: bool = False) -> dict:
    if reading is None:
        return {"reading": None}
    sparks = _sparklines(reading)
    legs = (reading.components or {}).get("legs", {})
    groups = []
    for leg in LEGS:
        rows = []
        for spec in INDICATORS:
            if spec.leg != leg:
                continue
            item = stored_indicator(reading.components, spec.key)
            contribution = item.get("contribution")
            rows.append(
                {
                    "key": spec.key,
                    "name": narrative.INDICATOR_NAMES[spec.key],
                    "value": narrative.format_value(item.get("value"), spec.unit),
                    "missing": item.get("value") is None,
                    "direction": item.get("direction", 0),
                    "stale": item.get("stale", False),
                    "last": item.get("last"),
                    "code": item.get("code"),
                    "tone": "scarce" if (contribution or 0) < 0 else "abundant" if (contribution or 0) > 0 else "flat",
                    "scored": spec.weight > 0,
                    "spark": sparks.get(spec.key, ""),
                }
            )
        verdict = legs.get(leg, NO_DATA)
        groups.append(
            {
                "leg": leg,
                "name": narrative.LEG_NAMES[leg],
                "verdict": verdict,
                "verdict_text": narrative.verdict_text(verdict),
                "rows": rows,
            }
        )
    gauge = max(-GAUGE_RANGE, min(GAUGE_RANGE, reading.score))
    return {
        "reading": reading,
        "label_text": narrative.label_text(reading.label),
        "groups": groups,
        "gauge_pct": round((gauge + GAUGE_RANGE) / (2 * GAUGE_RANGE) * 100, 1),
        "text": reading.text,
        "missing": reading.missing or [],
        "compact": compact,
        # Which part is simulated: readings from this day on (the real series end before it).
        "simulated_since": regime_simulated_since() if reading.is_simulated else None,
    }


@register.inclusion_tag("regime/_widget.html")
def regime_widget(reading: RegimeReading | None = None, compact: bool = False) -> dict:
    """The latest regime reading (or the one given): label, gauge, indicators with sparklines, framing text."""
    return widget_context(reading or regime_reading_latest(), compact=compact)


@register.filter
def regime_label(label: str) -> str:
    """`{{ reading.label|regime_label }}`: the label's text in the active language (narrative.label_text)."""
    return narrative.label_text(label)


@register.simple_tag
def regime_simulated_from():
    """`{% regime_simulated_from as day %}`: the first reading built on simulated values after real ones, or None."""
    return regime_simulated_since()


@register.inclusion_tag("regime/_trader_framing.html")
def regime_trader_framing(framing=None) -> dict:
    """A trader's result against BTC and the regime over the same days: a leaderboard.framing.TraderFraming (from
    leaderboard.selectors.trader_regime_framing; regime shows it and computes nothing of a trader's)."""
    if framing is None or not framing.days:
        return {"framing": None}

    def pct(value):
        return None if value is None else f"{value * 100:+.1f}%"

    return {
        "framing": framing,
        "trader": pct(framing.trader_return),
        "btc": pct(framing.btc_return),
        "excess": None if framing.excess_return is None else f"{framing.excess_return * 100:+.1f}",
        "beats_btc": (framing.excess_return or 0) > 0,
        "beta": None if framing.beta is None else f"{framing.beta:.2f}",
        "scarce": pct(framing.scarce_return),
        "abundant": pct(framing.abundant_return),
        "neutral": pct(framing.neutral_return),
    }
