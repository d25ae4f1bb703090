"""The default periodic tasks beat runs (django-celery-beat's database scheduler reads them).

Operators can change intervals in the admin afterwards; `manage.py setup_schedules` only (re)creates these.
"""

INTERVALS = [
    # (name, task, every, period)
    ("Ingest: dispatch all active accounts", "leaderboard.tasks.ingest_dispatch", 5, "minutes"),
    ("Ranking: publish every campaign and window", "leaderboard.tasks.rank_all", 30, "minutes"),
    ("Payouts: close finished periods and draft batches", "campaigns.tasks.close_periods", 15, "minutes"),
    ("Traders: verify unverified exchange UIDs through their API keys", "leaderboard.tasks.verify_uids", 1, "hours"),
    (
        "Email: send again queued emails that are due, give up after N attempts",
        "campaigns.tasks.sweep_emails",
        1,
        "minutes",
    ),
]

CRONTABS = [
    # (name, task, minute, hour) in UTC
    ("Regime: pull BTC/USDT daily candles", "regime.tasks.pull_btc_candles", "10", "0"),
    ("Regime: compute the daily reading", "regime.tasks.compute_regime", "30", "0"),
]
