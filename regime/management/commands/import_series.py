"""Import a market series from a CSV file: FRED download, generic date,value, or daily stock bars."""

from django.core.management.base import BaseCommand, CommandError

from regime.series_files import FORMATS, SeriesFileError
from regime.services.imports import series_fred_download, series_import_file


class Command(BaseCommand):
    help = (
        "Import one market series from a CSV file, all or nothing, idempotently. Formats: fred "
        "(observation_date,<SERIES> or DATE,<SERIES>; '.' or empty = missing), generic (date,value), stock "
        "(Date,Symbol,Open,High,Low,Close,Adj Close,Volume; the Close is the value). "
        "Examples: import_series fred_DGS10.csv --code DGS10; import_series --fred DGS10 M2SL BOGMBASE"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="CSV file(s); several files need one series each")
        parser.add_argument(
            "--fred", nargs="+", metavar="SERIES", default=[], help="download these series from FRED's public CSV"
        )
        parser.add_argument("--timeout", type=float, default=15.0, help="HTTP timeout in seconds for --fred")
        parser.add_argument("--code", help="series code (e.g. DGS10, M2SL, MU); default: named by the file")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="auto", help="default: detect from header")
        parser.add_argument("--name", default="", help="display name of the series")
        parser.add_argument("--unit", default="", help="unit, e.g. %% or USD bn")

    def handle(self, *args, files, code, fmt, name, unit, fred, timeout, **options):
        if not files and not fred:
            raise CommandError("give a CSV file or --fred SERIES")
        if code and len(files) + len(fred) > 1:
            raise CommandError("--code names one series: import one file at a time with it")
        results = []
        for series_code in fred:
            try:
                result = series_fred_download(code=series_code, timeout=timeout, name=name, unit=unit)
            except SeriesFileError as exc:
                raise CommandError(f"FRED {series_code}: nothing imported.\n{exc}") from exc
            except OSError as exc:
                raise CommandError(f"FRED {series_code}: download failed ({exc}); nothing imported") from exc
            self.stdout.write(result.summary())
            results.append(result)
        for path in files:
            try:
                result = series_import_file(path=path, code=code, fmt=fmt, name=name, unit=unit)
            except SeriesFileError as exc:
                raise CommandError(f"{path}: nothing imported.\n{exc}") from exc
            self.stdout.write(result.summary())
            results.append(result)
        created = sum(r.created for r in results)
        updated = sum(r.updated for r in results)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {len(results)} file(s): {created} new and {updated} changed observations.")
        )
