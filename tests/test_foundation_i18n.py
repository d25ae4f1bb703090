"""Every catalogued string has a Simplified Chinese translation, and the compiled catalogue matches the source."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _unquote(chunk: str) -> str:
    return (
        "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', chunk))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue
        msgid = re.search(r"^msgid ((?:\".*\"\n?)+)", block, re.M)
        msgstr = re.search(r"^msgstr(?:\[0\])? ((?:\".*\"\n?)+)", block, re.M)
        context = re.search(r"^msgctxt ((?:\".*\"\n?)+)", block, re.M)
        if msgid:
            yield (
                _unquote(context.group(1)) if context else None,
                _unquote(msgid.group(1)),
                _unquote(msgstr.group(1)) if msgstr else "",
                "#, fuzzy" in block,
                "msgid_plural" in block,
            )


def test_no_string_is_left_untranslated_or_fuzzy():
    untranslated = [msgid for _, msgid, msgstr, fuzzy, _ in _entries() if not msgstr or fuzzy]
    assert untranslated == []


def test_compiled_catalogue_is_up_to_date():
    with open(PO.with_suffix(".mo"), "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for context, msgid, msgstr, _, plural in _entries():
        if plural:
            continue
        got = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
        if got != msgstr:
            stale.append(msgid)
    assert stale == []
