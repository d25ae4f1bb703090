"""Control characters in what people and files send (pure: no Django).

NUL cannot be stored in PostgreSQL text at all (the query fails), and the other C0 controls and DEL have no place
in a link, a name, a search or a post. Tab, line feed and carriage return are the exceptions where text may span
lines: a post, a bio, a questionnaire answer, a CSV cell.
"""

import re

# Every C0 control (U+0000-U+001F) and DEL.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The same without tab, line feed and carriage return.
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# For OpenAPI parameters and serializer validators: what the request guard (core.request_guard) lets through a query.
QUERY_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def has_control(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds a control character (tab and line breaks pass when `multiline`)."""
    return (_CONTROL_BUT_LINE_BREAKS if multiline else _ANY_CONTROL).search(value) is not None
