"""Post originality, pure (no Django): length, trading relevance and near-duplicate detection.

Near duplicates: MinHash/LSH (datasketch) over character shingles of the normalised text (lower case, no
whitespace or punctuation), so Chinese, which has no spaces between words, is compared the same way as English.
LSH proposes candidates; the similarity reported is the exact Jaccard index of the two shingle sets, so the
figure an operator sees does not depend on hashing luck. Thresholds come from the campaign's content_rules:

    min_words (50), min_cjk_chars (80), similarity_threshold (0.8), shingle_size (4), trading_keywords ([])
"""

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

DEFAULT_RULES = {"min_words": 50, "min_cjk_chars": 80, "similarity_threshold": 0.8, "shingle_size": 4}
NUM_PERM = 128
SEED = 20260212

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


class OriginalityIndex:
    """Posts with their publication time; `check` compares a new text against every one published before it."""

    def __init__(self, rules: dict | None = None):
        self.rules = rules_with_defaults(rules)
        self._lsh = MinHashLSH(threshold=float(self.rules["similarity_threshold"]), num_perm=NUM_PERM)
        self._shingles: dict[Hashable, set[str]] = {}
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
        if items:
            self._lsh.insert(key, _minhash(items))

    def nearest(self, text: str, before=None) -> tuple[Hashable | None, float | None]:
        """The most similar post published before `before` (None: any) at or above the threshold, the earliest
        one on a tie; or (None, None)."""
        items = shingles(text, int(self.rules["shingle_size"]))
        if not items or not self._shingles:
            return None, None
        threshold = float(self.rules["similarity_threshold"])
        best, best_sim = None, None
        for key in sorted(self._lsh.query(_minhash(items)), key=self._order.__getitem__):
            at = self._order[key][1]
            if before is not None and at is not None and at >= before:
                continue
            sim = jaccard(items, self._shingles[key])
            if sim >= threshold and (best_sim is None or sim > best_sim):
                best, best_sim = key, sim
        return best, (round(best_sim, 4) if best_sim is not None else None)

    def check(self, text: str, before=None) -> Check:
        length, unit = text_length(text)
        keywords = matched_keywords(text, list(self.rules["trading_keywords"]))
        duplicate_of, similarity = self.nearest(text, before=before)
        return Check(
            length=length,
            length_unit=unit,
            long_enough=is_long_enough(text, self.rules),
            keywords=keywords,
            trading_related=bool(keywords),
            duplicate_of=duplicate_of,
            similarity=similarity,
        )
