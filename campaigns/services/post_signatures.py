"""Stored MinHash signatures and LSH band keys of posts, so one submission's originality check costs its
candidates, not every earlier post.

Each post gets a PostSignature and its PostBand keys per scheme (campaigns.originality.scheme: shingle size,
threshold bands, hashing version) when it is created or re-checked. A check computes the new text's band keys,
finds the earlier posts sharing one with a single indexed query, and compares the exact shingle sets of those
candidates only (campaigns.originality.best_match): the same answer as the in-memory OriginalityIndex over every
earlier post, which is what a submission used to rebuild.

Like that index, the check looks at the earlier posts of every campaign. Posts without a signature under the
scheme asked for (every post after a campaign's rules changed, and those before migration 0006) are signed on the
way, once. Every check counts the earlier posts and the earlier signatures (two index counts, the
only part that grows with the number of posts): the first is the "compared_with" figure, a difference says
some are unsigned.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

from campaigns.models import Post, PostBand, PostSignature
from campaigns.originality import (
    band_keys,
    best_match,
    rules_with_defaults,
    scheme,
    shingles,
    signature,
    text_signature,
)

BATCH = 500


@dataclass(frozen=True)
class Nearest:
    duplicate_of: Hashable | None
    similarity: float | None
    compared_with: int  # earlier posts the text was checked against
    signature: bytes  # the text's own signature under the scheme, to store with its post


def post_signatures_backfill(*, rules: dict, posts: Iterable[tuple[int, str, datetime]]) -> int:
    """Sign (post id, text, published_at) rows under the rules' scheme; posts already signed under it are skipped
    by the database."""
    rules = rules_with_defaults(rules)
    name, threshold = scheme(rules), float(rules["similarity_threshold"])
    done = 0
    batch: list[tuple[int, bytes, datetime]] = []

    def flush():
        PostSignature.objects.bulk_create(
            [PostSignature(post_id=pk, scheme=name, hashvalues=sig, published_at=at) for pk, sig, at in batch],
            ignore_conflicts=True,
        )
        PostBand.objects.bulk_create(
            [PostBand(post_id=pk, scheme=name, key=key) for pk, sig, _ in batch for key in band_keys(sig, threshold)]
        )
        batch.clear()

    for pk, text, at in posts:
        batch.append((pk, text_signature(text, rules), at))
        done += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return done


def post_signature_store(*, post: Post, sig: bytes, rules: dict, replace: bool = False) -> None:
    """Store one post's signature (computed by its check); `replace` drops what was stored under the scheme."""
    rules = rules_with_defaults(rules)
    name = scheme(rules)
    if replace:
        PostSignature.objects.filter(post=post, scheme=name).delete()
        PostBand.objects.filter(post=post, scheme=name).delete()
    PostSignature.objects.create(post=post, scheme=name, hashvalues=sig, published_at=post.published_at)
    keys = band_keys(sig, float(rules["similarity_threshold"]))
    PostBand.objects.bulk_create([PostBand(post=post, scheme=name, key=key) for key in keys])


def originality_nearest(*, rules: dict, text: str, before: datetime, exclude_id: int | None = None) -> Nearest:
    """The most similar post (of any campaign) published before `before`, at or above the threshold, the earliest
    on a tie, as OriginalityIndex.nearest over all of them would find it; signs unsigned earlier posts first."""
    rules = rules_with_defaults(rules)
    name, size, threshold = scheme(rules), int(rules["shingle_size"]), float(rules["similarity_threshold"])
    earlier = Post.objects.filter(published_at__lt=before)
    signed = PostSignature.objects.filter(scheme=name, published_at__lt=before)
    if exclude_id is not None:
        earlier, signed = earlier.exclude(pk=exclude_id), signed.exclude(post_id=exclude_id)
    compared_with = earlier.count()
    if signed.count() < compared_with:
        unsigned = earlier.exclude(signatures__scheme=name).order_by("id").values_list("id", "text", "published_at")
        post_signatures_backfill(rules=rules, posts=unsigned.iterator(chunk_size=BATCH))
    items = shingles(text, size)
    sig = signature(items)
    if not items or not compared_with:
        return Nearest(None, None, compared_with, sig)
    keys = band_keys(sig, threshold)
    candidates = (
        earlier.filter(pk__in=PostBand.objects.filter(scheme=name, key__in=keys).values("post_id"))
        .order_by("published_at", "id")
        .values_list("id", "text")
    )
    duplicate_of, similarity = best_match(items, ((pk, shingles(t, size)) for pk, t in candidates), threshold)
    return Nearest(duplicate_of, similarity, compared_with, sig)
