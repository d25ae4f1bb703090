"""Decimal precisions of the money columns, one definition each (used as models.DecimalField(**AMOUNT)).

AMOUNT: what an exchange reports (balances, PnL, flows) to 8 places; PRICE: fill prices and sizes;
CASH: what we pay out, to the cent.
"""

AMOUNT = {"max_digits": 28, "decimal_places": 8}
PRICE = {"max_digits": 32, "decimal_places": 12}
CASH = {"max_digits": 20, "decimal_places": 2}
