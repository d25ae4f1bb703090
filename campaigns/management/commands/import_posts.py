"""Import posts and their engagement numbers from a CSV file (all or nothing)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from campaigns.services.posts import IMPORT_COLUMNS, posts_import, posts_parse_csv


class Command(BaseCommand):
    help = (
        "Import posts from a UTF-8 CSV with the columns "
        + ", ".join(IMPORT_COLUMNS)
        + ". Known links (same campaign) get their engagement numbers refreshed; new ones are checked for "
        "originality and await review. Any bad line: nothing is saved and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = posts_parse_csv(content=path.read_bytes())
            with tqdm(total=len(rows), desc="posts", unit="row", disable=options["verbosity"] < 1) as bar:
                result = posts_import(rows=rows, on_row=bar.update)
        except ValidationError as exc:
            raise CommandError(f"{path}: nothing imported:\n  " + "\n  ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{path}: {result.created} posts created, {result.updated} updated ({len(rows)} rows).")
        )
