"""How a number reads on a page, in a CSV cell or in a payout reason: one formatter (issue 14).

Pure: no Django. Callers pass the active language (web.templatetags.board_tags.metric, rewards' payout reasons);
the API never comes through here, it keeps full precision.

kind: pct = signed percent of a fraction, pct0 = plain percent of a fraction, money = grouped to `places`,
amount = money without a ".00" tail on whole amounts (pool sizes), int = grouped whole number, num = grouped to
`places`. A value that cannot mean anything (None, NaN, infinite, astronomically large, or beyond `bound` such as
a Calmar ratio on a near-zero drawdown) reads "—"; a value that rounds to zero never carries a sign ("−0.00"
reads "0.00").
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DASH = "—"
KINDS = ("pct", "pct0", "money", "amount", "int", "num")

# Separators per language. CLDR groups both English and Simplified Chinese by thousands with "," (Django's own
# zh_Hans formats leave grouping out, which printed "20000 USDT" beside English "20,000").
# Beyond this no figure on the site means anything (and Decimal's default context cannot round it).
CEILING = Decimal("1e24")
SEPARATORS: dict[str, tuple[str, str]] = {"en": (",", "."), "zh-hans": (",", ".")}


def separators(language: str | None) -> tuple[str, str]:
    """(group, decimal) for a language code such as "en-us" or "zh-hans"; English's for anything unknown."""
    code = (language or "en").lower().replace("_", "-")
    if code.startswith("zh"):
        return SEPARATORS["zh-hans"]
    return SEPARATORS.get(code.split("-")[0], SEPARATORS["en"])


def _decimal(value) -> Decimal | None:
    """The value as a finite Decimal, or None when it is absent or not a finite number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() and abs(number) < CEILING else None


def _grouped(number: Decimal, places: int, group: str, point: str) -> str:
    """|number| rounded half-up to `places`, grouped by thousands."""
    text = f"{abs(number):,.{places}f}"
    return text.replace(",", "\x00").replace(".", point).replace("\x00", group)


def format_number(
    value,
    kind: str = "num",
    *,
    places: int = 2,
    bound: float | None = None,
    language: str | None = "en",
) -> str:
    """`value` as `kind` reads it (see the module note); "—" when it means nothing."""
    if kind not in KINDS:
        raise ValueError(f"unknown number kind {kind!r}")
    number = _decimal(value)
    if number is None or (bound is not None and abs(number) > Decimal(str(bound))):
        return DASH
    group, point = separators(language)
    if kind == "int":
        places = 0
    suffix = ""
    if kind in ("pct", "pct0"):
        number, suffix = number * 100, "%"
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if kind == "amount" and rounded == rounded.to_integral_value():
        places = 0
    body = _grouped(rounded, places, group, point)
    if rounded.is_zero():
        sign = ""
    elif rounded < 0:
        sign = "-"
    else:
        sign = "+" if kind == "pct" else ""
    return f"{sign}{body}{suffix}"
