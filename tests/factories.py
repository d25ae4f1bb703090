"""factory_boy factories for the rows tests build by hand: users, lead traders, exchange accounts, enrolments.

Each default is unique per call (sequences), so a test names only what it is about:
    LeadTraderFactory(exchange_uid="UID1", status=LeadTrader.Status.ACTIVE)
    EnrollmentFactory(campaign=campaign, trader=trader)  # approved, submitted when the campaign starts
Campaigns are not built here: tests use the designed demo campaigns (demo.campaigns.seed_campaigns).
"""

import factory
from django.contrib.auth import get_user_model

from campaigns.models import Enrollment
from traders.models import ExchangeAccount, LeadTrader

PASSWORD = "factory-password-for-tests-only"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    is_staff = True


class LeadTraderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadTrader

    display_name = factory.Sequence(lambda n: f"Trader {n}")
    exchange_uid = factory.Sequence(lambda n: f"UID{n:06d}")
    email = factory.LazyAttribute(lambda t: f"{t.exchange_uid.lower()}@example.com")

    class Params:
        # Shown publicly (the model's default is pending review).
        active = factory.Trait(status=LeadTrader.Status.ACTIVE)


class ExchangeAccountFactory(factory.django.DjangoModelFactory):
    """An account with no credentials; traders.services.accounts.exchange_account_create stores encrypted ones."""

    class Meta:
        model = ExchangeAccount

    trader = factory.SubFactory(LeadTraderFactory, active=True)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    trader = factory.SubFactory(LeadTraderFactory, active=True)
    status = Enrollment.Status.APPROVED
    submitted_at = factory.LazyAttribute(lambda e: e.campaign.starts_at)
