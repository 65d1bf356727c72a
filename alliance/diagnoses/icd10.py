"""ICD-10-CM codes through ``simple-icd-10-cm``: validation and search by code or words.

Never a hand-typed code list: every code, description and "billable" answer comes from the
library. Importing the library parses the whole code set (about two seconds) and building the
search index (billable codes and their folded description words) takes most of another second,
so each web process starts both in a background thread as it starts (``warm_up``, called by
``alliance.config.wsgi``): the server answers at once, and a search or lookup that comes before
the index is ready waits for that build rather than starting a second one. Other processes
(commands, the task worker, tests) import the library only if they use it.

Search ranks for a mental health clinic: mental and behavioural codes (F01-F99) first, then the
Z-codes of psychosocial circumstances and mental health encounters (``FACTOR_PREFIXES``), then
the rest; within each group the closest descriptions first.
"""

from __future__ import annotations

import bisect
import re
import threading
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

# Z-codes a mental health team records, ranked after the F codes and before every other code.
# The psychosocial and social-needs codes (Z55-Z65, less Z57, occupational exposure to dust or
# noise) and the other conditions that may be a focus of clinical attention of DSM-5-TR.
FACTOR_PREFIXES = (
    "Z55",  # education and literacy
    "Z56",  # employment and unemployment
    "Z58",  # physical environment (e.g. basic services unavailable)
    "Z59",  # housing and economic circumstances (homelessness, food insecurity)
    "Z60",  # social environment (living alone, exclusion, discrimination)
    "Z62",  # upbringing (child in welfare custody, parent-child relational problem)
    "Z63",  # primary support group (relationship distress, bereavement)
    "Z64",  # psychosocial circumstances (unwanted pregnancy, discord with social services)
    "Z65",  # other psychosocial circumstances (legal, imprisonment, victim of crime, war)
    "Z69",  # mental health services for victims and perpetrators of abuse
    "Z70",  # counseling on sexual attitude, behavior and orientation
    "Z71.4",  # alcohol abuse counseling
    "Z71.5",  # drug abuse counseling
    "Z71.6",  # tobacco abuse counseling
    "Z72",  # lifestyle (tobacco use, gambling, antisocial behavior)
    "Z73",  # life management difficulty (burn-out, stress)
    "Z75.3",  # health care unavailable or inaccessible
    "Z75.4",  # other helping agencies unavailable or inaccessible
    "Z76.5",  # malingering
    "Z13.3",  # screening for mental health and behavioral disorders (depression, autism)
    "Z04.6",  # psychiatric examination requested by authority
    "Z81.8",  # family history of mental and behavioral disorders
    "Z86.5",  # personal history of mental and behavioral disorders
    "Z91.1",  # nonadherence to treatment
    "Z91.4",  # personal history of psychological trauma and abuse
    "Z91.5",  # personal history of self-harm and suicidal behavior
    "Z91.82",  # personal history of military deployment
    "Z91.83",  # wandering in diseases classified elsewhere
)
# Search groups, first to last.
MENTAL, FACTOR, OTHER = 0, 1, 2


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


# Held while the library is imported or the index built: a second caller waits for the first
# build instead of repeating it, and ``warnings.catch_warnings`` (process-wide) is never entered
# by two threads at once.
_building = threading.RLock()
_index_built = threading.Event()


def _cm() -> ModuleType:
    with _building:
        return _imported()


@cache
def _imported() -> ModuleType:
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
    groups: tuple[int, ...]  # MENTAL, FACTOR or OTHER
    vocabulary: tuple[str, ...]  # every description word, sorted, for prefix lookups
    postings: dict[str, frozenset[int]]  # word -> positions in ``codes``


def group_of(code: str) -> int:
    """``MENTAL`` for F01-F99, ``FACTOR`` for the Z-codes of ``FACTOR_PREFIXES``, else ``OTHER``."""
    if code.startswith("F"):
        return MENTAL
    if code.startswith(FACTOR_PREFIXES):
        return FACTOR
    return OTHER


def _index() -> _Index:
    if not _index_built.is_set():
        with _building:
            _built_index()
            _index_built.set()
    return _built_index()


@cache
def _built_index() -> _Index:
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
        groups=tuple(group_of(c) for c in codes),
        vocabulary=tuple(sorted(postings)),
        postings={word: frozenset(found) for word, found in postings.items()},
    )


def warm_up() -> threading.Thread:
    """Import the code set and build the search index in a background (daemon) thread.

    Each web process calls it once as it starts; ``index_ready`` tells when it is done.
    """
    thread = threading.Thread(target=_index, name="icd10-warm-up", daemon=True)
    thread.start()
    return thread


def index_ready(timeout: float = 0) -> bool:
    """Whether this process's search index is built, waiting up to ``timeout`` seconds."""
    return _index_built.wait(timeout)


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
    F32.x). Mental and behavioural codes come first, then the mental health Z-codes, then the
    rest (``group_of``); within each, the closest descriptions (fewest other words) first. A
    code prefix lists its codes in code order.
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
    ranked = sorted(matches, key=lambda p: (index.groups[p], index.word_counts[p], p))[:limit]
    return [Code(index.codes[p], index.descriptions[p], True) for p in ranked]
