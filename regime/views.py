"""Public pages of the regime app."""

from datetime import timedelta

from django.shortcuts import render

from regime import narrative
from regime.charts import price_chart
from regime.indicators import INDICATORS, stored_indicator
from regime.models import MarketSeries
from regime.selectors import BTC_CODE, regime_data_sources, regime_readings, series_values

RANGES = {"1y": 365, "2y": 730, "all": None}
_FORMATS = {"pct": lambda v: f"{v * 100:+.0f}%", "bp": lambda v: f"{v:+.0f}", "ratio": lambda v: f"{v:.2f}"}


def history(request):
    """BTC price with the regime shaded behind it, and every indicator below on the same days."""
    chosen = request.GET.get("range", "2y")
    chosen = chosen if chosen in RANGES else "2y"
    readings = regime_readings()
    last = readings.values_list("as_of", flat=True).last()
    if RANGES[chosen] and last:
        readings = regime_readings(start=last - timedelta(days=RANGES[chosen] - 1))
    readings = list(readings.values("as_of", "label", "score", "components", "is_simulated"))
    chart, indicator_charts = None, []
    if readings:
        dates = [r["as_of"] for r in readings]
        labels = [r["label"] for r in readings]
        btc = series_values(code=BTC_CODE, start=dates[0], end=dates[-1])
        by_date = dict(zip(btc.index, btc.to_numpy(), strict=True))
        chart = price_chart(dates=dates, prices=[by_date.get(d) for d in dates], labels=labels)
        for spec in INDICATORS:
            values = [stored_indicator(r["components"], spec.key).get("value") for r in readings]
            indicator_charts.append(
                {
                    "key": spec.key,
                    "name": narrative.INDICATOR_NAMES[spec.key],
                    "leg": narrative.LEG_NAMES[spec.leg],
                    "latest": narrative.format_value(values[-1], spec.unit),
                    "chart": price_chart(
                        dates=dates,
                        prices=values,
                        labels=labels,
                        width=360,
                        height=140,
                        margin_left=44,
                        margin_bottom=18,
                        fmt=_FORMATS[spec.unit],
                    ),
                }
            )
    context = {
        "chart": chart,
        "indicator_charts": indicator_charts,
        "readings_count": len(readings),
        "first": readings[0]["as_of"] if readings else None,
        "last": readings[-1]["as_of"] if readings else None,
        "is_simulated": any(r["is_simulated"] for r in readings),
        "sources": [{**s, "source_label": MarketSeries.Source(s["source"]).label} for s in regime_data_sources()],
        "ranges": list(RANGES),
        "range": chosen,
    }
    return render(request, "regime/history.html", context)
