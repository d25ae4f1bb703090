"""Read queries of the regime app."""

from datetime import date

import pandas as pd

from .models import Observation, RegimeReading

BTC_CODE = "BTC/USDT"


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
