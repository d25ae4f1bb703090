"""`manage.py import_series`: the real FRED, generic and stock files; bad files with line numbers and nothing
half-applied; a second import of the same file changes nothing."""

import csv
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regime.models import MarketSeries, Observation

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_series", *map(str, args), stdout=out)
    return out.getvalue()


def _count_values(path, column):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    present = [r for r in rows if r[column].strip() not in ("", ".")]
    return len(rows), len(present), present


def test_fred_observation_date_format_names_its_series(snapshot_data):
    path = snapshot_data / "fred_BOGMBASE.csv"
    total, present, rows = _count_values(path, "BOGMBASE")
    out = run(path)
    series = MarketSeries.objects.get(code="BOGMBASE")
    assert series.source == MarketSeries.Source.FRED and series.frequency == "monthly"
    assert Observation.objects.filter(series=series).count() == present == 797
    last = rows[-1]
    assert Observation.objects.get(series=series, date=date.fromisoformat(last["observation_date"])).value == Decimal(
        last["BOGMBASE"]
    )
    assert "797 new" in out and "Imported 1 file(s)" in out


def test_date_value_file_with_missing_values_and_reimport_is_a_no_op(snapshot_data):
    path = snapshot_data / "fred_DGS10.csv"
    total, present, rows = _count_values(path, "value")
    out = run(path, "--code", "DGS10", "--name", "10-year Treasury yield")
    assert f"{present} new" in out and f"{total - present} missing values skipped" in out
    series = MarketSeries.objects.get(code="DGS10")
    assert series.name == "10-year Treasury yield" and series.frequency == "daily"
    assert Observation.objects.filter(series=series).count() == present
    assert Observation.objects.get(series=series, date=date(2025, 12, 30)).value == Decimal("4.14")

    before = list(Observation.objects.filter(series=series).values_list("pk", "value").order_by("pk"))
    again = run(path, "--code", "DGS10")
    assert "0 new, 0 changed" in again and f"{present} unchanged" in again
    assert list(Observation.objects.filter(series=series).values_list("pk", "value").order_by("pk")) == before


def test_uppercase_date_header_and_biweekly_frequency(snapshot_data):
    run(snapshot_data / "fred_MULT.csv")
    assert Observation.objects.filter(series__code="MULT").count() == 935
    assert MarketSeries.objects.get(code="MULT").frequency == "biweekly"


def test_daily_stock_bars(shared_data):
    path = shared_data / "stock_SNDK_daily.csv"
    _, present, rows = _count_values(path, "Close")
    run(path)
    sndk = MarketSeries.objects.get(code="SNDK")
    assert Observation.objects.filter(series=sndk).count() == present == 300
    first = Observation.objects.filter(series=sndk).order_by("date").first()
    assert first.date == date(2025, 2, 13)
    assert first.value == Decimal(rows[0]["Close"]).quantize(Decimal("1e-10"))
    assert first.high == Decimal(rows[0]["High"]).quantize(Decimal("1e-10"))


def test_a_changed_value_is_updated_in_place(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("date,value\n2025-01-01,1.5\n2025-01-02,1.6\n")
    run(path, "--code", "XSER")
    path.write_text("date,value\n2025-01-01,1.5\n2025-01-02,1.7\n2025-01-03,.\n")
    out = run(path, "--code", "XSER")
    assert "0 new, 1 changed, 1 unchanged, 1 missing" in out
    assert Observation.objects.get(series__code="XSER", date=date(2025, 1, 2)).value == Decimal("1.7")


def test_bad_file_reports_every_bad_line_and_saves_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "observation_date,DGS10\n"
        "2025-01-02,4.5\n"
        "2025-13-01,4.6\n"  # line 3: bad date
        "2025-01-03,four\n"  # line 4: not a number
        "2025-01-02,4.4\n"  # line 5: repeats line 2
        "2025-01-06,4.1,extra\n"  # line 6: wrong width
        "2025-01-07,.\n"
    )
    with pytest.raises(CommandError) as exc:
        run(path)
    message = str(exc.value)
    for needle in ("line 3: bad date", "line 4: not a number", "line 5: date 2025-01-02 repeats line 2", "line 6"):
        assert needle in message
    assert "nothing imported" in message
    assert not MarketSeries.objects.exists() and not Observation.objects.exists()


