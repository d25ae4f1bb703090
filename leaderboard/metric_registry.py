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
    # Issue 14: decimals shown (in percent points for pct kinds) and the magnitude beyond which the value means
    # nothing on a page (a Calmar ratio over a near-zero drawdown, a profit factor with almost no losses): "—".
    places: int = 2
    display_bound: float | None = None
    # The board's column sets (COLUMN_SETS) this metric belongs to; a metric registered with a set shows in it.
    sets: tuple[str, ...] = ()


# Column-set names, short so each metric stays one line: overview, risk, copy, track record, regime.
OV, RISK, COPY, TRACK, REGIME = "overview", "risk", "copy", "track", "regime"

METRICS: tuple[Metric, ...] = (
    Metric("score", "score", _("Score"), "num", True, narrow_hidden=False, stored_float=False, sets=(OV,)),
    Metric("roi", "roi", _("ROI"), "pct", True, "fraction", narrow_hidden=False, sets=(OV, COPY, TRACK)),
    Metric(
        "pnl", "pnl", _("PnL (USDT)"), "money", True, "USDT", narrow_hidden=False, stored_float=False, sets=(OV, COPY)
    ),
    Metric(
        "vs_btc",
        "excess_return_vs_btc",
        _("vs BTC"),
        "pct",
        True,
        "fraction",
        narrow_hidden=False,
        sets=(OV, TRACK, REGIME),
    ),
    Metric("beta", "beta", _("Beta to BTC"), "num", False, sets=(RISK, REGIME)),
    Metric("return_scarce", "return_scarce", _("Capital-scarce days"), "pct", True, "fraction", sets=(REGIME,)),
    Metric("return_abundant", "return_abundant", _("Liquidity-abundant days"), "pct", True, "fraction", sets=(REGIME,)),
    # Stored as a negative fraction: closer to 0 (larger) is better.
    Metric(
        "max_drawdown",
        "max_drawdown",
        _("Max drawdown"),
        "pct0",
        True,
        "fraction",
        narrow_hidden=False,
        sets=(OV, RISK, COPY),
    ),
    Metric("sharpe", "sharpe", _("Sharpe"), "num", True, sets=(RISK,)),
    Metric("sortino", "sortino", _("Sortino"), "num", True, sets=(RISK,)),
    Metric("calmar", "calmar", _("Calmar"), "num", True, display_bound=100, sets=(RISK,)),
    Metric("win_rate", "win_rate", _("Win rate"), "pct0", True, "fraction", sets=(COPY, TRACK)),
    Metric("profit_factor", "profit_factor", _("Profit factor"), "num", True, display_bound=100, sets=(TRACK,)),
    Metric("volatility", "volatility", _("Volatility"), "pct0", False, "fraction", sets=(RISK,)),
    Metric("trades", "trades", _("Trades"), "int", True, "count", stored_float=False, sets=(TRACK,)),
    Metric("equity", "equity", _("Equity (USDT)"), "money", True, "USDT", stored_float=False, sets=(COPY,)),
    Metric("active_days", "active_days", _("Active days"), "int", True, "days", stored_float=False, on_board=False),
    # Share of the window's days the returns cover (issue 18): below the rules' minimum the ratios are left empty.
    Metric("coverage", "coverage", _("Coverage"), "pct0", True, "fraction", on_board=False, places=0),
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
# The board's column sets (issue 14: every metric at once does not fit 1366 px): ?cols= value -> label, in order.
SET_LABELS: dict[str, Promise] = {
    OV: _("Overview"),
    RISK: _("Risk"),
    COPY: _("Copy"),
    TRACK: _("Track record"),
    REGIME: _("Regime"),
}
DEFAULT_SET = OV
# ?cols= value -> the metric keys it shows, in board order (read from the registry).
COLUMN_SETS: dict[str, tuple[str, ...]] = {name: tuple(m.key for m in BOARD if name in m.sets) for name in SET_LABELS}
# ?sort= value -> (Standing field, larger is better); rank ascending first.
SORTS: dict[str, tuple[str, bool]] = {"rank": ("rank", False), **{m.key: (m.field, m.higher_is_better) for m in BOARD}}
# Board columns: (key, label, format, hidden on narrow screens).
COLUMNS = [(m.key, m.label, m.fmt, m.narrow_hidden) for m in BOARD]
# The Standing fields the ranking writes from the metrics table as floats.
FLOAT_METRICS = [m.field for m in METRICS if m.stored_float]
# The Standing fields the API publishes per row, in board order.
API_FIELDS = [m.field for m in METRICS]
# key -> Metric, for the formatter (web.templatetags.board_tags.metric takes a key or a bare kind).
BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}
# The profile's capacity panel, in its order.
CAPACITY_FIELDS = ("copiers", "copiers_max", "aum", "copier_pnl", "profit_share_rate", "days_leading", "skin_in_game")
