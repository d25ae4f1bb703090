"""Importing a market series from a CSV file: all or nothing, idempotent upserts, a report of what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from regime.models import MarketSeries, Observation
from regime.series_files import (
    PLACES,
    ParsedSeries,
    Row,
    SeriesFileError,
    infer_frequency,
    parse_series_file,
    series_label_problems,
)

_FIELDS = ("value", "open", "high", "low", "volume")


@dataclass
class ImportResult:
    code: str
    created: int
    updated: int
    unchanged: int
    missing: int  # lines with a missing-value marker (FRED's ".")

    def summary(self) -> str:
        return (
            f"{self.code}: {self.created} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.missing} missing values skipped"
        )


def _key(obj) -> tuple:
    return tuple(None if getattr(obj, f) is None else Decimal(getattr(obj, f)).quantize(PLACES) for f in _FIELDS)


@transaction.atomic
def observations_upsert(*, series: MarketSeries, rows: list[Row]) -> tuple[int, int, int]:
    """Write rows for a series; rows identical to what is stored are not touched. Returns (created, updated, same)."""
    if not rows:
        return 0, 0, 0
    first, last = min(r.date for r in rows), max(r.date for r in rows)
    existing = {o.date: o for o in Observation.objects.filter(series=series, date__gte=first, date__lte=last)}
    to_create, to_update, same = [], [], 0
    for row in rows:
        current = existing.get(row.date)
        if current is None:
            to_create.append(Observation(series=series, **{"date": row.date, **{f: getattr(row, f) for f in _FIELDS}}))
        elif _key(current) != _key(row):
            for f in _FIELDS:
                setattr(current, f, getattr(row, f))
            to_update.append(current)
        else:
            same += 1
    Observation.objects.bulk_create(to_create, batch_size=2000)
    Observation.objects.bulk_update(to_update, list(_FIELDS), batch_size=2000)
    return len(to_create), len(to_update), same


@transaction.atomic
def series_ensure(
    *,
    code: str,
    name: str = "",
    unit: str = "",
    frequency: str = "",
    source: str = MarketSeries.Source.IMPORT,
    is_simulated: bool = False,
) -> MarketSeries:
    """Get or create a series and set its metadata. Switching between simulated and real drops the old points."""
    series, created = MarketSeries.objects.select_for_update().get_or_create(
        code=code,
        defaults={
            "name": name or code,
            "unit": unit,
            "frequency": frequency or "daily",
            "source": source,
            "is_simulated": is_simulated,
        },
    )
    if not created:
        if series.is_simulated != is_simulated:
            series.observations.all().delete()
            series.cursor_ms = None
        series.name = name or series.name
        series.unit = unit or series.unit
        series.frequency = frequency or series.frequency
        series.source = source
        series.is_simulated = is_simulated
        series.save()
    return series


@transaction.atomic
def series_import(
    *, parsed: ParsedSeries, code: str | None = None, name: str = "", unit: str = "", source: str | None = None
) -> ImportResult:
    code = code or parsed.code
    if not code:
        raise SeriesFileError(["the file does not name its series: give a code (--code DGS10)"])
    if problems := series_label_problems(code=code, name=name, unit=unit):
        raise SeriesFileError(problems)
    if source is None:
        source = MarketSeries.Source.FRED if parsed.format == "fred" else MarketSeries.Source.IMPORT
    series = series_ensure(
        code=code,
        name=name,
        unit=unit or ("USD" if parsed.format == "stock" else ""),
        frequency=infer_frequency([r.date for r in parsed.rows]),
        source=source,
    )
    created, updated, same = observations_upsert(series=series, rows=parsed.rows)
    return ImportResult(code=code, created=created, updated=updated, unchanged=same, missing=parsed.missing)


def series_import_file(
    *,
    path: Path | str,
    code: str | None = None,
    fmt: str = "auto",
    name: str = "",
    unit: str = "",
    source: str | None = None,
    since: date | None = None,
) -> ImportResult:
    """Parse a whole file first (every bad line reported), then write it in one transaction (rows from `since`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeriesFileError([f"cannot read {path}: {exc}"]) from exc
    parsed = parse_series_file(text, fmt=fmt, now=timezone.now())
    if since is not None:
        parsed.rows = [r for r in parsed.rows if r.date >= since]
    return series_import(parsed=parsed, code=code, name=name, unit=unit, source=source)


FRED_CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={code}"


def series_fred_download(
    *,
    code: str,
    url: str | None = None,
    timeout: float = 10.0,
    name: str = "",
    unit: str = "",
    since: date | None = None,
) -> ImportResult:
    """Download FRED's public CSV of one series (no key needed) and import it like a file. Network errors raise
    OSError; a response that is not a FRED CSV raises SeriesFileError, and nothing is written in either case."""
    from urllib.request import Request, urlopen

    target = (url or getattr(settings, "FRED_CSV_URL", FRED_CSV_URL)).format(code=code)
    if not target.startswith(("https://", "http://")):
        raise SeriesFileError([f"not an http(s) URL: {target}"])
    request = Request(target, headers={"User-Agent": "starboard-regime/1.0"})  # noqa: S310 (scheme checked above)
    with urlopen(request, timeout=timeout) as response:  # noqa: S310
        text = response.read().decode("utf-8")
    parsed = parse_series_file(text, fmt="fred", now=timezone.now())
    if since is not None:
        parsed.rows = [r for r in parsed.rows if r.date >= since]
    return series_import(parsed=parsed, code=code, name=name, unit=unit, source=MarketSeries.Source.FRED)
