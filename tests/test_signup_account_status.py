"""A trader whose API key the exchange refused sees it on "My campaign", in their language."""

import pytest

from tests.factories import LeadTraderFactory, UserFactory
from traders.models import ExchangeAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def trader_client(client):
    user = UserFactory(username="t@example.com", email="t@example.com")
    trader = LeadTraderFactory(user=user, exchange_uid="12345678", email="t@example.com")
    client.force_login(user)
    return client, trader


def test_needs_attention_is_shown_with_the_exchange_message(trader_client):
    client, trader = trader_client
    ExchangeAccount.objects.create(
        trader=trader, status=ExchangeAccount.Status.NEEDS_ATTENTION, status_message="gate INVALID_KEY: invalid key"
    )
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Needs attention" in page
    assert "tracking is paused until you replace it" in page
    assert "INVALID_KEY" in page


def test_a_healthy_account_shows_no_warning(trader_client):
    client, trader = trader_client
    ExchangeAccount.objects.create(trader=trader)
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Active" in page
    assert "tracking is paused" not in page
