"""Content-pool eligibility and scores, pure (pandas in, DataFrame out), vectorised over all traders at once.

Per trader, from their quality posts of the period:
    posts        number of quality posts
    days         distinct publish days in the campaign's zone
    exposure     sum of views
    engagement   sum of likes + comments + shares
    copy_volume  sum of copy-trading volume attributed to the posts (or, with rules.copy_metric =
                 "followers_gained", the followers the posts brought in)
Eligible: posts >= min_quality_posts and days >= min_distinct_days (defaults 3 and 2, the phase-2 campaign's rules;
Gate Square's monthly creator board asks 7 posts on 5 days, which a campaign can set in its pool rules).
Score of an eligible trader: sum over inputs of weight x percentile rank among the eligible traders, where the
percentile rank is pandas' rank(pct=True, method="average"): rank / n with ties averaged, so the best gets 1 and
everyone eligible gets more than 0. Default weights 0.3 / 0.3 / 0.4 (Gate Square's creator board). The score is
rounded to 6 decimals so the split does not depend on float noise.
"""

from zoneinfo import ZoneInfo

import pandas as pd

DEFAULT_RULES = {
    "min_quality_posts": 3,
    "min_distinct_days": 2,
    "weights": {"exposure": 0.3, "engagement": 0.3, "copy_volume": 0.4},
}
INPUTS = ["exposure", "engagement", "copy_volume"]
POST_COLUMNS = ["trader_id", "published_at", "views", "likes", "comments", "shares", "copy_volume", "followers_gained"]


def content_scores(posts: pd.DataFrame, *, zone: ZoneInfo, rules: dict | None = None) -> pd.DataFrame:
    """One row per trader with a post (index trader_id): the inputs, eligibility, percentiles, score, rank.

    Rank orders eligible traders by score, then trader id (deterministic); ineligible traders have no rank.
    """
    rules = {**DEFAULT_RULES, **(rules or {})}
    if rules.get("copy_metric", "copy_volume") not in ("copy_volume", "followers_gained"):
        raise ValueError(f"copy_metric must be copy_volume or followers_gained, got {rules['copy_metric']!r}")
    weights = {**DEFAULT_RULES["weights"], **rules.get("weights", {})}
    columns = ["posts", "days", *INPUTS, "eligible", *[f"pct_{c}" for c in INPUTS], "score", "rank"]
    if posts.empty:
        return pd.DataFrame(columns=columns).astype({"eligible": bool}).rename_axis("trader_id")
    frame = posts.assign(
        day=pd.to_datetime(posts["published_at"], utc=True).dt.tz_convert(zone).dt.date,
        engagement=posts["likes"] + posts["comments"] + posts["shares"],
        copy_volume=posts[rules.get("copy_metric", "copy_volume")].astype(float),
    )
    table = frame.groupby("trader_id").agg(
        posts=("day", "size"),
        days=("day", "nunique"),
        exposure=("views", "sum"),
        engagement=("engagement", "sum"),
        copy_volume=("copy_volume", "sum"),
    )
    table["eligible"] = (table["posts"] >= int(rules["min_quality_posts"])) & (
        table["days"] >= int(rules["min_distinct_days"])
    )
    eligible = table[table["eligible"]]
    score = pd.Series(0.0, index=eligible.index)
    for column in INPUTS:
        pct = eligible[column].rank(method="average", pct=True)
        table[f"pct_{column}"] = pct
        score = score + float(weights[column]) * pct
    table["score"] = score.round(6)
    order = table[table["eligible"]].reset_index().sort_values(["score", "trader_id"], ascending=[False, True])
    table["rank"] = pd.Series(range(1, len(order) + 1), index=order["trader_id"].to_numpy())
    return table[columns]
