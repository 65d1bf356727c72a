"""Helpers for the instrument tests: answers that reach a chosen total, and a scoring shortcut."""

from __future__ import annotations

import pytest

from alliance.instruments import InstrumentInputError, Item, ScoreResult, get, score


def answers_for_total(code: str, total: int, *, avoid: tuple[str, ...] = ()) -> dict[str, int]:
    """Answers to every scored item (before keying) whose keyed scores add up to ``total``.

    Points go to the first items first; items in ``avoid`` (critical items) stay at their
    lowest score unless the total cannot be reached without them.
    """
    instrument = get(code)

    def gappy(item: Item) -> bool:
        scores = sorted(item.key(value) for value in item.legal_values)
        return scores != list(range(int(scores[0]), int(scores[0]) + len(scores)))

    # Items with gaps in their scores (AUDIT 9-10: 0, 2, 4) first, critical items last.
    items = [item for item in instrument.scored_items if item.id not in avoid]
    items.sort(key=lambda item: not gappy(item))
    items += [item for item in instrument.scored_items if item.id in avoid]
    remaining = total - sum(item.minimum for item in items)
    answers: dict[str, int] = {}
    for item in items:
        scores = sorted({int(item.key(value)) for value in item.legal_values})
        chosen = max((s for s in scores if s - scores[0] <= remaining), default=scores[0])
        remaining -= chosen - scores[0]
        # The answer that gives this keyed score.
        answers[item.id] = next(v for v in item.legal_values if item.key(v) == chosen)
    assert remaining == 0, f"cannot reach {total} on {code}"
    return answers


def rejected(code: str, answers: object, **params: object) -> InstrumentInputError:
    with pytest.raises(InstrumentInputError) as caught:
        score(code, answers, **params)
    return caught.value


def scored(code: str, answers: object, **params: object) -> ScoreResult:
    return score(code, answers, **params)
