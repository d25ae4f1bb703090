"""Reading an operator's CSV file record by record without a traceback (pure: no Django).

The csv module raises on a record it cannot read (a field longer than csv.field_size_limit(), 131,072 characters by
default): every import reads through here, so such a record is a numbered problem like any other bad line, and the
records after it are still checked.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

FIELD_LIMIT = csv.field_size_limit()


@dataclass(frozen=True)
class Record:
    line: int  # the physical line the record starts on (the header is line 1)
    cells: list[str] | None  # None when the record could not be read
    problem: str = ""  # why not, in the csv module's words


def csv_records(lines: Iterable[str]) -> Iterator[Record]:
    """Every record of a CSV text (its header included), each with the line it starts on."""
    reader = csv.reader(lines)
    ended = 0  # the last physical line read so far
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(line=ended + 1, cells=None, problem=_reason(exc))
        else:
            yield Record(line=ended + 1, cells=cells)
        ended = reader.line_num


def _reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {FIELD_LIMIT:,} characters"
    return text
