"""The one list of the metrics a Standing stores and the public board shows: what the board's columns and sorts,
the API's fields, "why this rank", the ranking's float columns read (issue 16: these were four lists).

key: the column and ?sort= value; field: the Standing field; fmt: how board_tags.metric formats it (pct = signed
percent coloured by sign, pct0 = plain percent, money, int, num); higher_is_better: the direction a first click sorts
(best first); unit: what the number is in; narrow_hidden: hidden on narrow screens; stored_float: the ranking writes
it from the metrics table as a float (NULL for NaN or inf).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Metric:
    key: str
    field: str
    label: Promise
    fmt: str
    higher_is_better: bool
    unit: str = ""
    narrow_hidden: bool = True
    stored_float: bool = True
    on_board: bool = True


METRICS: tuple[Metric, ...] = (
    Metric("score", "score", _("Score"), "num", True, narrow_hidden=False, stored_float=False),
    Metric("roi", "roi", _("ROI"), "pct", True, "fraction", narrow_hidden=False),
    Metric("pnl", "pnl", _("PnL (USDT)"), "money", True, "USDT", narrow_hidden=False, stored_float=False),
    Metric("vs_btc", "excess_return_vs_btc", _("vs BTC"), "pct", True, "fraction", narrow_hidden=False),
    Metric("beta", "beta", _("Beta to BTC"), "num", False),
    Metric("return_scarce", "return_scarce", _("Capital-scarce days"), "pct", True, "fraction"),
    Metric("return_abundant", "return_abundant", _("Liquidity-abundant days"), "pct", True, "fraction"),
    # Stored as a negative fraction: closer to 0 (larger) is better.
    Metric("max_drawdown", "max_drawdown", _("Max drawdown"), "pct0", True, "fraction", narrow_hidden=False),
    Metric("sharpe", "sharpe", _("Sharpe"), "num", True),
    Metric("sortino", "sortino", _("Sortino"), "num", True),
    Metric("calmar", "calmar", _("Calmar"), "num", True),
    Metric("win_rate", "win_rate", _("Win rate"), "pct0", True, "fraction"),
    Metric("profit_factor", "profit_factor", _("Profit factor"), "num", True),
    Metric("volatility", "volatility", _("Volatility"), "pct0", False, "fraction"),
    Metric("trades", "trades", _("Trades"), "int", True, "count", stored_float=False),
    Metric("equity", "equity", _("Equity (USDT)"), "money", True, "USDT", stored_float=False),
    Metric("active_days", "active_days", _("Active days"), "int", True, "days", stored_float=False, on_board=False),
    # Share of the window's days the returns cover (issue 18): below the rules' minimum the ratios are left empty.
    Metric("coverage", "coverage", _("Coverage"), "pct0", True, "fraction", on_board=False),
    # What copiers need to decide (issue 13): shown on the profile's panels and in the API, not as board columns.
    *(
        Metric(key, key, label, fmt, better, unit, stored_float=fmt not in ("money", "int"), on_board=False)
        for key, label, fmt, better, unit in (
            ("psr", _("Probabilistic Sharpe ratio"), "pct0", True, "probability"),
            ("dsr", _("Deflated Sharpe ratio"), "pct0", True, "probability"),
            ("min_track_record_days", _("Days needed to be significant"), "num", False, "days"),
            ("roi_ci_low", _("ROI, 90% interval low"), "pct", True, "fraction"),
            ("roi_ci_high", _("ROI, 90% interval high"), "pct", True, "fraction"),
            ("aum", _("Copiers' AUM (USDT)"), "money", True, "USDT"),
            ("copiers", _("Copiers"), "int", True, "count"),
            ("copiers_max", _("Copier slots"), "int", True, "count"),
            ("copier_pnl", _("Copiers' PnL (USDT)"), "money", True, "USDT"),
            ("profit_share_rate", _("Profit share"), "pct0", False, "fraction"),
            ("days_leading", _("Days as lead trader"), "int", True, "days"),
            ("skin_in_game", _("Skin in the game"), "pct0", True, "fraction"),
            ("copier_roi_median", _("Copier ROI, median"), "pct", True, "fraction"),
            ("copier_roi_p10", _("Copier ROI, 10th percentile"), "pct", True, "fraction"),
            ("copier_roi_p90", _("Copier ROI, 90th percentile"), "pct", True, "fraction"),
            ("copier_loss_share", _("Copier start days that lost"), "pct0", False, "fraction"),
        )
    ),
)

BOARD = tuple(m for m in METRICS if m.on_board)
# ?sort= value -> (Standing field, larger is better); rank ascending first.
SORTS: dict[str, tuple[str, bool]] = {"rank": ("rank", False), **{m.key: (m.field, m.higher_is_better) for m in BOARD}}
# Board columns: (key, label, format, hidden on narrow screens).
COLUMNS = [(m.key, m.label, m.fmt, m.narrow_hidden) for m in BOARD]
# The Standing fields the ranking writes from the metrics table as floats.
FLOAT_METRICS = [m.field for m in METRICS if m.stored_float]
# The Standing fields the API publishes per row, in board order.
API_FIELDS = [m.field for m in METRICS]
# The profile's capacity panel, in its order.
CAPACITY_FIELDS = ("copiers", "copiers_max", "aum", "copier_pnl", "profit_share_rate", "days_leading", "skin_in_game")