def test_bad_line_late_in_a_file_leaves_an_existing_series_untouched(tmp_path, snapshot_data):
    good = snapshot_data / "fred_M2SL.csv"
    run(good, "--code", "M2SL")
    count = Observation.objects.filter(series__code="M2SL").count()
    bad = tmp_path / "m2.csv"
    lines = good.read_text().splitlines()
    lines[-1] = lines[-1].split(",")[0] + ",n/a?"
    lines[1] = lines[1].split(",")[0] + ",1.0"  # a valid change that must not be applied either
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=f"line {len(lines)}: not a number"):
        run(bad, "--code", "M2SL")
    assert Observation.objects.filter(series__code="M2SL").count() == count
    assert Observation.objects.get(series__code="M2SL", date=date(1980, 1, 1)).value == Decimal("1482.7")


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        ("", [], "line 1: the file is empty"),
        ("when,howmuch\n2025-01-01,1\n", [], "line 1: unrecognised header"),
        ("date,value\n2025-01-01,1\n", [], "give a code"),
        ("date,value\n2025-01-01,.\n", ["--code", "X"], "no observations"),
        (
            "Date,Symbol,Open,High,Low,Close,Adj Close,Volume\n2025-01-02,MU,10,9,8,9.5,9.5,100\n",
            [],
            "line 2: low/high",
        ),
        ("date,value\n2025-01-01,1\n", ["--format", "stock", "--code", "X"], "does not match format"),
    ],
)
def test_clear_errors(tmp_path, content, args, needle):
    path = tmp_path / "f.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=needle):
        run(path, *args)
    assert not Observation.objects.exists()


def test_missing_file_and_help():
    with pytest.raises(CommandError, match="cannot read"):
        run("/nonexistent/file.csv", "--code", "X")
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["import_series"], "import_series")
    help_text = command.create_parser("manage.py", "import_series").format_help()
    assert "--code" in help_text and "--format" in help_text and "observation_date" in help_text


def test_other_regime_commands_fail_clearly():
    with pytest.raises(CommandError, match="no readings computed"):
        call_command("compute_regime", stdout=StringIO())
    with pytest.raises(CommandError, match="--since must be YYYY-MM-DD"):
        call_command("pull_candles", "--since", "2025/01/01", stdout=StringIO())
    with pytest.raises(CommandError, match="unknown ccxt exchange"):
        call_command("pull_candles", "--exchange", "nosuchexchange", stdout=StringIO())
    with pytest.raises(CommandError, match="dates are YYYY-MM-DD"):
        call_command("compute_regime", "--end", "yesterday", stdout=StringIO())


@pytest.fixture
def fred_server(snapshot_data):
    """A local HTTP server answering like FRED's fredgraph.csv with the real files (observation_date,SERIES)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            code = self.path.rsplit("/", 1)[-1].removesuffix(".csv")
            source = snapshot_data / f"fred_{code}.csv"
            if not source.exists():
                self.send_response(404)
                self.end_headers()
                return
            lines = source.read_text().splitlines()
            body = ("\n".join([f"observation_date,{code}", *lines[1:]]) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{code}}.csv"
    server.shutdown()


def test_fred_download_over_http_imports_like_a_file(fred_server):
    from regime.services.imports import series_fred_download

    result = series_fred_download(code="M2SL", url=fred_server, timeout=5)
    assert result.created == 551 and MarketSeries.objects.get(code="M2SL").source == MarketSeries.Source.FRED
    assert series_fred_download(code="M2SL", url=fred_server, timeout=5).unchanged == 551
    with pytest.raises(OSError):
        series_fred_download(code="NOSUCH", url=fred_server, timeout=5)
    assert not MarketSeries.objects.filter(code="NOSUCH").exists()


_values = st.decimals(min_value=Decimal("-50"), max_value=Decimal("100000"), places=4, allow_nan=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.dates(date(1990, 1, 1), date(2025, 12, 31)), st.one_of(_values, st.just("."))),
        min_size=1,
        max_size=30,
        unique_by=lambda r: r[0],
    ),  # fmt: skip
    bad_at=st.integers(min_value=0, max_value=29),
    header=st.sampled_from(["observation_date,SER", "DATE,SER", "date,value"]),
)
def test_parser_round_trips_and_names_the_bad_line(rows, bad_at, header):
    from regime.series_files import SeriesFileError, parse_series_file

    text = header + "\n" + "".join(f"{d.isoformat()},{v}\n" for d, v in rows)
    present = sorted((d, Decimal(v)) for d, v in rows if v != ".")
    if present:
        parsed = parse_series_file(text)
        assert [(r.date, r.value) for r in parsed.rows] == present
        assert parsed.missing == len(rows) - len(present)
    lines = text.splitlines()
    target = 1 + bad_at % len(rows)
    lines[target] = lines[target].split(",")[0] + ",12x"
    with pytest.raises(SeriesFileError, match=f"line {target + 1}: not a number"):
        parse_series_file("\n".join(lines) + "\n")
