"""Every CSV the project writes is made here, so no cell can run as a formula in the spreadsheet that opens it.

OWASP's CSV-injection guidance: a cell beginning with = + - @, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3` ...). Our rule:

- Numbers stay numbers. A Decimal, int or float is written bare (`-12.50`), so money columns sum in a spreadsheet,
  negatives included: a value our code computed is never a formula.
- Everything else is text and may have come from a person (a display name, a UID, a post link, a reason): a cell
  whose first character, after any spaces, is one of = + - @ tab CR LF, or their full-width forms ＝ ＋ － ＠ (which
  spreadsheets under CJK input read as formulas too), gets a leading apostrophe, the spreadsheets' "this is text"
  mark; so a name "-12.50" stays the text it is. Every text cell is also quoted, so a separator inside it (a comma,
  or the semicolon a European locale splits on) cannot start a new cell that would escape the check.
"""

import csv
import io
import math
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def csv_cell(value):
    """One cell as it is written: a finite number as itself, anything else as neutralised text."""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if finite:
            return value
    text = "" if value is None else str(value)
    if text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def csv_document(header: list[str], rows: Iterable[Iterable]) -> str:
    """The rows as CSV text: numbers bare, every text cell quoted and neutralised (csv_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()
