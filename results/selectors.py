"""Reads of published results for the pages, the API and the commands (they never write)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet

from core.csv_export import FORMULA_STARTS
from core.input_bounds import MAX_COUNT
from results.bundle import VERIFIER
from results.models import PublishedBundle

VERIFIER_PATH = Path(__file__).with_name(VERIFIER)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed, so the same bundle always zips to the same bytes


@dataclass(frozen=True)
class Line:
    line: int
    trader_id: int
    trader: str
    name: str
    rank: int | None
    amount: Decimal
    currency: str


def bundle_list(*, campaign) -> QuerySet[PublishedBundle]:
    """The campaign's published bundles, newest first, with their batch, period and pool."""
    return PublishedBundle.objects.filter(campaign=campaign).select_related("batch__period__pool").order_by("-sequence")


def bundle_get(*, campaign, batch_id: int) -> PublishedBundle:
    """The bundle of a batch of this campaign; DoesNotExist for anything else, an id out of range included."""
    if not 0 < batch_id <= MAX_COUNT:
        raise PublishedBundle.DoesNotExist
    return bundle_list(campaign=campaign).get(batch_id=batch_id)


def _as_typed(text: str) -> str:
    """A text cell as the person typed it: without the apostrophe the CSV put before a formula-like start."""
    return text[1:] if text[:1] == "'" and text[1:].lstrip(" ")[:1] in FORMULA_STARTS else text


def bundle_lines(bundle: PublishedBundle) -> list[Line]:
    """lines.csv as published (who was paid what), in its order."""
    return [
        Line(
            line=int(row["line"]),
            trader_id=int(row["trader_id"]),
            trader=_as_typed(row["trader"]),
            name=_as_typed(row["name"]),
            rank=int(row["rank"]) if row["rank"] else None,
            amount=Decimal(row["amount"]),
            currency=row["currency"],
        )
        for row in csv.DictReader(io.StringIO(bundle.files["lines.csv"], newline=""))
    ]


def bundle_manifest(bundle: PublishedBundle) -> dict:
    return json.loads(bundle.files["manifest.json"])


def verifier_source() -> bytes:
    return VERIFIER_PATH.read_bytes()


def bundle_zip(bundle: PublishedBundle, *, folder: str) -> bytes:
    """The bundle's files and the verifier in one folder of a zip, byte-for-byte the same on every download."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*sorted((n, bundle.file_bytes(n)) for n in bundle.files), (VERIFIER, verifier_source())]:
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()
