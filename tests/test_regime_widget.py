"""The regime widget partial in English and Chinese, the simulated label, the history page, the API, the demo seed
and the stored readings, on the real series of the shared data folder (those tests skip without it), and the demo
seed on a clone alone."""

import csv
import re
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from demo.regime import _btc_from_files, seed_regime
from regime.models import MarketSeries, RegimeReading
from regime.services.imports import series_import_file
from regime.services.readings import regime_readings_compute

pytestmark = pytest.mark.django_db

WIDGET = Template("{% load regime_tags %}{% regime_widget %}")


@pytest.fixture
def real_readings(shared_data):
    since = date(2018, 1, 1)
    _btc_from_files(shared_data)
    files = [("fred_DGS10.csv", "DGS10"), ("fred_M2SL.csv", "M2SL"), ("fred_BOGMBASE.csv", "BOGMBASE")]
    files += [("fred_BAA10Y.csv", "BAA10Y"), ("stock_MU_daily.csv", "MU"), ("stock_SNDK_daily.csv", "SNDK")]
    for name, code in files:
        series_import_file(path=shared_data / name, code=code, since=since)
    result = regime_readings_compute(days=120)
    assert result.written == 120 and result.end == date(2026, 1, 23)
    return shared_data


def _btc_drawdown(folder) -> int:
    """BTC's distance below its one-year high on the last day of the data file, in whole percent."""
    with open(folder / "btc_usdt_daily_hyperliquid_2023-2026.csv", newline="") as fh:
        closes = [float(r["close"]) for r in csv.DictReader(fh)]
    return round((1 - closes[-1] / max(closes[-365:])) * 100)


def render(language: str) -> str:
    with translation.override(language):
        return WIDGET.render(Context({}))


def test_widget_in_english_quotes_the_live_numbers(real_readings):
    drawdown = _btc_drawdown(real_readings)
    html = render("en")
    assert 'data-regime="scarce"' in html and "Capital scarce" in html
    assert f"BTC is {drawdown}% below its one-year high" in html
    assert "As of 2026-01-23" in html
    assert "confirms" in html and "contradicts" in html  # each leg read as the data shows it
    assert "Simulated data" not in html
    # Every indicator has a row; those with history have a sparkline; stale inputs are named.
    assert len(re.findall(r'<tr class="rg-row', html)) == 10
    assert html.count("<polyline") >= 8
    assert "BOGMBASE · stale since 2025-05-01" in html
    assert "regime.css" in html


def test_widget_in_chinese(real_readings):
    drawdown = _btc_drawdown(real_readings)
    html = render("zh-hans")
    assert "资本稀缺" in html and "市场状态" in html
    assert f"BTC 较一年高点低 {drawdown}%" in html
    assert "印证" in html and "相悖" in html
    assert "截至 2026-01-23" in html
    assert "Capital scarce" not in html


def test_widget_without_readings_says_so():
    assert "No market regime reading yet" in render("en")
    assert "尚无市场状态读数" in render("zh-hans")


def test_stored_reading_names_stale_inputs_and_scores_what_is_there(real_readings):
    reading = RegimeReading.objects.get(as_of=date(2026, 1, 23))
    indicators = reading.components["indicators"]
    assert indicators["dgs10_change_90d"]["stale"] and indicators["dgs10_change_90d"]["z"] is None
    assert indicators["dgs10_change_90d"]["last"] == "2025-12-30"
    assert not indicators["btc_drawdown"]["stale"] and indicators["btc_drawdown"]["z"] is not None
    scored = [i for i in indicators.values() if i["contribution"] is not None]
    assert sum(i["contribution"] for i in scored) == pytest.approx(reading.score, abs=1e-5)
    assert {m["code"] for m in reading.missing} == {"DGS10", "BOGMBASE"}
    assert reading.components["legs"] == {
        "crypto": "confirms", "rates": "mixed", "multiplier": "contradicts", "cashflow": "confirms",
    }  # fmt: skip
    # Recomputing writes the same readings again, no duplicates.
    before = RegimeReading.objects.count()
    regime_readings_compute()
    assert RegimeReading.objects.count() == before


