"""Hole 5: /admin/login/ had no limit and /accounts/login/ only one per IP: 40 wrong passwords for an operator, then
the right one logged in. Every password check now locks out per account (from any address) and per address (on any
account), on both sign-in pages, with a clear 429 in the visitor's language; an operator unlocks (permission,
audit); the owner's password reset unlocks the account. The API takes no passwords at all.
"""

import base64

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent
from tests.signup_support import fast_signup  # noqa: F401 - fixture
from tests.test_signup_password_reset import ask_reset, reset_link

ADMIN_LOGIN = "/admin/login/"
SITE_LOGIN = "/accounts/login/"
PASSWORD = "Operator-pass-for-tests-73"
LIMIT = 5  # settings.AXES_FAILURE_LIMIT's default
FORM_TOKEN = "csrf-token-of-the-visitors-form"  # a secret of the visitor's: never stored, never shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_signup")]


def operator(name: str = "ops", *perms: str) -> User:
    user = User.objects.create_user(name, email=f"{name}@example.com", password=PASSWORD, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return user


def trader_account(email: str) -> User:
    return User.objects.create_user(email, email=email, password=PASSWORD)


def attempt(client, url: str, username: str, password: str, ip: str = "198.51.100.7", **extra):
    data = {"username": username, "password": password, "next": "/admin/", "csrfmiddlewaretoken": FORM_TOKEN}
    return client.post(url, data, REMOTE_ADDR=ip, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_is_refused_on_the_admin(client):
    operator()
    statuses = [attempt(client, ADMIN_LOGIN, "ops", f"guess-{n}").status_code for n in range(40)]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)  # the form's own "wrong password"
    assert set(statuses[LIMIT - 1 :]) == {429}  # from the failure that reaches the limit on
    right = attempt(client, ADMIN_LOGIN, "ops", PASSWORD)
    assert right.status_code == 429 and not signed_in(client)
    body = right.content.decode()
    assert "Too many failed sign-in attempts" in body and PASSWORD not in body
    assert int(right["Retry-After"]) == 15 * 60


@pytest.mark.parametrize("url", [ADMIN_LOGIN, SITE_LOGIN])
def test_an_account_is_locked_whatever_address_the_guesses_come_from(client, url):
    operator("ops")
    trader_account("star@example.com")
    username = "ops" if url == ADMIN_LOGIN else "star@example.com"
    for n in range(LIMIT):  # one guess from each of five addresses: no address reaches its own limit
        attempt(client, url, username, f"guess-{n}", ip=f"203.0.113.{n + 1}")
    right = attempt(client, url, username, PASSWORD, ip="192.0.2.200")
    assert right.status_code == 429 and not signed_in(client)


def test_an_address_is_locked_whatever_accounts_it_guesses(client):
    victims = [trader_account(f"t{n}@example.com") for n in range(LIMIT + 1)]
    for victim in victims[:LIMIT]:  # one guess on each of five accounts: no account reaches its own limit
        attempt(client, SITE_LOGIN, victim.username, "guess", ip="198.51.100.66")
    assert attempt(client, SITE_LOGIN, victims[-1].username, PASSWORD, ip="198.51.100.66").status_code == 429
    assert not signed_in(client)
    # The owner of that last account, from their own address, is not affected.
    assert attempt(client, SITE_LOGIN, victims[-1].username, PASSWORD, ip="192.0.2.10").status_code == 302


def test_letter_case_and_spaces_do_not_make_a_new_account(client):
    operator("ops")
    for n, spelling in enumerate(["ops", "OPS", " Ops", "oPs ", "OpS"]):
        attempt(client, ADMIN_LOGIN, spelling, "guess", ip=f"203.0.113.{n + 1}")
    assert attempt(client, ADMIN_LOGIN, "ops", PASSWORD, ip="192.0.2.1").status_code == 429


def test_forwarded_for_headers_do_not_make_a_new_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # one reverse proxy appends the address it saw
    users = [trader_account(f"x{n}@example.com") for n in range(LIMIT + 1)]
    for n, user in enumerate(users[:LIMIT]):
        attempt(
            client, SITE_LOGIN, user.username, "guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.50"
        )
    blocked = attempt(
        client, SITE_LOGIN, users[-1].username, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.50"
    )
    assert blocked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}


def test_the_lockout_page_speaks_the_visitors_language(client):
    operator()
    for n in range(LIMIT):
        attempt(client, SITE_LOGIN, "ops", f"guess-{n}")
    with translation.override("en"):
        page = attempt(client, SITE_LOGIN, "ops", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")
        admin_page = attempt(client, ADMIN_LOGIN, "ops", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    for response in (page, admin_page):
        body = response.content.decode()
        assert response.status_code == 429 and "登录失败次数过多" in body and "Too many" not in body


def test_an_operator_with_the_permission_unlocks_and_it_is_audited(client):
    operator("ops")
    for n in range(LIMIT):
        attempt(client, ADMIN_LOGIN, "ops", f"guess-{n}")
    changelist = reverse("admin:axes_accessattempt_changelist")
    rows = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]

    viewer = operator("viewer", "view_accessattempt")  # may look, may not unlock
    client.force_login(viewer)
    page = client.get(changelist).content.decode()
    assert "ops" in page and "unlock_accounts" not in page
    assert FORM_TOKEN not in page and "guess-" not in page  # stored request data is never shown
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert FORM_TOKEN not in stored and "guess-" not in stored and "username=ops" not in stored
    client.post(changelist, {"action": "unlock_accounts", "_selected_action": rows})
    assert AccessAttempt.objects.count() == 1
    client.logout()

    lead = operator("lead", "view_accessattempt", "delete_accessattempt")
    client.force_login(lead)
    client.post(changelist, {"action": "unlock_accounts", "_selected_action": rows}, REMOTE_ADDR="192.0.2.99")
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="login_lockout.released")
    assert event.actor == lead and event.data["username"] == "ops" and event.data["failures"] == LIMIT
    client.logout()
    assert attempt(client, ADMIN_LOGIN, "ops", PASSWORD).status_code == 302 and signed_in(client)


