"""Hole 13 (identity): a trader could claim someone else's exchange UID, and differently-cased UIDs raced past
uniqueness. The UID is verified through the API key (Gate's account/detail: user_id and copy_trading_role), a key
of another account is refused with the reason, unverified traders are shown as such, and UIDs are unique ignoring
letter case in the database.

Only ccxt's HTTP layer is stubbed: "replay:gate" accounts get ccxt's real gate class, which signs the request and
parses the recorded account/detail answer (tests/fixtures/exchange/gate.json: user_id 10406147, lead trader).
"""

import copy
import json
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent
from tests.payouts_helpers import staff
from tests.signup_support import fast_signup, register_trader  # noqa: F401 - fixture
from traders.models import ExchangeAccount, LeadTrader
from traders.services.accounts import exchange_account_create, trader_credentials_set
from traders.services.uid_verification import trader_uid_verify
from traders.tasks import verify_uids

FIXTURES = Path(__file__).parents[1] / "fixtures" / "exchange"
CASSETTE = json.loads((FIXTURES / "gate.json").read_text())
KEY_OWNER = "10406147"  # the account the recorded key opens
DETAIL = "/account/detail"
KEY = {"api_key": "READONLYKEY12345", "api_secret": "SuperSecretValue987"}

pytestmark = pytest.mark.usefixtures("fast_signup", "replay")


@pytest.fixture
def replay(settings):
    settings.EXCHANGE_REPLAY_ENABLED = True
    settings.EXCHANGE_REPLAY_DIR = FIXTURES


def answer_account_detail(settings, tmp_path, *, status: int = 200, body: dict) -> None:
    """Serve another recorded answer of account/detail (the rest of the recording unchanged)."""
    cassette = copy.deepcopy(CASSETTE)
    for cases in cassette["methods"].values():
        for case in cases:
            if case["url"] == DETAIL:
                case["httpResponse"] = body
                if status != 200:
                    case["httpStatus"] = status
    (tmp_path / "gate.json").write_text(json.dumps(cassette))
    settings.EXCHANGE_REPLAY_DIR = tmp_path


def claimant(uid: str, n: int = 1, **overrides) -> LeadTrader:
    """A trader on "replay:gate" claiming `uid`, signed up without a key, shown publicly (active)."""
    trader = register_trader(n, exchange="replay:gate", exchange_uid=uid, **overrides)
    LeadTrader.objects.filter(pk=trader.pk).update(status=LeadTrader.Status.ACTIVE)
    trader.refresh_from_db()
    return trader


# ---- claiming someone else's UID ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_up_with_the_key_of_another_uid_is_refused_and_leaves_nothing(caplog):
    caplog.set_level("DEBUG")
    with pytest.raises(ValidationError) as refused:
        register_trader(1, exchange="replay:gate", exchange_uid="12345678", **KEY)
    assert refused.value.message_dict["api_key"] == [
        "This API key cannot be used: This API key belongs to exchange UID 10406147, not to UID 12345678."
    ]
    assert not LeadTrader.objects.exists() and not ExchangeAccount.objects.exists()
    assert KEY["api_key"] not in caplog.text and KEY["api_secret"] not in caplog.text  # ccxt's DEBUG stays quiet


@pytest.mark.django_db
def test_signing_up_with_ones_own_key_verifies_the_uid_and_the_lead_trader_role():
    trader = register_trader(1, exchange="replay:gate", exchange_uid=KEY_OWNER, **KEY)
    assert trader.uid_status == LeadTrader.UidStatus.VERIFIED and trader.uid_checked_at is not None
    assert trader.exchange_lead_trader is True and trader.accounts.get().has_credentials