def test_history_page_and_api(real_readings):
    client = Client()
    page = client.get(reverse("regime:history"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="regime-price-chart"' in body and 'class="rg-band-scarce"' in body
    assert body.count('class="rg-price"') == 11  # BTC plus ten indicators
    assert "Hyperliquid" in body  # the data source is named

    latest = client.get("/api/v1/regime/")
    assert latest.status_code == 200
    data = latest.json()
    assert data["as_of"] == "2026-01-23" and data["label"] == "scarce" and data["is_simulated"] is False
    assert data["text"] == data["text_en"] and "资本稀缺" in data["text_zh"]
    zh = client.get("/api/v1/regime/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.json()["text"] == data["text_zh"]
    history = client.get("/api/v1/regime/history/", {"start": "2026-01-20"}).json()
    assert [r["as_of"] for r in history["results"]] == ["2026-01-20", "2026-01-21", "2026-01-22", "2026-01-23"]
    assert client.get("/api/v1/regime/history/", {"start": "nope"}).status_code == 400
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/regime/" in schema and "RegimeReading" in schema


def test_api_without_readings_is_404():
    assert Client().get("/api/v1/regime/").status_code == 404


def _seed_offline(data_dir, today):
    summary = seed_regime(online=False, data_dir=data_dir, today=today)
    assert "SIMULATED" in summary
    assert RegimeReading.objects.count() == 730
    assert not RegimeReading.objects.filter(is_simulated=False).exists()
    assert RegimeReading.objects.latest("as_of").as_of == today - timedelta(days=1)
    assert set(RegimeReading.objects.values_list("label", flat=True)) >= {"scarce", "abundant"}
    assert "Simulated data" in render("en") and "模拟数据" in render("zh-hans")
    assert "Simulated data" in Client().get(reverse("regime:history")).content.decode()
    # Deterministic and idempotent.
    first = list(RegimeReading.objects.order_by("as_of").values_list("as_of", "score", "label"))
    seed_regime(online=False, data_dir=data_dir, today=today)
    assert list(RegimeReading.objects.order_by("as_of").values_list("as_of", "score", "label")) == first
    return summary


def _sources() -> dict[str, str]:
    return dict(MarketSeries.objects.values_list("code", "source"))


def test_demo_seed_on_a_clone_alone_uses_the_shipped_fred_series_and_simulates_the_rest(tmp_path):
    summary = _seed_offline(tmp_path / "absent", date(2026, 11, 26))
    shipped = {"DGS10", "M2SL", "BOGMBASE"}  # public domain, in the repo's data/
    assert {code for code, source in _sources().items() if source == MarketSeries.Source.FRED} == shipped
    assert {code for code, source in _sources().items() if source == MarketSeries.Source.SIMULATED} == {
        "BTC/USDT", "MU", "SNDK", "BAMLH0A0HYM2"
    }  # fmt: skip
    assert "SIMULATED where no real source answered: BTC/USDT, BAMLH0A0HYM2, MU, SNDK" in summary
    dgs10 = MarketSeries.objects.get(code="DGS10")  # the real series ends 2025-12-30: continued, and named so
    assert dgs10.name.endswith("values after 2025-12-30 are SIMULATED") and dgs10.is_simulated


def test_demo_seed_without_network_or_any_data_is_all_simulated_and_labelled(tmp_path, settings):
    settings.SNAPSHOT_DATA_DIR = tmp_path / "no-snapshot"
    _seed_offline(tmp_path / "absent", date(2026, 11, 26))
    assert set(_sources().values()) == {MarketSeries.Source.SIMULATED}


def test_demo_seed_with_the_shared_data_replaces_the_simulated_series(tmp_path, shared_data):
    """With the real data available the simulated series are replaced by the real ones, not mixed in; each real
    series that ends too early is continued by a labelled simulation (tests/test_regime_demo_continuation.py), so
    only the readings from its first simulated value on stay flagged simulated."""
    today = date(2026, 11, 26)
    _seed_offline(tmp_path / "absent", today)
    seed_regime(online=False, data_dir=shared_data, today=today)
    assert not MarketSeries.objects.filter(source=MarketSeries.Source.SIMULATED).exists()
    first_simulated = RegimeReading.objects.filter(is_simulated=True).earliest("as_of").as_of
    assert RegimeReading.objects.filter(is_simulated=False).latest("as_of").as_of == first_simulated - timedelta(days=1)
    assert RegimeReading.objects.latest("as_of").as_of == today - timedelta(days=1)


def test_compute_task_writes_todays_reading(real_readings):
    from regime.tasks import compute_regime

    RegimeReading.objects.filter(as_of=date(2026, 1, 23)).delete()
    summary = compute_regime.delay().get()
    assert "latest scarce" in summary
    assert RegimeReading.objects.filter(as_of=date(2026, 1, 23)).exists()
