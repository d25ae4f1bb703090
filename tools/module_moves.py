"""Issue 16: where each module of the old layout went, read by tools/rewrite_imports.py.

Bottom to top: core -> traders, regime -> campaigns -> leaderboard -> rewards -> web -> demo (config wires them).
A branch made on the old layout merges the rename commit, then runs `python tools/rewrite_imports.py .` once.
"""

# Whole modules that moved (git mv): old dotted path -> new dotted path.
MODULE_MOVES: dict[str, str] = {
    # core: pieces every app may use, that use no app.
    "campaigns.admin_audit": "core.admin_audit",
    "campaigns.admin_lockouts": "core.admin_lockouts",
    "campaigns.admin_outbox": "core.admin_outbox",
    "campaigns.admin_readonly": "core.admin_readonly",
    "campaigns.csv_export": "core.csv_export",
    "campaigns.lockout": "core.lockout",
    "campaigns.ratelimit": "core.ratelimit",
    "campaigns.services.audit": "core.services.audit",
    "campaigns.services.lockouts": "core.services.lockouts",
    "campaigns.services.mail": "core.services.mail",
    "campaigns.services.outbox": "core.services.outbox",
    "campaigns.services.password_reset": "core.services.password_reset",
    "config.admin_guard": "core.admin_guard",
    "config.admin_site": "core.admin_site",
    "config.secret_fields": "core.secret_fields",
    "config.schedules": "core.schedules",
    "campaigns.management.commands.setup_schedules": "core.management.commands.setup_schedules",
    "leaderboard.encryption": "core.encryption",
    "leaderboard.language": "core.language",
    "leaderboard.validators": "core.validators",
    # traders: lead traders, their exchange accounts and data, ingestion.
    "leaderboard.exchange": "traders.exchange",
    "leaderboard.exchange_identity": "traders.exchange_identity",
    "leaderboard.replay": "traders.replay",
    "leaderboard.performance_import": "traders.performance_import",
    "leaderboard.unit_value": "traders.unit_value",
    "leaderboard.forms": "traders.forms",
    "campaigns.forms_password": "traders.forms_password",
    "leaderboard.services.accounts": "traders.services.accounts",
    "leaderboard.services.equity": "traders.services.equity",
    "leaderboard.services.ingestion": "traders.services.ingestion",
    "leaderboard.services.traders": "traders.services.registration",
    "leaderboard.services.uid_verification": "traders.services.uid_verification",
    "leaderboard.management.commands.ingest": "traders.management.commands.ingest",
    # leaderboard: a trader's result framed by the regime reads both, so it sits above regime.
    "regime.framing": "leaderboard.framing",
    # rewards: pools' payouts, batches and lines, allocation, the payout desk.
    "campaigns.allocation": "rewards.allocation",
    "campaigns.content_scoring": "rewards.content_scoring",
    "campaigns.reward_selectors": "rewards.selectors",
    "campaigns.services.payouts": "rewards.services.payouts",
    "campaigns.management.operator": "rewards.management.operator",
    "campaigns.management.commands.calculate_payouts": "rewards.management.commands.calculate_payouts",
    "campaigns.management.commands.close_periods": "rewards.management.commands.close_periods",
    # web: public pages and the API, on top of everything they show.
    "leaderboard.views": "web.views_board",
    "leaderboard.urls": "web.urls_board",
    "leaderboard.api": "web.api_board",
    "leaderboard.api_urls": "web.api_urls_board",
    "leaderboard.public_selectors": "web.selectors",
    "leaderboard.page_cache": "web.page_cache",
    "leaderboard.board_state_mirror": "web.board_state_mirror",
    "leaderboard.services.board_cache": "web.board_cache",
    "leaderboard.templatetags.board_tags": "web.templatetags.board_tags",
    "campaigns.views": "web.views_campaigns",
    "campaigns.views_posts": "web.views_posts",
    "campaigns.urls": "web.urls_campaigns",
    "campaigns.auth_urls": "web.auth_urls",
    "campaigns.api": "web.api_campaigns",
    "campaigns.api_urls": "web.api_urls_campaigns",
    # demo: seeding and simulation, not installed in production.
    "campaigns.demo": "demo.campaigns",
    "leaderboard.demo": "demo.traders",
    "leaderboard.simulation": "demo.simulation",
    "leaderboard.exchange_simulation": "demo.exchange_simulation",
    "regime.demo": "demo.regime",
    "regime.simulation": "demo.regime_simulation",
    "campaigns.management.commands.seed_demo": "demo.management.commands.seed_demo",
    "campaigns.signals": "rewards.signals",
}

