"""Read queries of the regime app."""

from datetime import date, timedelta

import pandas as pd
from django.db.models import Count, Max, Min

from regime.indicators import BTC as BTC_CODE
from regime.models import MarketSeries, Observation, RegimeReading


def series_values(*, code: str, start: date | None = None, end: date | None = None) -> pd.Series:
    """A series' values as floats indexed by date (ascending); empty when unknown."""
    qs = Observation.objects.filter(series__code=code)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    rows = list(qs.order_by("date").values_list("date", "value"))
    if not rows:
        return pd.Series(dtype=float, name=code)
    dates, values = zip(*rows, strict=True)
    return pd.Series([float(v) for v in values], index=pd.Index(dates, name="date"), name=code)


def regime_reading_latest() -> RegimeReading | None:
    return RegimeReading.objects.order_by("-as_of").first()


def regime_simulated_since() -> date | None:
    """The first day whose reading rests on simulated values when earlier readings are real (a real series
    continued by a simulation); None when no reading is simulated or all of them are."""
    first = RegimeReading.objects.filter(is_simulated=True).order_by("as_of").values_list("as_of", flat=True).first()
    if first is None or not RegimeReading.objects.filter(is_simulated=False, as_of__lt=first).exists():
        return None
    return first


def regime_labels(start: date | None = None, end: date | None = None) -> pd.Series:
    """The stored regime label (abundant / neutral / scarce) of each day, indexed by date (ascending)."""
    rows = list(regime_readings(start=start, end=end).values_list("as_of", "label"))
    if not rows:
        return pd.Series(dtype=object, name="label")
    dates, labels = zip(*rows, strict=True)
    return pd.Series(labels, index=pd.Index(dates, name="date"), name="label", dtype=object)


def btc_returns(start: date | None = None, end: date | None = None) -> pd.Series:
    """BTC/USDT daily simple returns (close to close), indexed by date."""
    closes = series_values(code=BTC_CODE, start=start - timedelta(days=1) if start else None, end=end)
    returns = closes.pct_change().dropna()
    if start:
        returns = returns[returns.index >= start]
    return returns


def regime_readings(*, start: date | None = None, end: date | None = None):
    """Readings in ascending date order (for charts and the history page)."""
    qs = RegimeReading.objects.all()
    if start:
        qs = qs.filter(as_of__gte=start)
    if end:
        qs = qs.filter(as_of__lte=end)
    return qs.order_by("as_of")


def regime_data_sources() -> list[dict]:
    """Each input series with its source, whether simulated, and its date range (for honest labelling)."""
    return list(
        MarketSeries.objects.annotate(
            first=Min("observations__date"), last=Max("observations__date"), count=Count("observations")
        )
        .order_by("code")
        .values("code", "name", "source", "is_simulated", "first", "last", "count")
    )
