"""Computing and storing the daily regime readings from the stored series."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from django.db import transaction

from regime import indicators as ind
from regime.models import MarketSeries, RegimeReading
from regime.narrative import framing_texts
from regime.selectors import BTC_CODE, series_values

INPUT_CODES = sorted({c for spec in ind.INDICATORS for c in spec.inputs})
HISTORY_YEARS = 6  # loaded before the first day written: 365-day windows plus the 3-year z-score window
DEFAULT_DAYS = 730
RECOMPUTE_TAIL_DAYS = 7  # late data (a revised candle, a FRED lag) refreshes the last week
_FIELDS = ["score", "label", "components", "missing", "text_en", "text_zh", "is_simulated"]


@dataclass
class ComputeResult:
    written: int
    start: date | None
    end: date | None
    latest_label: str | None
    latest_score: float | None
    is_simulated: bool

    def summary(self) -> str:
        if not self.written:
            return "regime: no readings (no data)"
        score = "—" if self.latest_score is None else f"{self.latest_score:+.2f}"
        sim = " (simulated data)" if self.is_simulated else ""
        return f"regime: {self.written} readings {self.start}..{self.end}, latest {self.latest_label} {score}{sim}"


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def regime_inputs(*, start: date | None = None, end: date | None = None) -> dict[str, pd.Series]:
    return {code: series_values(code=code, start=start, end=end) for code in INPUT_CODES}


def reading_payloads(table: ind.RegimeTable, days: pd.DatetimeIndex) -> list[dict]:
    """Components, missing list, score and label of each day, as stored on the RegimeReading."""
    values = table.values.loc[days].to_dict("index")
    zscores = table.zscores.loc[days].to_dict("index")
    stale = table.stale.loc[days].to_dict("index")
    direction = table.direction.loc[days].to_dict("index")
    input_last = table.input_last.loc[days].to_dict("index")
    out = []
    for day in days:
        z_day, last_day = zscores[day], input_last[day]
        total_weight = sum(s.weight for s in ind.INDICATORS if s.weight > 0 and not pd.isna(z_day[s.key]))
        credit = table.credit_code.get(day)
        indicators = {}
        for spec in ind.INDICATORS:
            z = _num(z_day[spec.key])
            codes = [c for c in spec.inputs if c not in ind.CREDIT_CODES]
            if spec.key == "credit_change_90d":
                codes = [credit] if isinstance(credit, str) else []
            lasts = [last_day[c] for c in codes if not pd.isna(last_day[c])]
            d = direction[day][spec.key]
            indicators[spec.key] = {
                "leg": spec.leg,
                "value": _num(values[day][spec.key]),
                "unit": spec.unit,
                "z": z,
                "sign": spec.sign,
                "weight": spec.weight,
                "contribution": None
                if z is None or not total_weight
                else round(spec.sign * z * spec.weight / total_weight, 6),
                "direction": 0 if pd.isna(d) else int(d),
                "stale": bool(stale[day][spec.key]),
                "last": min(lasts).date().isoformat() if lasts else None,
                "code": codes[0] if len(codes) == 1 else None,
            }
        out.append(
            {
                "day": day.date(),
                "indicators": indicators,
                "legs": ind.leg_verdicts({k: v["value"] for k, v in indicators.items()}),
                "missing": ind.missing_inputs(table, day),
                "score": _num(table.score.at[day]),
                "label": table.label.at[day],
            }
        )
    return out


@transaction.atomic
def regime_readings_compute(
    *, start: date | None = None, end: date | None = None, days: int | None = None, progress=None
) -> ComputeResult:
    """Upsert one RegimeReading per day from `start` to `end`.

    Defaults: `end` is the last BTC observation (or of any input without BTC); `start` is a week before the latest
    stored reading, or `days` (730) before `end` when there is none. Labels are computed over the whole loaded
    history so the hysteresis path does not depend on which days are written.
    """
    if end is None:
        btc = series_values(code=BTC_CODE)
        if len(btc):
            end = btc.index[-1]
        else:
            lasts = [s.index[-1] for s in regime_inputs().values() if len(s)]
            end = max(lasts) if lasts else None
    if end is None:
        return ComputeResult(0, None, None, None, None, False)
    if start is None:
        latest = RegimeReading.objects.filter(as_of__lte=end).order_by("-as_of").values_list("as_of", flat=True).first()
        if latest and days is None:
            start = latest - timedelta(days=RECOMPUTE_TAIL_DAYS)
        else:
            start = end - timedelta(days=(days or DEFAULT_DAYS) - 1)
    load_from = start - timedelta(days=365 * HISTORY_YEARS)
    inputs = regime_inputs(start=load_from, end=end)
    table = ind.regime_table(inputs, end=pd.Timestamp(end))
    if table.score.empty:
        return ComputeResult(0, None, None, None, None, False)
    simulated = MarketSeries.objects.filter(code__in=INPUT_CODES, is_simulated=True).exists()

    days_index = table.score.index[
        (table.score.index >= pd.Timestamp(start)) & (table.score.index <= pd.Timestamp(end))
    ]
    existing = {r.as_of: r for r in RegimeReading.objects.filter(as_of__gte=start, as_of__lte=end)}
    to_create, to_update = [], []
    for payload in reading_payloads(table, days_index):
        if payload["score"] is None:
            continue  # nothing at all to read that day
        text_en, text_zh = framing_texts(
            label=payload["label"], score=payload["score"], indicators=payload["indicators"], legs=payload["legs"]
        )
        fields = {
            "score": payload["score"],
            "label": payload["label"],
            "components": {"indicators": payload["indicators"], "legs": payload["legs"]},
            "missing": payload["missing"],
            "text_en": text_en,
            "text_zh": text_zh,
            "is_simulated": simulated,
        }
        reading = existing.get(payload["day"])
        if reading is None:
            to_create.append(RegimeReading(as_of=payload["day"], **fields))
        else:
            for key, value in fields.items():
                setattr(reading, key, value)
            to_update.append(reading)
        if progress:
            progress(1)
    RegimeReading.objects.bulk_create(to_create, batch_size=500)
    RegimeReading.objects.bulk_update(to_update, _FIELDS, batch_size=500)
    written = to_create + to_update
    if not written:
        return ComputeResult(0, None, None, None, None, simulated)
    last = max(written, key=lambda r: r.as_of)
    return ComputeResult(
        written=len(written),
        start=min(r.as_of for r in written),
        end=last.as_of,
        latest_label=last.label,
        latest_score=last.score,
        is_simulated=simulated,
    )
