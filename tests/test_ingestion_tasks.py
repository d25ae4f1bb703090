"""The Celery tasks and the ingest command on "replay:gate" accounts: ccxt's real gate class, HTTP from recordings.

The tasks build their own exchange (as a worker does), so no instance is at hand to stub; accounts whose exchange id
is "replay:gate" get the recorded-HTTP transport from settings.EXCHANGE_REPLAY_DIR instead of the network.
"""

import copy
import json
import time
from datetime import date
from pathlib import Path

import ccxt
import pytest
from celery.exceptions import Retry
from celery.signals import task_prerun
from django.core.management import CommandError, call_command

from tests.factories import ExchangeAccountFactory, LeadTraderFactory
from traders.models import ExchangeAccount, Fill, IngestionCursor, LedgerEntry
from traders.services.accounts import exchange_account_create
from traders.tasks import ingest_account, ingest_dispatch

FIXTURES = Path(__file__).parent / "fixtures" / "exchange"
CASSETTE = json.loads((FIXTURES / "gate.json").read_text())


@pytest.fixture(autouse=True)
def _replay(settings):
    settings.EXCHANGE_REPLAY_ENABLED = True
    settings.EXCHANGE_REPLAY_DIR = FIXTURES
    settings.INGEST_LOOKBACK_DAYS = (date.today() - date(2024, 1, 1)).days  # the recordings are from January 2024
    settings.INGEST_MAX_WINDOW_DAYS = 400


def make_account(uid: str, exchange_id: str = "replay:gate", credentials: bool = True) -> ExchangeAccount:
    trader = LeadTraderFactory(display_name=uid, exchange_uid=uid, active=True)
    if credentials:
        return exchange_account_create(trader=trader, exchange_id=exchange_id, api_key="k-" + uid, api_secret="s")
    return ExchangeAccountFactory(trader=trader, exchange_id=exchange_id)


def cassette_dir_with_error(tmp_path, url: str, status: int, body: dict) -> Path:
    cassette = copy.deepcopy(CASSETTE)
    for cases in cassette["methods"].values():
        for case in cases:
            if case["url"] == url:
                case["httpStatus"], case["httpResponse"] = status, body
    (tmp_path / "gate.json").write_text(json.dumps(cassette))
    return tmp_path


@pytest.fixture
def runs():
    """How many times ingest_account started (first run plus retries)."""
    started = []

    def count(sender=None, **kwargs):
        if sender is not None and sender.name == "leaderboard.tasks.ingest_account":
            started.append(kwargs.get("task_id"))

    task_prerun.connect(count, weak=False)
    yield started
    task_prerun.disconnect(count)


@pytest.mark.django_db
def test_dispatch_fans_out_over_active_accounts_with_credentials():
    first, second = make_account("A1"), make_account("A2")
    make_account("NOKEY", credentials=False)
    disabled = make_account("OFF")
    disabled.status = ExchangeAccount.Status.DISABLED
    disabled.save()

    assert ingest_dispatch.delay().get() == 2

    for account in (first, second):
        assert Fill.objects.filter(account=account).count() == 25
        assert LedgerEntry.objects.filter(account=account).count() == 9
        account.refresh_from_db()
        assert account.last_ingested_at is not None and account.status == ExchangeAccount.Status.ACTIVE
    assert not Fill.objects.filter(account=disabled).exists()


@pytest.mark.django_db
def test_the_task_is_configured_for_at_least_once_delivery():
    assert ingest_account.acks_late and ingest_account.reject_on_worker_lost
    assert ingest_account.retry_backoff and ingest_account.retry_jitter and ingest_account.max_retries == 6