def test_the_owners_password_reset_unlocks_the_account(client, django_capture_on_commit_callbacks):
    owner = trader_account("owner@example.com")
    for n in range(LIMIT):
        attempt(client, SITE_LOGIN, owner.username, f"guess-{n}", ip="198.51.100.99")  # the attacker
    assert attempt(client, SITE_LOGIN, owner.username, PASSWORD, ip="192.0.2.5").status_code == 429

    ask_reset(client, owner.email, django_capture_on_commit_callbacks, REMOTE_ADDR="192.0.2.5")
    (message,) = mail.outbox
    form_url = client.get(reset_link(message), REMOTE_ADDR="192.0.2.5")["Location"]
    new = "Brand-new-phrase-for-owner-58"
    client.post(form_url, {"new_password1": new, "new_password2": new}, REMOTE_ADDR="192.0.2.5")
    assert AuditEvent.objects.get(action="login_lockout.released").data["by"] == "password_reset"
    assert attempt(client, SITE_LOGIN, owner.username, new, ip="192.0.2.5").status_code == 302
    client.logout()
    # Its failures are forgotten with the old password; new guesses lock it again as before.
    for n in range(LIMIT):
        attempt(client, SITE_LOGIN, owner.username, f"again-{n}", ip="198.51.100.99")
    assert attempt(client, SITE_LOGIN, owner.username, new, ip="192.0.2.5").status_code == 429


def test_reset_links_are_rate_limited_per_address(client, settings):
    settings.PASSWORD_RESET_CONFIRM_RATE_LIMIT = (3, 3600)
    bogus = reverse("password_reset_confirm", args=["MQ", "bogus-token"])
    assert [client.get(bogus, REMOTE_ADDR="198.51.100.3").status_code for _ in range(3)] == [200] * 3
    blocked = client.get(bogus, REMOTE_ADDR="198.51.100.3")
    assert blocked.status_code == 429 and "Too many attempts" in blocked.content.decode()
    assert client.get(bogus, REMOTE_ADDR="198.51.100.4").status_code == 200


def test_the_api_takes_no_passwords(client):
    operator("ops")
    for password in ["wrong", "wrong again", PASSWORD]:
        token = base64.b64encode(f"ops:{password}".encode()).decode()
        response = client.get("/api/v1/campaigns/", HTTP_AUTHORIZATION=f"Basic {token}")
        assert response.status_code == 200  # the same answer: no oracle, and never signed in by it
        assert not signed_in(client)
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(
    "username, extra",
    [
        ("ops", {"HTTP_USER_AGENT": "evil\x00agent"}),
        ("o" * 300, {}),
        ("ops\x00", {}),
        ("ops", {"HTTP_USER_AGENT": "U" * 5000}),
    ],
)
def test_hostile_sign_in_attempts_never_give_a_server_error(client, username, extra):
    operator("ops")
    for url in (ADMIN_LOGIN, SITE_LOGIN):
        for _ in range(LIMIT + 1):
            assert attempt(client, url, username, "guess", **extra).status_code in {200, 400, 429}


PASSWORD_CHANGE = "/admin/password_change/"


def change_password(client, old: str, new: str = "A-new-pass-for-tests-91", ip: str = "198.51.100.9"):
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(PASSWORD_CHANGE, data, REMOTE_ADDR=ip)


def test_guessing_the_current_password_on_the_admin_password_change_is_locked_out_and_signed_out(client):
    """A borrowed staff session guessed the account's password on /admin/password_change/ without limit (the form
    checks the old password itself, not through a sign-in). Each wrong guess now counts as a failed sign-in; the
    guess that reaches the limit signs the session out; then even the right password is refused there and on the
    sign-in page until the cool-off or an unlock."""
    ops = operator()
    client.force_login(ops)
    first = change_password(client, "guess-0")
    assert first.status_code == 200 and "incorrectly" in first.content.decode()
    statuses = [change_password(client, f"guess-{n}").status_code for n in range(1, LIMIT)]
    assert statuses[-1] == 429 and not signed_in(client)
    assert AccessAttempt.objects.get(username="ops").failures_since_start == LIMIT
    assert attempt(client, ADMIN_LOGIN, "ops", PASSWORD, ip="203.0.113.50").status_code == 429
    ops.refresh_from_db()
    assert ops.check_password(PASSWORD)


def test_a_locked_account_gets_no_password_check_on_the_change_page_either(client):
    ops = operator()
    for n in range(LIMIT):
        attempt(client, ADMIN_LOGIN, "ops", f"guess-{n}", ip="203.0.113.51")
    client.force_login(ops)  # a session made before the lockout
    response = change_password(client, PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    ops.refresh_from_db()
    assert ops.check_password(PASSWORD)  # the right password changed nothing while locked


def test_the_right_current_password_still_changes_it_and_a_typo_is_an_ordinary_form_error(client):
    ops = operator()
    client.force_login(ops)
    with translation.override("zh-hans"):
        typo = client.post(PASSWORD_CHANGE, {"old_password": "typo"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert typo.status_code == 200
    assert change_password(client, PASSWORD).status_code == 302
    ops.refresh_from_db()
    assert ops.check_password("A-new-pass-for-tests-91")
