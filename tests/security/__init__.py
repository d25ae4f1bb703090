"""Attacks performed against the real stack, one module per class of hole (see README, Security)."""
