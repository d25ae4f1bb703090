"""Campaign questionnaires: the enrolment form built from a campaign's JSON, and the check of that JSON.

A questionnaire is a list of questions:
    {"key": "style", "type": "integer" | "choice" | "multichoice" | "text", "required": bool,
     "label": {"en": "...", "zh-hans": "..."}, "choices": [{"value": "trend", "label": {...}}],  # choice types
     "min": 0, "max": 60,   # integer, optional
     "max_length": 500}     # text, optional
"""

import contextlib
import re
import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from core.validators import validate_multiline, validate_single_line
from traders.forms import NormalisedCharField

QUESTION_TYPES = ("integer", "choice", "multichoice", "text")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ALLOWED_KEYS = {"key", "type", "required", "label", "choices", "min", "max", "max_length", "help"}
TEXT_MAX_LENGTH = 5000
TEXT_DEFAULT_LENGTH = 1000
INTEGER_BOUND = 10**9  # keeps answers within what every database and JSON reader handles


def localised(labels, *, language: str | None = None) -> str:
    """The label in the active language, else its base language, else English, else any."""
    if isinstance(labels, str):
        return labels
    if not isinstance(labels, dict) or not labels:
        return ""
    language = (language or get_language() or "en").lower()
    for candidate in (language, language.split("-")[0], "en"):
        if labels.get(candidate):
            return str(labels[candidate])
    return str(next(iter(labels.values())))


def answers_shown(questionnaire, answers, *, language: str | None = None) -> list[tuple[str, str]]:
    """The answers as (question, answer) in the questionnaire's order and `language`; a choice shows its label, an
    answer to a question no longer asked keeps its key. Plain text: the caller escapes it."""
    questions = [q for q in questionnaire or [] if isinstance(q, dict) and isinstance(q.get("key"), str)]
    answers = answers if isinstance(answers, dict) else {}
    rows, asked = [], set()
    for question in questions:
        key = question["key"]
        asked.add(key)
        choices = question.get("choices") if isinstance(question.get("choices"), list) else []
        labels = {c.get("value"): localised(c.get("label"), language=language) for c in choices if isinstance(c, dict)}
        value = answers.get(key)
        values = value if isinstance(value, list) else [value]
        text = ", ".join(
            str(labels.get(v) if isinstance(v, str) and labels.get(v) else v) for v in values if v not in (None, "")
        )
        rows.append((localised(question.get("label"), language=language) or key, text or "—"))
    rows += [(str(key), str(value)) for key, value in answers.items() if key not in asked]
    return rows


def _label_errors(labels, where: str) -> list[str]:
    if not isinstance(labels, dict) or not isinstance(labels.get("en"), str) or not labels["en"].strip():
        return [_('%(where)s: the label needs at least an English text under "en".') % {"where": where}]
    if any(not isinstance(text, str) for text in labels.values()):
        return [_("%(where)s: every label text must be a string.") % {"where": where}]
    return []


def questionnaire_errors(definition) -> list[str]:
    """Every problem of a questionnaire definition, in words an operator can act on ([] when valid)."""
    if not isinstance(definition, list):
        return [_("The questionnaire must be a list of questions.")]
    errors: list[str] = []
    seen: set[str] = set()
    for position, question in enumerate(definition, start=1):
        where = _("Question %(n)s") % {"n": position}
        if not isinstance(question, dict):
            errors.append(_("%(where)s: must be an object with key, type and label.") % {"where": where})
            continue
        unknown = sorted(set(question) - _ALLOWED_KEYS)
        if unknown:
            errors.append(_("%(where)s: unknown settings %(names)s.") % {"where": where, "names": ", ".join(unknown)})
        key = question.get("key")
        if not isinstance(key, str) or not _KEY_RE.match(key):
            errors.append(
                _("%(where)s: the key must be lower-case letters, digits or underscores, starting with a letter.")
                % {"where": where}
            )
        elif key in seen:
            errors.append(_("%(where)s: the key %(key)s is used twice.") % {"where": where, "key": key})
        else:
            seen.add(key)
            where = f"{where} ({key})"
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            errors.append(
                _("%(where)s: the type must be one of %(types)s.")
                % {"where": where, "types": ", ".join(QUESTION_TYPES)}
            )
        if "required" in question and not isinstance(question["required"], bool):
            errors.append(_("%(where)s: required must be true or false.") % {"where": where})
        errors.extend(_label_errors(question.get("label"), where))
        if kind in ("choice", "multichoice"):
            errors.extend(_choice_errors(question.get("choices"), where))
        elif "choices" in question:
            errors.append(_("%(where)s: only choice questions have choices.") % {"where": where})
        if kind == "integer":
            errors.extend(_integer_errors(question, where))
        elif "min" in question or "max" in question:
            errors.append(_("%(where)s: only integer questions have min and max.") % {"where": where})
        if "max_length" in question:
            limit = question["max_length"]
            if kind != "text":
                errors.append(_("%(where)s: only text questions have max_length.") % {"where": where})
            elif isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= TEXT_MAX_LENGTH:
                errors.append(
                    _("%(where)s: max_length must be a whole number from 1 to %(max)s.")
                    % {"where": where, "max": TEXT_MAX_LENGTH}
                )
    return errors


