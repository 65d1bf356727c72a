"""URLs of views that take ids, reversed once per view and then filled in.

Django's ``reverse`` walks the URL resolver on every call (about 170 Python calls). The chart
has some forty links and a search page one per result, and together they cost more than
several of the page's queries. The path of a view whose arguments are ids is the same text
with other digits, so ``url_for`` reverses each view once with sentinel ids, keeps the text
around them, and puts the real ids in. Anything else (a slug, a keyword argument, a negative
number) goes to ``reverse`` as before.

Only the row builders (``web/templatetags/chart_rows.py``, ``list_rows.py``) call it, for the
links of long lists; templates use Django's own ``{% url %}``. ``tests/web/test_reversing.py``
compares it with ``reverse`` for every view of the site.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, get_script_prefix, reverse

# Digits no path of ours contains; one per position, so the order of the pieces is known.
_SENTINELS = (8642097531, 8642097532, 8642097533, 8642097534)
_pieces: dict[tuple[str, int, str | None, str], tuple[str, ...] | None] = {}


def _split(viewname: str, count: int, current_app: str | None) -> tuple[str, ...] | None:
    """The path of ``viewname`` cut where each of its ``count`` ids goes, or None when the
    ids do not each appear exactly once (that view is always reversed by Django)."""
    try:
        path = reverse(viewname, args=_SENTINELS[:count], current_app=current_app)
    except NoReverseMatch:  # a pattern narrower than "any digits"
        return None
    pieces: list[str] = []
    rest = path
    for sentinel in map(str, _SENTINELS[:count]):
        if rest.count(sentinel) != 1:
            return None
        before, rest = rest.split(sentinel)
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def url_for(viewname: str, *args: object, current_app: str | None = None) -> str:
    """``reverse(viewname, args=args)``, without the resolver's walk when the args are ids."""
    if len(args) > len(_SENTINELS) or not all(type(a) is int and a >= 0 for a in args):
        return reverse(viewname, args=args, current_app=current_app)
    key = (viewname, len(args), current_app, get_script_prefix())
    if key not in _pieces:
        _pieces[key] = _split(viewname, len(args), current_app)
    pieces = _pieces[key]
    if pieces is None:
        return reverse(viewname, args=args, current_app=current_app)
    out = [pieces[0]]
    for value, piece in zip(args, pieces[1:], strict=True):
        out.append(str(value))
        out.append(piece)
    return "".join(out)
