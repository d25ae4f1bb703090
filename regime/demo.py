"""Demo seeding for the regime app (called by seed_demo). Deterministic and idempotent."""


def seed_regime(*, stdout=None) -> str:
    """Market series and regime readings. Filled in by the regime work."""
    return "regime: not seeded yet"