def _choice_errors(choices, where: str) -> list[str]:
    if not isinstance(choices, list) or not choices:
        return [_("%(where)s: a choice question needs a non-empty list of choices.") % {"where": where}]
    errors, values = [], set()
    for choice in choices:
        value = choice.get("value") if isinstance(choice, dict) else None
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            errors.append(_("%(where)s: every choice needs a value (text up to 64 characters).") % {"where": where})
            continue
        if value in values:
            errors.append(_("%(where)s: the choice %(value)s appears twice.") % {"where": where, "value": value})
        values.add(value)
        errors.extend(_label_errors(choice.get("label"), f"{where} / {value}"))
    return errors


def _integer_errors(question: dict, where: str) -> list[str]:
    errors = []
    for bound in ("min", "max"):
        value = question.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or abs(value) > INTEGER_BOUND):
            errors.append(
                _("%(where)s: %(bound)s must be a whole number (at most %(limit)s in size).")
                % {"where": where, "bound": bound, "limit": INTEGER_BOUND}
            )
    low, high = question.get("min"), question.get("max")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        errors.append(_("%(where)s: min is larger than max.") % {"where": where})
    return errors


def validate_questionnaire(value) -> None:
    errors = questionnaire_errors(value)
    if errors:
        raise ValidationError(errors)


class QuestionnaireForm(forms.Form):
    """The enrolment form of one campaign, built from its questionnaire in the active language."""

    def __init__(self, *args, questionnaire: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        for question in questionnaire:
            self.fields[question["key"]] = self._field(question)

    @staticmethod
    def _field(question: dict) -> forms.Field:
        common = {
            "label": localised(question.get("label")),
            "required": bool(question.get("required", False)),
            "help_text": localised(question.get("help")) if question.get("help") else "",
        }
        kind = question["type"]
        if kind == "integer":
            low = question.get("min", -INTEGER_BOUND)
            high = question.get("max", INTEGER_BOUND)
            return forms.IntegerField(
                min_value=low, max_value=high, widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **common
            )
        if kind in ("choice", "multichoice"):
            choices = [(c["value"], localised(c.get("label")) or c["value"]) for c in question["choices"]]
            if kind == "choice":
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        limit = question.get("max_length", TEXT_DEFAULT_LENGTH)
        widget = forms.Textarea(attrs={"rows": 3}) if limit > 120 else forms.TextInput()
        validator = validate_multiline if limit > 120 else validate_single_line
        return NormalisedCharField(max_length=limit, widget=widget, validators=[validator], **common)

    def answers(self) -> dict:
        """JSON-ready answers keyed by question key (text normalised, unanswered optional questions kept empty)."""
        answers = {}
        for question in self.questionnaire:
            answers[question["key"]] = self.cleaned_data.get(question["key"])
        return answers


ZONED_FIELDS = ("registration_opens_at", "registration_closes_at", "starts_at", "ends_at")


class CampaignAdminForm(forms.ModelForm):
    """The campaign's admin form: a broken questionnaire is refused before it can reach a trader, and the window
    and campaign dates are typed and shown in the campaign's own time zone (not the server's UTC), so an operator
    who enters "2026-02-12 18:00" for a Shanghai campaign gets 18:00 +08:00."""

    class Meta:
        model = Campaign
        fields = "__all__"  # noqa: DJ007 - the admin shows every field; only the questionnaire gets extra checks

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self.instance.zone if self.instance.pk else None
        for name in ZONED_FIELDS:
            if name not in self.fields:
                continue
            self.fields[name].help_text = _("In the campaign's own time zone (the time zone field).") + (
                f" {self.fields[name].help_text}" if self.fields[name].help_text else ""
            )
            value = self.initial.get(name)
            if zone is not None and isinstance(value, datetime) and timezone.is_aware(value):
                # A naive initial value is shown as is: the wall-clock time in the campaign's zone.
                with contextlib.suppress(OverflowError):  # beyond the zone's calendar: shown in UTC as it is
                    self.initial[name] = timezone.make_naive(value, zone)

    def clean(self):
        data = super().clean()
        try:
            zone = zoneinfo.ZoneInfo(data.get("time_zone") or "")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return data  # the time-zone field reports its own error
        current = timezone.get_current_timezone()
        for name in ZONED_FIELDS:
            value = data.get(name)
            if isinstance(value, datetime):
                # The form parsed the wall-clock time in the server's zone; read it in the campaign's instead.
                try:
                    data[name] = timezone.make_aware(timezone.make_naive(value, current), zone)
                except OverflowError:
                    self.add_error(name, _("This time is outside the calendar the campaign's time zone can show."))
        return data

    def clean_questionnaire(self):
        value = self.cleaned_data.get("questionnaire")
        value = [] if value in (None, "") else value
        validate_questionnaire(value)
        return value