# Names that left a module which stayed (the module was split): "old.module.Name" -> new module.
_TRADER_MODELS = ["LeadTrader", "ExchangeAccount", "IngestionCursor", "Fill", "ClosedPosition", "LedgerEntry"]
SYMBOL_MOVES: dict[str, str] = {
    **{f"leaderboard.models.{name}": "traders.models" for name in [*_TRADER_MODELS, "DailyEquity", "PRICE"]},
    "leaderboard.models.MONEY": "traders.models",
    "campaigns.models.PayoutBatch": "rewards.models",
    "campaigns.models.Payout": "rewards.models",
    "campaigns.models.payout_frozen_on_delete": "rewards.models",
    "campaigns.models.AuditEvent": "core.models",
    "campaigns.models.OutboundEmail": "core.models",
    "campaigns.tasks.send_email": "core.tasks",
    "campaigns.tasks.sweep_emails": "core.tasks",
    "campaigns.tasks.close_periods": "rewards.tasks",
    "leaderboard.tasks.ingest_dispatch": "traders.tasks",
    "leaderboard.tasks.ingest_account": "traders.tasks",
    "leaderboard.tasks.verify_uids": "traders.tasks",
    "leaderboard.selectors.exchange_account_of": "traders.selectors",
    "leaderboard.selectors.closed_position_counts": "traders.selectors",
    "leaderboard.selectors.traders_with_trade_data": "traders.selectors",
    "campaigns.selectors.trader_of_user": "traders.selectors",
    "campaigns.selectors.payout_list_for_trader": "rewards.selectors",
    "campaigns.selectors.spotlight_trader": "rewards.selectors",
    "regime.selectors.trader_regime_framing": "leaderboard.selectors",
    "campaigns.admin_desk.PayoutDeskAdmin": "rewards.admin_desk",
    "campaigns.admin_desk.PaidForm": "rewards.admin_desk",
    "campaigns.admin_desk.apply_each": "core.admin_actions",
    "campaigns.admin.PayoutBatchAdmin": "rewards.admin",
    "campaigns.admin.PayoutAdmin": "rewards.admin",
    "campaigns.admin.AuditEventAdmin": "core.admin",
    **{f"leaderboard.admin.{name}Admin": "traders.admin" for name in [*_TRADER_MODELS, "DailyEquity"]},
}

# Models that changed app (same table, same rows): old app label -> new app label, by model class.
MODEL_MOVES: dict[str, tuple[str, str]] = {
    **{name: ("leaderboard", "traders") for name in [*_TRADER_MODELS, "DailyEquity"]},
    "PayoutBatch": ("campaigns", "rewards"),
    "Payout": ("campaigns", "rewards"),
    "AuditEvent": ("campaigns", "core"),
    "OutboundEmail": ("campaigns", "core"),
}

# Celery task names are what the broker and beat's rows hold: they keep their old spelling wherever the task went.
KEPT_STRINGS: set[str] = {
    "campaigns.tasks.send_email",
    "campaigns.tasks.sweep_emails",
    "campaigns.tasks.close_periods",
    "leaderboard.tasks.ingest_dispatch",
    "leaderboard.tasks.ingest_account",
    "leaderboard.tasks.verify_uids",
}


def text_moves() -> list[tuple[str, str]]:
    """Literal replacements for moved models: labels, permissions, content types and admin URLs (not tables)."""
    pairs = []
    for model, (old, new) in MODEL_MOVES.items():
        lower = model.lower()
        pairs += [
            (f'"{old}.{model}"', f'"{new}.{model}"'),
            (f"'{old}.{model}'", f"'{new}.{model}'"),
            (f'"{old}.{lower}"', f'"{new}.{lower}"'),
            (f"admin:{old}_{lower}_", f"admin:{new}_{lower}_"),
            (f"/admin/{old}/{lower}/", f"/admin/{new}/{lower}/"),
            (f'app_label="{old}", model="{lower}"', f'app_label="{new}", model="{lower}"'),
        ]
        for action in ("add", "change", "delete", "view"):
            pairs.append((f"{old}.{action}_{lower}", f"{new}.{action}_{lower}"))
    return pairs