@pytest.mark.django_db
def test_the_api_key_page_refuses_another_uids_key_in_the_traders_language(client):
    trader = claimant("12345678", preferred_language="zh-hans")
    client.force_login(trader.user)
    with translation.override("en"):
        page = client.post(reverse("campaigns:api_key"), KEY, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "10406147" in page.content.decode() and "不属于" in page.content.decode()
    assert not ExchangeAccount.objects.filter(trader=trader).exclude(api_key_encrypted="").exists()
    trader.refresh_from_db()
    assert trader.uid_status == LeadTrader.UidStatus.UNVERIFIED


@pytest.mark.django_db
def test_the_api_key_page_verifies_the_owners_key(client):
    trader = claimant(KEY_OWNER)
    client.force_login(trader.user)
    assert client.post(reverse("campaigns:api_key"), KEY).status_code == 302
    trader.refresh_from_db()
    assert trader.uid_status == LeadTrader.UidStatus.VERIFIED
    assert "UID verified" in client.get(reverse("campaigns:me")).content.decode()
    event = AuditEvent.objects.get(action="lead_trader.uid_checked", target_id=str(trader.pk))
    assert event.data["to"] == "verified" and KEY["api_key"] not in json.dumps(event.data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status, body, refused, words",
    [
        (200, {"user_id": int(KEY_OWNER), "key": {"mode": 1}, "copy_trading_role": 2}, True, "not a copy-trading"),
        (200, {"user_id": int(KEY_OWNER), "key": {"mode": 1}, "copy_trading_role": 0}, True, "not a copy-trading"),
        (401, {"label": "INVALID_KEY", "message": "Invalid key provided"}, True, "rejected this API key"),
        (403, {"label": "FORBIDDEN", "message": "Forbidden"}, False, "may not read its account"),
        (503, {"label": "SERVER_ERROR", "message": "Maintenance"}, False, "checked later"),
    ],
)
def test_what_the_exchange_answers_decides(settings, tmp_path, status, body, refused, words):
    answer_account_detail(settings, tmp_path, status=status, body=body)
    trader = claimant(KEY_OWNER)
    if refused:
        with pytest.raises(ValidationError, match=words):
            trader_credentials_set(trader=trader, **KEY)
        assert not ExchangeAccount.objects.exclude(api_key_encrypted="").exists()
    else:  # the exchange could not say: the key is kept, the UID shown as not verified, with why
        trader_credentials_set(trader=trader, **KEY)
        trader.refresh_from_db()
        assert trader.uid_status == LeadTrader.UidStatus.UNVERIFIED and words in trader.uid_check_message


@pytest.mark.django_db
def test_a_stored_key_of_another_account_is_found_and_its_ingestion_stopped(client):
    # A key stored before verification existed (or a trader whose key changed hands): the hourly check finds it.
    trader = claimant("55555555")
    account = exchange_account_create(trader=trader, exchange_id="replay:gate", **KEY)
    owner = claimant(KEY_OWNER, n=2)
    exchange_account_create(trader=owner, exchange_id="replay:gate", **KEY)
    assert verify_uids.delay().get() == {"verified": 1, "mismatch": 1, "unverified": 0}
    trader.refresh_from_db()
    account.refresh_from_db()
    assert trader.uid_status == LeadTrader.UidStatus.MISMATCH and "10406147" in trader.uid_check_message
    assert account.status == ExchangeAccount.Status.NEEDS_ATTENTION  # no more data from someone else's account
    assert verify_uids.delay().get() == {"verified": 0, "mismatch": 0, "unverified": 0}  # checked, not due again
    page = client.get(reverse("leaderboard:trader", args=["55555555"])).content.decode()
    assert "UID does not match the API key" in page
    assert client.get(reverse("api-trader", args=["55555555"])).json()["uid_verification"] == "mismatch"


@pytest.mark.django_db
def test_an_operator_verifies_from_the_admin_and_an_edited_uid_is_unverified_again(client):
    trader = claimant(KEY_OWNER)
    exchange_account_create(trader=trader, exchange_id="replay:gate", **KEY)
    operator = staff("ops", "view_leadtrader", "change_leadtrader")
    client.force_login(operator)
    url = reverse("admin:traders_leadtrader_changelist")
    response = client.post(url, {"action": "verify_uid_selected", "_selected_action": [trader.pk]}, follow=True)
    assert "1 verified" in response.content.decode()
    trader.refresh_from_db()
    assert trader.uid_status == LeadTrader.UidStatus.VERIFIED
    assert AuditEvent.objects.get(action="lead_trader.uid_checked").actor == operator
    trader_uid_verify(trader=trader)  # checking again changes nothing
    assert AuditEvent.objects.filter(action="lead_trader.uid_checked").count() == 1


@pytest.mark.django_db
def test_unverified_traders_are_shown_as_such_on_the_public_pages(client):
    trader = claimant("77777777")
    page = client.get(reverse("leaderboard:trader", args=["77777777"])).content.decode()
    assert "UID not verified" in page and "UID verified" not in page
    assert client.get(reverse("api-trader", args=["77777777"])).json()["uid_verification"] == "unverified"
    client.force_login(trader.user)
    assert "UID not verified" in client.get(reverse("campaigns:me")).content.decode()


# ---- the same UID in another letter case --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_uid_that_differs_only_in_case():
    LeadTrader.objects.create(display_name="a", exchange="kraken", exchange_uid="AbCd1234", email="a@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadTrader.objects.create(display_name="b", exchange="kraken", exchange_uid="abcd1234", email="b@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():  # on another exchange too: the UID names the trader
        LeadTrader.objects.create(display_name="c", exchange="okx", exchange_uid="ABCD1234", email="c@example.com")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_with_one_uid_in_two_cases_give_one_trader_and_a_clear_refusal():
    barrier = threading.Barrier(2)
    outcomes: list = []

    def sign_up(n: int, uid: str) -> None:
        try:
            barrier.wait(timeout=30)
            register_trader(n, exchange="kraken", exchange_uid=uid)
            outcomes.append("created")
        except ValidationError as exc:
            outcomes.append(exc.message_dict)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n, uid)) for n, uid in ((1, "RaceUid01"), (2, "raceuid01"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == sorted(
        ["created", str({"exchange_uid": ["This exchange UID is already registered."]})]
    )
    assert LeadTrader.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_both_traders_of_an_existing_case_clash():
    before, after = [("leaderboard", "0003_flag_review")], None
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("leaderboard", "LeadTrader")
        first = old.objects.create(display_name="first", exchange_uid="AbCd1234", email="a@example.com")
        second = old.objects.create(display_name="second", exchange_uid="abcd1234", email="b@example.com")
        other = old.objects.create(display_name="other", exchange_uid="99990000", email="c@example.com")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(after)
    uids = dict(LeadTrader.objects.values_list("pk", "exchange_uid"))
    assert uids == {first.pk: "AbCd1234", second.pk: f"abcd1234-dup-{second.pk}", other.pk: "99990000"}
    renamed = LeadTrader.objects.get(pk=second.pk)
    assert renamed.uid_status == "unverified" and "renamed from 'abcd1234'" in renamed.uid_check_message
    event = AuditEvent.objects.get(action="lead_trader.uid_renamed_duplicate")
    assert event.data == {"from": "abcd1234", "to": f"abcd1234-dup-{second.pk}", "kept_by_trader_id": first.pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadTrader.objects.create(display_name="late", exchange_uid="ABCD1234", email="d@example.com")


@pytest.mark.django_db
def test_an_operator_cannot_give_a_trader_another_traders_uid_in_another_case(client):
    taken = claimant("88880000", n=1)
    other = claimant("88881111", n=2)
    client.force_login(staff("ops", superuser=True))
    url = reverse("admin:traders_leadtrader_change", args=[other.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(exchange_uid=taken.exchange_uid.upper(), status="active")
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the reason; never a 500
    assert "already registered (in another letter case)" in response.content.decode()
    other.refresh_from_db()
    assert other.exchange_uid == "88881111"