@pytest.mark.django_db
def test_a_rate_limited_account_is_retried_with_jittered_backoff(settings, tmp_path, runs):
    settings.EXCHANGE_REPLAY_DIR = cassette_dir_with_error(
        tmp_path, "/futures/usdt/my_trades_timerange", 429, {"label": "TOO_MANY_REQUESTS", "message": "Too many"}
    )
    account = make_account("RL")

    with pytest.raises(Retry) as retry:  # eager mode surfaces the scheduled retry instead of queueing it
        ingest_account.delay(account.id)
    assert isinstance(retry.value.exc, ccxt.RateLimitExceeded)
    assert 0 <= retry.value.when <= 30  # first backoff step (30 s), full jitter
    assert len(runs) == 1
    account.refresh_from_db()
    assert account.status == ExchangeAccount.Status.ACTIVE  # transient: not the trader's problem


@pytest.mark.django_db
def test_a_rejected_key_needs_attention_and_is_not_retried(settings, tmp_path, runs):
    settings.EXCHANGE_REPLAY_DIR = cassette_dir_with_error(
        tmp_path, "/futures/usdt/my_trades_timerange", 401, {"label": "INVALID_KEY", "message": "Invalid key"}
    )
    account = make_account("AUTH")
    result = ingest_account.delay(account.id).get()
    assert result["status"] == "needs_attention"
    assert len(runs) == 1
    account.refresh_from_db()
    assert account.status == ExchangeAccount.Status.NEEDS_ATTENTION and "INVALID_KEY" in account.status_message
    assert account.id not in [a for a in ExchangeAccount.objects.filter(status="active").values_list("id", flat=True)]


@pytest.mark.django_db
def test_replay_accounts_are_refused_unless_enabled(settings):
    settings.EXCHANGE_REPLAY_ENABLED = False
    account = make_account("PROD")
    assert ingest_account.delay(account.id).get()["status"] == "needs_attention"


@pytest.mark.django_db
def test_the_ingest_command_runs_every_account_and_is_safe_to_repeat(capsys):
    account = make_account("CMD")
    call_command("ingest")
    assert "1 accounts (1 ok); new rows: 25 fills, 7 closed positions, 9 ledger entries." in capsys.readouterr().out
    call_command("ingest", "--account", str(account.id))
    assert "new rows: 0 fills, 0 closed positions, 0 ledger entries." in capsys.readouterr().out
    with pytest.raises(CommandError, match="No exchange account with id 999999"):
        call_command("ingest", "--account", "999999")


@pytest.mark.django_db
def test_the_ingest_command_fails_loudly_when_an_exchange_keeps_failing(settings, tmp_path):
    settings.EXCHANGE_REPLAY_DIR = cassette_dir_with_error(
        tmp_path, "/futures/usdt/account_book", 503, {"label": "SERVER_ERROR", "message": "maintenance"}
    )
    make_account("DOWN")
    with pytest.raises(CommandError, match="1 failed"):
        call_command("ingest")


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_dispatch_through_a_real_worker_ingests_every_account_once(celery_worker_process):
    """The worker is another process on Redis and PostgreSQL; its accounts' HTTP is the recorded one (replay:gate,
    enabled there because the worker runs with development settings)."""
    accounts = [make_account(f"W{i}") for i in range(3)]
    broken = make_account("WBAD", exchange_id="no_such_exchange")
    for account in accounts:  # the recordings are from 2024: start the cursors there
        for stream in ("trades", "positions", "ledger"):
            IngestionCursor.objects.create(account=account, stream=stream, since_ms=1704067200000)

    assert ingest_dispatch.delay().get(timeout=240) == 4

    deadline = time.monotonic() + 300  # generous: CI is a loaded 2-core machine
    while time.monotonic() < deadline:
        done = ExchangeAccount.objects.filter(pk__in=[a.pk for a in accounts], last_ingested_at__isnull=False).count()
        broken.refresh_from_db()
        if done == len(accounts) and broken.status == ExchangeAccount.Status.NEEDS_ATTENTION:
            break
        time.sleep(0.5)
    for account in accounts:
        ids = list(Fill.objects.filter(account=account).values_list("exchange_trade_id", flat=True))
        assert len(ids) == len(set(ids)) == 25
    assert broken.status == ExchangeAccount.Status.NEEDS_ATTENTION
    assert "no_such_exchange" in broken.status_message
