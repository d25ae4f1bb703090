"""manage.py import_performance FILE.csv: the operator's daily performance export, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from leaderboard.services.performance_import import ImportSummary, PerformanceImportError, performance_import

MAX_ERRORS_SHOWN = 100
MAX_GAPS_SHOWN = 50


def import_report(command: BaseCommand, summary: ImportSummary) -> None:
    """The summary, each trader's missing days and the rules the data cannot meet, on the command's output."""
    command.stdout.write(
        command.style.SUCCESS(
            f"Imported {summary.rows} rows for {summary.traders} traders: {summary.created} new, "
            f"{summary.changed} changed, {summary.unchanged} unchanged."
        )
    )
    if summary.gaps:
        command.stdout.write(
            f"Missing days (a multi-day step becomes one multi-day return): {len(summary.gaps)} of "
            f"{summary.traders} traders have gaps."
        )
        for uid, gaps in list(summary.gaps.items())[:MAX_GAPS_SHOWN]:
            first = f", first {gaps.first_gap[0]}..{gaps.first_gap[1]}" if gaps.first_gap else ""
            command.stdout.write(f"  {uid}: {gaps.missing} missing days, longest gap {gaps.longest}{first}")
        if len(summary.gaps) > MAX_GAPS_SHOWN:
            command.stdout.write(f"  ... and {len(summary.gaps) - MAX_GAPS_SHOWN} more traders with gaps")
    for label, messages in summary.rules_fit.items():
        command.stdout.write(command.style.WARNING(f"Rules that this data cannot meet ({label}):"))
        for message in messages:
            command.stdout.write(f"  - {message}")


class Command(BaseCommand):
    help = (
        "Import daily equity from a CSV with the header "
        "exchange_uid,date,equity,net_flow[,closed_positions,winning_positions,followers,aum]. "
        "A file with any bad line is rejected whole (each error with its line number); re-importing changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file (UTF-8)")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                total = sum(1 for _ in handle)
                handle.seek(0)
                lines = tqdm(handle, total=total, desc="Reading", unit=" lines", disable=options["verbosity"] < 1)
                summary = performance_import(lines=lines)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text: {exc}") from exc
        except PerformanceImportError as exc:
            shown = exc.errors[:MAX_ERRORS_SHOWN]
            more = len(exc.errors) - len(shown)
            detail = "\n".join(shown) + (f"\n... and {more} more" if more > 0 else "")
            raise CommandError(f"{file}: {exc}:\n{detail}") from exc
        import_report(self, summary)
