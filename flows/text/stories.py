"""Stories: what the workers store of an article's text so that dbt can tell copies apart from
independent articles: its shingles' MinHash signature. Nothing here reads a seed; which
articles are one story (bands, candidate pairs, thresholds) is decided in dbt
(int_stories__*), from the signatures alone.

- **Shingles** are runs of ``WORD_SHINGLE`` consecutive words (NFKC, case-folded, punctuation
  and typography dropped), or of ``CHARACTER_SHINGLE`` consecutive characters where words have
  no spaces (Chinese, Japanese, Korean: a text whose words are mostly such characters).
- **The signature** is the minimum of ``PERMUTATIONS`` hash functions over the shingles' hashes
  (MinHash): the share of positions on which two signatures agree estimates the Jaccard
  similarity of the two shingle sets, and with the shingle counts stored beside it, how much
  of the shorter text the longer one contains.

``SKETCH_VERSION`` names these rules; the signature of a stored text made with other rules is
made again from the stored text (flows/warehouse/analyses.py), nothing fetched.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

from flows.core.records import Signature

WORD_SHINGLE = 5  # words per shingle where words are spaced
CHARACTER_SHINGLE = 4  # characters per shingle where they are not
PERMUTATIONS = 128
SEED = 2027
SKETCH_VERSION = f"minhash-{PERMUTATIONS}/w{WORD_SHINGLE}c{CHARACTER_SHINGLE}/1"
# A text is read in characters when at least this share of its tokens are characters of a
# script written without spaces.
UNSPACED_SHARE = 0.5

# Characters of the scripts written without spaces (Han, kana, Hangul: flows/text/tokens.py
# UNSPACED, as code point ranges): each is a token of its own; other tokens are runs of letters
# and digits. The standard library's engine: three times faster than the regex module's here.
_UNSPACED_RANGES = (
    "\u1100-\u11ff\u3005\u3040-\u30fa\u30fc-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
_UNSPACED_CHARACTER = re.compile(f"[{_UNSPACED_RANGES}]")
_TOKEN = re.compile(f"[{_UNSPACED_RANGES}]|[^\\W_{_UNSPACED_RANGES}]+")
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def _constant(name: str) -> int:
    """A fixed 64-bit number from a name: the same in every process and with every numpy (a
    random generator's stream may change between versions, and stored signatures must not)."""
    digest = hashlib.blake2b(f"{SEED}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


# Multiply-shift hashing ((a*x + b) mod 2^64) >> 32: a 2-universal family of 32-bit hashes,
# one (a, b) per permutation; a is odd.
_A = np.array([_constant(f"a{i}") | 1 for i in range(PERMUTATIONS)], dtype=np.uint64)
_B = np.array([_constant(f"b{i}") for i in range(PERMUTATIONS)], dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # combines the tokens of a shingle (golden ratio)


def words(text: str) -> tuple[list[str], bool]:
    """The text's tokens (NFKC, case-folded) and whether it is read in characters."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    tokens = _TOKEN.findall(normal)
    unspaced = len(_UNSPACED_CHARACTER.findall(normal))
    return tokens, bool(tokens) and unspaced >= UNSPACED_SHARE * len(tokens)


@lru_cache(maxsize=1 << 15)
def _token_hash(token: str) -> int:
    """A token's 64-bit hash (kept: a worker meets the same words in every article). 32,768
    words: the frequent ones stay, and the cache holds ~6 MiB at most in a worker (each
    entry ~200 bytes; the benchmark's 3,000 articles meet 9,000 words)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 64-bit hashes of the text's shingles (a text shorter than one shingle is
    one shingle)."""
    tokens, unspaced = words(text)
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    size = CHARACTER_SHINGLE if unspaced else WORD_SHINGLE
    hashed = np.fromiter((_token_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    count = max(1, len(hashed) - size + 1)
    shingles = hashed[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, min(size, len(hashed))):
            shingles = shingles * _MIX + hashed[offset : offset + count]
    return np.unique(shingles)


def minhash(hashes: np.ndarray) -> tuple[int, ...]:
    """The MinHash signature of a set of 64-bit shingle hashes (empty set: no signature)."""
    if not len(hashes):
        return ()
    keys = (hashes >> _SHIFT) ^ (hashes & _MASK32)  # 32-bit keys for multiply-shift
    with np.errstate(over="ignore"):
        values = (keys[:, None] * _A[None, :] + _B[None, :]) >> _SHIFT
    return tuple(int(v) for v in values.min(axis=0))


def sign(text: str | None) -> Signature | None:
    """The signature of an article's text, or None when it has no words."""
    if not text:
        return None
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    return Signature(SKETCH_VERSION, len(hashes), minhash(hashes))


def similarity(a: Signature, b: Signature) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger) estimated from two signatures: the
    same arithmetic as dbt's int_stories__pairs (for tests and measurement)."""
    agree = sum(1 for x, y in zip(a.minhashes, b.minhashes, strict=True) if x == y)
    jaccard = agree / len(a.minhashes)
    smaller = min(a.shingle_count, b.shingle_count)
    shared = jaccard * (a.shingle_count + b.shingle_count) / (1 + jaccard)
    return jaccard, min(1.0, shared / smaller)
