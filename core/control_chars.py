"""Control characters in what people and files send (pure: no Django).

NUL cannot be stored in PostgreSQL text at all (the query fails), and the other C0 controls, DEL and the C1 controls
(U+0080-U+009F: invisible, and some terminals and spreadsheets act on them) have no place in a link, a name, a search
or a post. Tab, line feed and carriage return are the exceptions where text may span lines: a post, a bio, a
questionnaire answer, a CSV cell.

Raw HTTP headers are the one place C1 is not checked: WSGI hands them over as Latin-1, so the UTF-8 bytes of any
non-ASCII character (an em dash is E2 80 94) look like C1 there; `has_c0_control` serves them.
"""

import re

# Every C0 control (U+0000-U+001F), DEL and every C1 control (U+0080-U+009F).
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same without tab, line feed and carriage return.
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# C0 and DEL only, for text that arrives as Latin-1 (raw header values).
_C0_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# For OpenAPI parameters and serializer validators: what the request guard (core.request_guard) lets through a query.
QUERY_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


def has_control(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds a control character (tab and line breaks pass when `multiline`)."""
    return (_CONTROL_BUT_LINE_BREAKS if multiline else _ANY_CONTROL).search(value) is not None


def has_c0_control(value: str) -> bool:
    """True when Latin-1 `value` (a raw header) holds a C0 control other than tab/line breaks, or DEL."""
    return _C0_CONTROL_BUT_LINE_BREAKS.search(value) is not None
