"""Post originality, pure (no Django): length, trading relevance and near-duplicate detection.

Near duplicates: MinHash/LSH (datasketch) over character shingles of the normalised text (lower case, no
whitespace or punctuation), so Chinese, which has no spaces between words, is compared the same way as English.
LSH proposes candidates; the similarity reported is the exact Jaccard index of the two shingle sets, so the
figure an operator sees does not depend on hashing luck.

The banding is defined here once (`signature`, `text_signature`, `lsh_params`, `band_keys`, `best_match`) and
used both by the in-memory `OriginalityIndex` (bulk import) and by the stored signatures and band keys in the
database (campaigns.services.post_signatures, one submission): the same candidates as datasketch's MinHashLSH (the
same (b, r) and the same "shares one band" rule), so both paths give the same answer. `scheme(rules)` names
everything a stored signature and its band keys depend on; a change of rules is a new scheme.

Thresholds come from the campaign's content_rules:

    min_words (50), min_cjk_chars (80), similarity_threshold (0.8), shingle_size (4), trading_keywords ([])
"""

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash
from datasketch.lsh import _optimal_param

DEFAULT_RULES = {"min_words": 50, "min_cjk_chars": 80, "similarity_threshold": 0.8, "shingle_size": 4}
NUM_PERM = 128
SEED = 20260212
VERSION = 1  # bump when the normalisation, the shingles or the hashing change: stored signatures are redone

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def rules_with_defaults(rules: dict | None) -> dict:
    return {**DEFAULT_RULES, "trading_keywords": [], **(rules or {})}


