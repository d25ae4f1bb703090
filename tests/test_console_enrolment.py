"""Issue 15, enrolment review: the answers are shown as the questionnaire's questions and answers in the operator's
language, escaped, and nothing the trader submitted is editable."""

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.forms import answers_shown
from campaigns.models import Enrollment
from tests.payouts_helpers import phase2, staff, trader
from tests.security.admin_support import admin_form, admin_url

QUESTIONNAIRE = [
    {"key": "years", "type": "integer", "label": {"en": "Years trading", "zh-hans": "交易年限"}},
    {
        "key": "style",
        "type": "choice",
        "label": {"en": "Trading style", "zh-hans": "交易风格"},
        "choices": [{"value": "trend", "label": {"en": "Trend following", "zh-hans": "趋势跟踪"}}],
    },
    {"key": "why", "type": "text", "label": {"en": "Why join?"}},
]
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def enrolment(db):
    campaign = phase2()
    campaign.questionnaire = QUESTIONNAIRE
    campaign.save()
    enrollment = Enrollment.objects.get(trader=trader("Applicant", campaign=campaign, status="pending"))
    enrollment.answers = {"years": 4, "style": "trend", "why": HOSTILE, "old_question": "kept"}
    enrollment.save()
    return enrollment


def test_the_answers_read_as_questions_and_answers_and_nothing_submitted_is_editable(client, enrolment):
    client.force_login(staff("root", superuser=True))
    url = admin_url(Enrollment, "change", enrolment.pk)
    page = client.get(url).content.decode()
    for text in ("Years trading", "Trend following", "Why join?", "old_question", "&lt;script&gt;"):
        assert text in page, text
    assert HOSTILE not in page
    for name in ("answers", "campaign", "trader", "submitted_at", "status"):
        assert f'name="{name}' not in page, name
    data = admin_form(page, Enrollment)
    before = Enrollment.objects.values().get(pk=enrolment.pk)
    data.update({"answers": "{}", "submitted_at_0": "2020-01-01", "campaign": "999", "trader": "999"})
    client.post(url, data)
    assert Enrollment.objects.values().get(pk=enrolment.pk) == before


def test_the_answers_in_chinese(client, enrolment):
    client.force_login(staff("root", superuser=True))
    page = client.get(admin_url(Enrollment, "change", enrolment.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "交易年限" in page and "趋势跟踪" in page and "Why join?" in page  # no Chinese label: the English one


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


choice = st.fixed_dictionaries({}, optional={"value": json_values, "label": json_values})
questions = st.lists(
    st.fixed_dictionaries(
        {"key": st.sampled_from(["a", "b"])},
        optional={
            "label": json_values,
            "choices": json_values | st.lists(st.dictionaries(st.text(max_size=5), json_values)),
        },
    ),
    max_size=3,
)


@settings(max_examples=300, deadline=timedelta(seconds=2))
@given(questionnaire=questions | json_values, answers=st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values))
def test_any_stored_questionnaire_and_answers_are_shown_as_text_never_an_error(questionnaire, answers):
    rows = answers_shown(questionnaire if isinstance(questionnaire, list) else [], answers)
    assert all(isinstance(q, str) and isinstance(a, str) for q, a in rows)
