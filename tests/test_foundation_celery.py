"""A task sent with delay() runs in a real Celery worker process and writes to PostgreSQL."""

import pytest
from celery.result import EagerResult

from campaigns.models import RewardPeriod
from campaigns.tasks import ensure_periods
from demo.campaigns import seed_campaigns

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.django_db(transaction=True)
def test_delay_runs_in_a_real_worker_and_writes_to_postgres(celery_worker_process):
    phase2, _ = seed_campaigns()
    assert not RewardPeriod.objects.filter(pool__campaign=phase2).exists()

    result = ensure_periods.delay(phase2.pk)
    created = result.get(timeout=240)

    assert created > 0
    assert RewardPeriod.objects.filter(pool__campaign=phase2).count() == created
    # The worker is another process: it really ran there, not eagerly here.
    assert not isinstance(result, EagerResult)
    assert result.state == "SUCCESS"