def text_length(text: str) -> tuple[int, str]:
    """(length, unit): CJK characters when the text is mostly CJK, else words (a CJK run is not a word)."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return (cjk + words, "cjk_chars") if cjk > words else (words, "words")


def is_long_enough(text: str, rules: dict) -> bool:
    rules = rules_with_defaults(rules)
    length, unit = text_length(text)
    return length >= (rules["min_cjk_chars"] if unit == "cjk_chars" else rules["min_words"])


def matched_keywords(text: str, keywords: list[str]) -> list[str]:
    """Trading keywords in the text: Latin ones as whole words (so 'long' does not match 'belong', while
    'BTC' right next to Chinese characters still counts)."""
    lowered = text.lower()
    found = []
    for keyword in keywords:
        word = keyword.lower()
        if _CJK.search(word):
            hit = word in lowered
        else:
            hit = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", lowered) is not None
        if hit:
            found.append(keyword)
    return found


def shingles(text: str, size: int) -> set[str]:
    normalised = "".join(
        ch for ch in unicodedata.normalize("NFKC", text).lower() if not (ch.isspace() or not ch.isalnum())
    )
    if len(normalised) <= size:
        return {normalised} if normalised else set()
    return {normalised[i : i + size] for i in range(len(normalised) - size + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _minhash(items: set[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED)
    m.update_batch([item.encode("utf-8") for item in sorted(items)])
    return m


def signature(items: set[str]) -> bytes:
    """The MinHash of a shingle set: NUM_PERM little-endian uint64s; b"" for an empty set (never a candidate)."""
    return _minhash(items).hashvalues.astype("<u8").tobytes() if items else b""


def text_signature(text: str, rules: dict) -> bytes:
    return signature(shingles(text, int(rules_with_defaults(rules)["shingle_size"])))


@lru_cache(maxsize=64)
def lsh_params(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) for a similarity threshold, as datasketch's MinHashLSH chooses them."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    b, r = _optimal_param(threshold, NUM_PERM, 0.5, 0.5)
    if b < 2:
        raise ValueError("The number of bands are too small (b < 2)")
    return b, r


def scheme(rules: dict) -> str:
    """Everything stored signatures and band keys depend on, as a short name."""
    rules = rules_with_defaults(rules)
    b, r = lsh_params(float(rules["similarity_threshold"]))
    return f"v{VERSION}-p{NUM_PERM}-s{SEED}-k{int(rules['shingle_size'])}-b{b}-r{r}"


def band_keys(sig: bytes, threshold: float) -> list[bytes]:
    """One key per band (the band's number, then its hash values): two posts are candidates when they share a
    key, i.e. agree on every value of at least one band."""
    if not sig:
        return []
    b, r = lsh_params(threshold)
    width = r * 8
    return [i.to_bytes(2, "big") + sig[i * width : (i + 1) * width] for i in range(b)]


def best_match(
    items: set[str], candidates: Iterable[tuple[Hashable, set[str]]], threshold: float
) -> tuple[Hashable | None, float | None]:
    """The candidate with the highest exact Jaccard index at or above the threshold; candidates come earliest
    first, and the earliest wins a tie."""
    best, best_sim = None, None
    for key, other in candidates:
        sim = jaccard(items, other)
        if sim >= threshold and (best_sim is None or sim > best_sim):
            best, best_sim = key, sim
    return best, (round(best_sim, 4) if best_sim is not None else None)


@dataclass(frozen=True)
class Check:
    length: int
    length_unit: str
    long_enough: bool
    keywords: list
    trading_related: bool
    duplicate_of: Hashable | None
    similarity: float | None

    def as_dict(self) -> dict:
        return {
            "length": self.length,
            "length_unit": self.length_unit,
            "long_enough": self.long_enough,
            "keywords": self.keywords,
            "trading_related": self.trading_related,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
        }


def make_check(text: str, rules: dict, duplicate_of: Hashable | None, similarity: float | None) -> Check:
    rules = rules_with_defaults(rules)
    length, unit = text_length(text)
    keywords = matched_keywords(text, list(rules["trading_keywords"]))
    return Check(
        length=length,
        length_unit=unit,
        long_enough=is_long_enough(text, rules),
        keywords=keywords,
        trading_related=bool(keywords),
        duplicate_of=duplicate_of,
        similarity=similarity,
    )


class OriginalityIndex:
    """Posts with their publication time; `check` compares a new text against every one published before it."""

    def __init__(self, rules: dict | None = None):
        self.rules = rules_with_defaults(rules)
        self.threshold = float(self.rules["similarity_threshold"])
        lsh_params(self.threshold)  # an unusable threshold fails here, not at the first check
        self._buckets: dict[bytes, list[Hashable]] = {}
        self._shingles: dict[Hashable, set[str]] = {}
        self._signatures: dict[Hashable, bytes] = {}
        self._order: dict[Hashable, tuple] = {}

    def __len__(self) -> int:
        return len(self._shingles)

    def add(self, key: Hashable, text: str, at=None) -> None:
        """`at`: when it was published (anything comparable); None sorts before everything."""
        if key in self._shingles:
            return
        items = shingles(text, int(self.rules["shingle_size"]))
        self._shingles[key] = items
        self._order[key] = (at is not None, at, len(self._order))
        self._signatures[key] = sig = signature(items)
        for band in band_keys(sig, self.threshold):
            self._buckets.setdefault(band, []).append(key)

    def signature_of(self, key: Hashable) -> bytes:
        return self._signatures[key]

    def nearest(self, text: str, before=None) -> tuple[Hashable | None, float | None]:
        """The most similar post published before `before` (None: any) at or above the threshold, the earliest
        one on a tie; or (None, None)."""
        items = shingles(text, int(self.rules["shingle_size"]))
        if not items or not self._shingles:
            return None, None
        found = {key for band in band_keys(signature(items), self.threshold) for key in self._buckets.get(band, ())}
        earlier = [
            key for key in found if before is None or self._order[key][1] is None or self._order[key][1] < before
        ]
        earlier.sort(key=self._order.__getitem__)
        return best_match(items, ((key, self._shingles[key]) for key in earlier), self.threshold)

    def check(self, text: str, before=None) -> Check:
        return make_check(text, self.rules, *self.nearest(text, before=before))
