"""Writes of the regime app, one module per topic: imports (CSV series), candles (ccxt pull), readings."""
