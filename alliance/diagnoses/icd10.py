"""ICD-10-CM codes through ``simple-icd-10-cm``: validation and search by code or words.

Never a hand-typed code list: every code, description and "billable" answer comes from the
library. Importing the library parses the whole code set (about two seconds), so it is imported
on first use, and the search index (billable codes and their folded description words) is built
once per process and cached.
"""

from __future__ import annotations

import bisect
import re
import warnings
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

from alliance.core.text import fold

CODE_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{0,4})?$")
# What a code prefix typed into the search box looks like ("F3", "F32", "f33.1").
PREFIX_PATTERN = re.compile(r"^[A-Z][0-9]([0-9A-Z](\.?[0-9A-Z]{0,4})?)?$")
WORD = re.compile(r"[a-z0-9]+")
# Words that only join others: ignored in a query so "disorder of sleep" still finds codes.
JOINING_WORDS = frozenset({"a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to"})
SUGGESTIONS = 6


@dataclass(frozen=True)
class Code:
    code: str
    description: str
    billable: bool

    @property
    def is_factor(self) -> bool:
        """Z-codes name factors influencing health status, not disorders."""
        return self.code.startswith("Z")


class CodeInvalid(ValueError):
    """Not a code, or not specific enough to record; ``message`` says what to do instead."""

    def __init__(self, message: str, suggestions: tuple[Code, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions


@cache
def _cm() -> ModuleType:
    # simple-icd-10-cm 1.5 loads its data with ``importlib.resources.read_text`` (which calls
    # ``open_text``), deprecated since Python 3.11 but working. Silence exactly those two
    # warnings, once, at import; anything else the library warns about still surfaces.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="(read|open)_text is deprecated",
            category=DeprecationWarning,
        )
        import simple_icd_10_cm

    return simple_icd_10_cm


def normalise(text: str) -> str:
    """``" f321 "`` -> ``"F32.1"``: upper case, dot after the category (as the library writes)."""
    code = "".join(text.split()).upper()
    if CODE_PATTERN.match(code) and "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def lookup(text: str) -> Code:
    """The billable code ``text`` names, or ``CodeInvalid`` with a message for the clinician."""
    cm: Any = _cm()
    code = normalise(text)
    if not code:
        raise CodeInvalid("Enter an ICD-10-CM code, or search for one by words.")
    if not CODE_PATTERN.match(code) or not cm.is_valid_item(code):
        raise CodeInvalid(f"{code} is not an ICD-10-CM code. Search by words to find the code.")
    if not cm.is_leaf(code):
        specific = tuple(
            Code(c, cm.get_description(c), True) for c in cm.get_descendants(code) if cm.is_leaf(c)
        )
        examples = ", ".join(c.code for c in specific[:SUGGESTIONS])
        more = ", …" if len(specific) > SUGGESTIONS else ""
        raise CodeInvalid(
            f"{code} ({cm.get_description(code)}) is a category, not a billable code: "
            f"pick a more specific code ({examples}{more}).",
            specific[:SUGGESTIONS],
        )
    return Code(code, cm.get_description(code), True)


def _words(text: str) -> list[str]:
    # ``fold`` normalises Unicode, which is slow over 75,000 descriptions; ASCII needs only
    # lower-casing, and gives the same words.
    return WORD.findall(text.lower() if text.isascii() else fold(text))


@dataclass(frozen=True)
class _Index:
    codes: tuple[str, ...]  # billable codes, in code order
    descriptions: tuple[str, ...]
    bare: tuple[str, ...]  # the same codes without their dot, for prefix search
    word_counts: tuple[int, ...]
    vocabulary: tuple[str, ...]  # every description word, sorted, for prefix lookups
    postings: dict[str, frozenset[int]]  # word -> positions in ``codes``


@cache
def _index() -> _Index:
    cm: Any = _cm()
    codes = tuple(sorted(c for c in cm.get_all_codes(with_dots=True) if cm.is_leaf(c)))
    descriptions = tuple(cm.get_description(c) for c in codes)
    postings: dict[str, set[int]] = {}
    counts = []
    for position, description in enumerate(descriptions):
        words = set(_words(description))
        counts.append(len(words))
        for word in words:
            postings.setdefault(word, set()).add(position)
    return _Index(
        codes=codes,
        descriptions=descriptions,
        bare=tuple(c.replace(".", "") for c in codes),
        word_counts=tuple(counts),
        vocabulary=tuple(sorted(postings)),
        postings={word: frozenset(found) for word, found in postings.items()},
    )


def _with_prefix(index: _Index, prefix: str) -> set[int]:
    """Positions of codes whose description has a word starting with ``prefix``."""
    found: set[int] = set()
    start = bisect.bisect_left(index.vocabulary, prefix)
    for word in index.vocabulary[start:]:
        if not word.startswith(prefix):
            break
        found |= index.postings[word]
    return found


def search(query: str, limit: int = 20) -> list[Code]:
    """Billable codes by code prefix ("F32", "f33.1") or by words, case and accents folded.

    Every word of the query must start a word of the description ("maj depress single" finds
    F32.x); the closest descriptions (fewest other words) come first.
    """
    text = query.strip()
    if not text or limit <= 0:
        return []
    index = _index()
    code = normalise(text).replace(".", "")
    if PREFIX_PATTERN.match(code):
        start = bisect.bisect_left(index.bare, code)
        end = bisect.bisect_right(index.bare, code + "\uffff")
        positions = list(range(start, min(end, start + limit)))
        if positions:
            return [Code(index.codes[p], index.descriptions[p], True) for p in positions]
    words = [w for w in _words(text) if w not in JOINING_WORDS]
    if not words:
        return []
    # The rarest words first: the candidate set shrinks fastest.
    sets = sorted((_with_prefix(index, w) for w in words), key=len)
    matches = set.intersection(*sets) if sets else set()
    ranked = sorted(matches, key=lambda p: (index.word_counts[p], p))[:limit]
    return [Code(index.codes[p], index.descriptions[p], True) for p in ranked]
