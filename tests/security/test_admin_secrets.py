"""Issue 12, hole 2: no staff user learns a secret through the admin (core/admin_guard.py, core/secret_fields.py).

The attack as reported: a staff user allowed only to view outbound emails asks the email list
`?kind=password_reset&to_email=<victim>&body__contains=<prefix>` and reads yes/no from the result count, one
character at a time, until it holds a live reset link for a superuser. Here it is run again, then the same trick
through every relation of every registered admin, and every admin page is searched for the secrets themselves.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core import checks, mail
from django.core.management import call_command
from django.test import RequestFactory
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.admin_outbox import OutboundEmailAdmin
from core.admin_site import guarded
from core.encryption import encrypt
from core.models import AuditEvent, OutboundEmail
from core.secret_fields import SECRET_MARK, secret_path
from core.services.outbox import outbound_email_send, outbound_emails_retry
from core.services.password_reset import TOKEN_PLACEHOLDER
from tests.payouts_helpers import staff
from tests.security.admin_support import (
    PASSWORD,
    admin_form,
    admin_url,
    registered_models,
    secret_paths,
    view_only_staff,
)
from tests.signup_support import fast_signup, register_trader  # noqa: F401
from traders.models import ExchangeAccount

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]

REFUSED = "cannot be filtered, searched or sorted by a field that holds a secret"
TOKEN_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz-"
NEW_PASSWORD = "Chosen-after-the-reset-71"


def smtp_down(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens on 1


def smtp_up(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def reset_requested(client, email: str, capture) -> OutboundEmail:
    with capture(execute=True):
        assert client.post("/accounts/password-reset/", {"email": email}).status_code == 302
    return OutboundEmail.objects.filter(kind=OutboundEmail.Kind.PASSWORD_RESET, to_email=email).latest("id")


def token_in(body: str, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    match = re.search(rf"/reset/{uid}/([^/\s]+)/", body)
    assert match, body
    return match.group(1)


def reset_with_link(client, message, new_password: str) -> None:
    """Follow the emailed link as the recipient does and choose a new password."""
    link = re.search(r"https?://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body).group(1)
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302, done.content.decode()[:2000]


def refusal(response) -> str:
    match = re.search(r'<p class="errornote" id="refused">(.*?)</p>', response.content.decode(), re.S)
    return match.group(1) if match else ""


# --- the reported attack ----------------------------------------------------------------------------------------


def test_the_count_oracle_learns_nothing_of_a_queued_reset_link(client, settings, django_capture_on_commit_callbacks):
    victim = User.objects.create_superuser("root", "root@example.com", "root-password-1")
    smtp_down(settings)  # the email stays queued: the situation the attacker waited for
    queued = reset_requested(client, victim.email, django_capture_on_commit_callbacks)
    assert queued.status == OutboundEmail.Status.QUEUED and queued.attempts == 1

    spy = staff("spy", "view_outboundemail")
    client.force_login(spy)
    url = admin_url(OutboundEmail, "changelist")
    assert victim.email in client.get(url).content.decode()  # the spy may see the list and the row
    known = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(victim.pk))}/"
    answers, requests = set(), 0
    for lookup in ("body__contains", "body__startswith", "body__icontains", "body__regex"):
        learned = known if lookup != "body__startswith" else queued.body[: queued.body.index(known) + len(known)]
        for _position in range(3):  # the attacker extends the known prefix one character at a time
            hits = []
            for char in TOKEN_ALPHABET:
                response = client.get(url, {"kind": "password_reset", "to_email": victim.email, lookup: learned + char})
                requests += 1
                answers.add((response.status_code, refusal(response)))
                if response.status_code == 200 and victim.email in response.content.decode():
                    hits.append(char)
            if len(hits) != 1:
                break
            learned += hits[0]
        assert learned.endswith("/"), f"{lookup} told the attacker {learned!r}"
    # Every one of the attacker's questions got the same answer: a refusal that says why, whatever the prefix.
    assert requests >= 4 * len(TOKEN_ALPHABET)
    ((status, message),) = answers
    assert status == 400 and REFUSED in message

    # Nor is there anything to find: the outbox keeps the email without its token.
    queued.refresh_from_db()
    stored = token_in(queued.body, victim)
    assert stored == TOKEN_PLACEHOLDER and not default_token_generator.check_token(victim, stored)

    # When the email goes out, it carries a link made at that moment, and it works.
    smtp_up(settings)
    assert outbound_email_send(email_id=queued.pk) == OutboundEmail.Status.SENT
    (message,) = mail.outbox
    assert token_in(message.body, victim) != TOKEN_PLACEHOLDER
    reset_with_link(client, message, NEW_PASSWORD)
    victim.refresh_from_db()
    assert victim.check_password(NEW_PASSWORD)
    queued.refresh_from_db()
    assert queued.body_redacted and "/accounts/reset/" not in queued.body


def test_a_failed_reset_keeps_no_link_and_its_retry_sends_a_working_one(
    client, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    trader = register_trader(1, uid_prefix="7100", password=PASSWORD)
    smtp_down(settings)
    failed = reset_requested(client, trader.email, django_capture_on_commit_callbacks)
    assert failed.status == OutboundEmail.Status.FAILED
    assert token_in(failed.body, trader.user) == TOKEN_PLACEHOLDER  # kept for the retry, without its link

    smtp_up(settings)
    operator = staff("ops", "view_outboundemail", "retry_outboundemail")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_emails_retry(email_ids=[failed.pk], actor=operator) == 1
    (message,) = mail.outbox
    reset_with_link(client, message, NEW_PASSWORD)
    trader.user.refresh_from_db()
    assert trader.user.check_password(NEW_PASSWORD)


def test_a_reset_for_an_account_deactivated_meanwhile_is_not_sent(client, settings, django_capture_on_commit_callbacks):
    trader = register_trader(1, uid_prefix="7200", password=PASSWORD)
    smtp_down(settings)
    queued = reset_requested(client, trader.email, django_capture_on_commit_callbacks)
    User.objects.filter(pk=trader.user_id).update(is_active=False)
    smtp_up(settings)
    assert outbound_email_send(email_id=queued.pk) == OutboundEmail.Status.FAILED
    queued.refresh_from_db()
    assert mail.outbox == [] and "deactivated" in queued.last_error


def test_a_reset_body_from_before_the_fix_is_never_shown(admin_client):
    """A row written before links were made at sending holds a live link: no admin page shows it."""
    victim = User.objects.create_superuser("boss", "boss@example.com", "boss-password-1")
    live = default_token_generator.make_token(victim)
    body = f"Open https://testserver/accounts/reset/{urlsafe_base64_encode(force_bytes(victim.pk))}/{live}/"
    row = OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.PASSWORD_RESET, to_email=victim.email, subject="Reset", body=body, language="en"
    )
    for url in (
        admin_url(OutboundEmail, "changelist"),
        admin_url(OutboundEmail, "change", row.pk),
        admin_url(OutboundEmail, "history", row.pk),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200 and live not in response.content.decode(), url


# --- the same trick through every relation of every admin ---------------------------------------------------------


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_no_admin_list_answers_a_query_on_a_secret(client, model):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    url = admin_url(model, "changelist")
    for path in secret_paths(model):
        for lookup in (path, f"{path}__startswith", f"{path}__gt"):
            response = client.get(url, {lookup: "pbkdf2_sha256$"})
            assert response.status_code == 400 and REFUSED in refusal(response), (url, lookup)
    # A popup may not pick rows by a secret either (its rows would carry the value to the opener).
    for path in secret_paths(model, depth=1):
        response = client.get(url, {"_popup": "1", "_to_field": path})
        assert response.status_code == 400, (url, path)


def test_no_registered_admin_declares_or_searches_a_secret(rf):
    call_command("check")  # starboard.E001 would fail it
    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True)
    for model, model_admin in admin.site._registry.items():
        declared = model_admin.get_list_filter(request)
        filters = [f if isinstance(f, str) else f[0] for f in declared if not isinstance(f, type)]
        queried = [
            *model_admin.get_search_fields(request),
            *model_admin.get_ordering(request),
            *filters,
            *[c for c in model_admin.get_list_display(request) if isinstance(c, str)],
        ]
        assert not [name for name in queried if secret_path(model, name)], model


def _careless_outbox_admin():
    """The outbox admin as a careless change would make it: searching, showing, filtering and sorting by the body."""

    class CarelessOutboxAdmin(OutboundEmailAdmin):
        search_fields = ["to_email", "body"]
        list_display = ["to_email", "body", "body_sorted"]
        list_filter = ["kind", "body"]
        ordering = ["body"]
        date_hierarchy = None

        @admin.display(ordering="body")
        def body_sorted(self, obj):
            return "…"

    return guarded(CarelessOutboxAdmin)(OutboundEmail, admin.site)


def test_a_careless_admin_fails_the_check_and_still_reveals_nothing(django_capture_on_commit_callbacks):
    careless = _careless_outbox_admin()
    errors = [e for e in careless.check() if e.id == "starboard.E001"]
    options = sorted(e.msg.split(".")[1].split(" ")[0] for e in errors)
    assert options == ["list_display", "list_filter", "ordering", "search_fields"]
    assert all(isinstance(e, checks.Error) for e in errors)

    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    secret = "x7q-secret-link-part"
    for body in (f"aaa {secret}", "zzz nothing"):
        OutboundEmail.objects.create(kind="enrolment", to_email="t@example.com", subject="S", body=body, language="en")

    def listed(**params):
        request = RequestFactory().get("/admin/core/outboundemail/", params)
        request.user = root
        response = careless.changelist_view(request)
        if response.status_code != 200:
            return f"status {response.status_code}", None
        cl = response.context_data["cl"]
        return [row.body for row in cl.result_list], cl

    unsorted, cl = listed()
    assert unsorted == ["zzz nothing", f"aaa {secret}"]  # newest first
    assert "body" not in cl.list_display and "body" not in cl.search_fields  # shown or searched: never
    column = str(cl.list_display.index("body_sorted"))
    # Searching by a fragment of the body finds nothing: the body is not searched.
    assert listed(q=secret)[0] == listed(q="no-such-text")[0] == []
    # Sorting by the column whose order is the body, either way, leaves the list in its own order.
    assert listed(o=column)[0] == listed(o=f"-{column}")[0] == unsorted
    # Filtering by the body is refused outright, whatever the value.
    assert listed(body__contains=secret)[0] == listed(body__contains="nope")[0] == "status 400"


# --- no page shows a secret ---------------------------------------------------------------------------------------


def test_no_admin_page_shows_a_secret(client):
    victim = User.objects.create_superuser("victim", "victim@example.com", "victim-password-1")
    victim_hash = User.objects.get(pk=victim.pk).password
    api_secret = "plain-API-secret-9f8e7d"
    account = ExchangeAccount.objects.create(
        trader=register_trader(1, uid_prefix="7300", password=PASSWORD),
        api_key_encrypted=encrypt("plain-API-key-1a2b3c"),
        api_secret_encrypted=encrypt(api_secret),
    )
    live = default_token_generator.make_token(victim)
    OutboundEmail.objects.create(
        kind=OutboundEmail.Kind.PASSWORD_RESET,
        to_email=victim.email,
        subject="Reset",
        body=f"/accounts/reset/x/{live}/",
        language="en",
    )
    secrets = [
        victim_hash,
        victim_hash.rsplit("$", 1)[-1],
        api_secret,
        "plain-API-key-1a2b3c",
        account.api_key_encrypted,
        account.api_secret_encrypted,
        live,
    ]
    for user in (victim, view_only_staff()):
        client.force_login(user)
        secrets.append(client.session.session_key)
        for model in admin.site._registry:
            urls = [admin_url(model, "changelist")]
            for pk in model._default_manager.values_list("pk", flat=True)[:5]:
                urls += [admin_url(model, view, pk) for view in ("change", "history", "delete")]
            for url in urls:
                response = client.get(url, follow=True)
                assert response.status_code < 500, url
                page = response.content.decode()
                leaked = [s for s in secrets if s and s in page]
                assert not leaked, (user.username, url, leaked)


def test_the_audit_log_records_that_a_password_changed_never_the_password(client):
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(root)
    add = client.post(
        admin_url(User, "add"),
        {"username": "newop", "password1": "Fresh-pw-55x", "password2": "Fresh-pw-55x", "usable_password": "true"},
    )
    assert add.status_code == 302, add.content.decode()[:3000]
    created = User.objects.get(username="newop")
    event = AuditEvent.objects.get(action="user.admin_added", target_id=str(created.pk))
    assert event.actor == root and event.data["values"]["password"] == SECRET_MARK
    assert created.password not in str(event.data)

    page = client.get(admin_url(User, "change", created.pk)).content.decode()
    data = admin_form(page, User)
    data.update({"is_staff": "on", "first_name": "New"})
    assert client.post(admin_url(User, "change", created.pk), data).status_code == 302
    changes = AuditEvent.objects.get(action="user.admin_changed", target_id=str(created.pk)).data["changes"]
    assert changes["first_name"] == ["", "New"] and changes["is_staff"] == [False, True]
    assert "password" not in changes  # unchanged, and never with its value
    shown = client.get(admin_url(AuditEvent, "change", event.pk)).content.decode()
    assert created.password not in shown and created.password.rsplit("$", 1)[-1] not in shown


def test_the_refusal_speaks_the_operators_language(admin_client):
    url = admin_url(OutboundEmail, "changelist")
    english = admin_client.get(url, {"body__contains": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    chinese = admin_client.get(url, {"body__contains": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert refusal(english).startswith("Outbound emails cannot be filtered, searched or sorted")
    assert "不能按保存机密的字段" in refusal(chinese) and "返回列表" in chinese.content.decode()
