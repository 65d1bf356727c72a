"""US English everywhere (issue 16): the codes, laws and crisis lines are US, so is the text.

A census of what a person reads: every template under ``alliance/web/templates`` and the string
literals of the product's Python code (labels, help texts, choice labels, validation messages,
CLI output, email and SMS text, the demo). Identifiers, URL paths, dotted module paths and
docstrings are left out: renaming the ``organisation`` app or the ``Licence`` model is not the
point, and stored choice values never change."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import alliance

ROOT = Path(alliance.__file__).parent

# British spelling -> what to write instead. Word-boundary regexes, matched case-insensitively.
BRITISH = {
    r"behaviours?": "behavior",
    r"behavioural(ly)?": "behavioral",
    r"enrol": "enroll",
    r"enrols": "enrolls",
    r"enrolment(s)?": "enrollment",
    r"hospitalis(e|es|ed|ing|ation|ations)": "hospitaliz-",
    r"organis(e|es|ed|ing|ation|ations|ational|er|ers)": "organiz-",
    r"authoris(e|es|ed|ing|ation|ations)": "authoriz-",
    r"unauthoris(e|ed)": "unauthoriz-",
    r"recognis(e|es|ed|ing|able)": "recogniz-",
    r"colours?": "color",
    r"centres?": "center",
    r"programmes?": "program",
    r"defences?": "defense",
    r"offences?": "offense",
    r"(sub)?licences?": "license",
    r"judgements?": "judgment",
    r"practis(e|es|ed|ing)": "practic-",
    r"analys(e|ed|ing)": "analyz-",
    r"summaris(e|es|ed|ing)": "summariz-",
    r"prioritis(e|es|ed|ing|ation)": "prioritiz-",
    r"minimis(e|es|ed|ing)": "minimiz-",
    r"(standard|final|categor|character|optim|custom|util|normal|real|apolog|special|critic"
    r"|memor|visual|synchron|initial|serial|sanit|personal|emphas|stabil|hospital|author"
    r"|catheter|computer|familiar|general|immun|legal|marginal|mobil|neutral|stigmat"
    r"|trivial|vandal|victim)is(e|es|ed|ing|ation|ations)": "-ize",
    r"catalogues?": "catalog",
    r"dialogues?": "dialog",
    r"(fav|hon|lab|neighb|rum|hum|tum|ard|od|vig|ferv|endeav|harb|rig|val|vap|parl|splend)"
    r"our(s|ed|ing|able|ably|ite|ites|hood)?": "-or",
    r"paediatrics?": "pediatric",
    r"anaesthe(tic|tics|sia|tist)": "anesthe-",
    r"oestrogen": "estrogen",
    r"diarrhoea": "diarrhea",
    r"fulfil(s|ment)?": "fulfill",
    r"instalments?": "installment",
    r"(travel|label|model|signal|counsel|level|fuel|cancel|channel|equal|total|tunnel)"
    r"l(ed|ing|er|ers|or|ors)": "single l",
    r"learnt": "learned",
    r"spelt": "spelled",
    r"whilst": "while",
    r"amongst": "among",
    r"greys?": "gray",
    r"cheques?": "check",
    r"artefacts?": "artifact",
    r"sceptic(al|ism)?": "skeptic",
    r"acknowledgements?": "acknowledgment",
    r"ageing": "aging",
    r"(met|lit|fib|theat)res?": "-er",
    r"moulds?": "mold",
    r"jewellery": "jewelry",
    r"sulphur": "sulfur",
    r"aluminium": "aluminum",
    r"manoeuvres?": "maneuver",
    r"foetus": "fetus",
    r"haemo\w*": "hemo-",
}
# "cancelled" is accepted US usage; issue 16 does not ask for "canceled".
ALLOWED = {"cancelled", "cancelling"}
# Names are spelled as their owners spell them (instrument attributions).
PROPER_NAMES = re.compile(
    r"Centre for Addiction and Mental\s+Health|Psychiatric Centre North Zealand"
    r"|Counselling and\s+Psychotherapy Research"
)
# Codes written into the append-only, hash-chained audit log (``detail``): stored values, like
# choice values, so that old and new rows still match one query.
STORED_CODES = {
    "mfa enrolment link",
    "no enrolment link",
    "mfa enrolment link issued",
    "licence saved",
}
PATTERN = re.compile(r"\b(" + "|".join(f"(?:{p})" for p in BRITISH) + r")\b", re.IGNORECASE)

# Where a string is known to be read by a person, even a single word ("Licence").
USER_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "label",
    "help_text",
    "empty_label",
    "message",
    "title",
    "placeholder",
    "subject",
    "body",
}
# Assigned in a class body: Meta.verbose_name, a form's or command's help (not AppConfig.label).
USER_ASSIGNMENTS = {"verbose_name", "verbose_name_plural", "help", "help_text", "title", "message"}
USER_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "pgettext",
    "ValidationError",
    "PermissionDenied",
    "CommandError",
    "Http404",
    "success",
    "info",
    "warning",
    "error",
    "add_error",
    "print",
    "echo",
    "write",
}
# Tokens that are code, not prose: dotted paths, URL paths, "app:view" names, placeholders.
CODE_TOKEN = re.compile(
    r"\S*\w[./:]\w\S*|/\S+|\{[^}]*\}|%\([^)]*\)[sd]|\b\w+_\w+\b|\{\{.*?\}\}|\{#.*?#\}",
    re.DOTALL,
)
SINGLE_TOKEN = re.compile(r"^\S*$")


def _offences(text: str) -> Iterator[str]:
    prose = CODE_TOKEN.sub(" ", PROPER_NAMES.sub(" ", text))
    for match in PATTERN.finditer(prose):
        if match.group(0).lower() not in ALLOWED:
            yield match.group(0)


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants: contracts for programmers, not text for users."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _user_facing(tree: ast.Module) -> set[int]:
    """Single-word strings that are labels by their position, not identifiers."""
    ids: set[int] = set()

    def mark(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                ids.add(id(sub))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in USER_CALLS:
                for arg in node.args:
                    mark(arg)
            for keyword in node.keywords:
                if keyword.arg in USER_KEYWORDS:
                    mark(keyword.value)
        elif isinstance(node, ast.Assign):
            names = {getattr(t, "id", None) for t in node.targets}
            if names & USER_ASSIGNMENTS:
                mark(node.value)
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            value, label = node.elts
            if isinstance(value, ast.Constant) and isinstance(label, ast.Constant | ast.Call):
                mark(label)  # (value, "Label") in choices; the stored value is left alone
    return ids


def _python_offences(path: Path) -> Iterator[str]:
    name = path.relative_to(ROOT.parent)
    for line, word in _source_offences(path.read_text("utf-8")):
        yield f"{name}:{line}: {word!r}"


def _source_offences(source: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(source)
    skip = _docstrings(tree)
    forced = _user_facing(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in skip or node.value in STORED_CODES:
            continue
        if SINGLE_TOKEN.match(node.value) and id(node) not in forced:
            continue  # an identifier, a key, a stored value
        for word in _offences(node.value):
            yield node.lineno, word


# Template syntax that is code: variables, tags other than translation, comments, and the
# attributes of HTML tags that a person does not read.
TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
TEMPLATE_TAG = re.compile(r"\{%(.*?)%\}", re.DOTALL)
HTML_TAG = re.compile(r"<[^>]*>", re.DOTALL)
READ_ATTRIBUTE = re.compile(r'\b(?:title|alt|aria-label|placeholder|content)="([^"]*)"')
TRANS_STRING = re.compile(r'^\s*(?:trans|translate|blocktrans|blocktranslate)\b.*?"([^"]*)"')


def _template_text(source: str) -> str:
    """The template with code blanked out, newlines kept so line numbers hold."""

    def blank(match: re.Match[str], keep: str = "") -> str:
        return keep + "\n" * match.group(0).count("\n")

    source = TEMPLATE_CODE.sub(blank, source)
    source = TEMPLATE_TAG.sub(
        lambda m: blank(m, " ".join(TRANS_STRING.findall(m.group(1)))), source
    )
    return HTML_TAG.sub(lambda m: blank(m, " ".join(READ_ATTRIBUTE.findall(m.group(0)))), source)


def _template_offences(path: Path) -> Iterator[str]:
    for number, line in enumerate(_template_text(path.read_text("utf-8")).splitlines(), 1):
        for word in _offences(line):
            yield f"{path.relative_to(ROOT.parent)}:{number}: {word!r}"


def _python_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts]


def test_the_census_finds_what_it_should() -> None:
    """The scanner itself: prose is caught, identifiers and paths are not (issue 16)."""
    assert list(_offences("Enrolment in the programme")) == ["Enrolment", "programme"]
    assert list(_offences("Behavioural health organisation")) == [
        "Behavioural",
        "organisation",
    ]
    assert not list(_offences("alliance.organisation.models licence_number /staff/licences/"))
    assert not list(_offences("Appointment cancelled"))
    source = '<a href="/organisation/" title="Licence">{{ licence }}</a>{% url "enrol" %}'
    assert _template_text(source).split() == ["Licence"]
    module = (
        '"""Organisation of the behaviour module."""\n'
        "from alliance import organisation\n"
        'kind = models.CharField("licence kind", choices=[("enrol", "Enrolment")])\n'
        'x = getattr(organisation, "licence")\n'
        'raise ValidationError("Not recognised")\n'
    )
    assert sorted(_source_offences(module)) == [
        (3, "Enrolment"),
        (3, "licence"),
        (5, "recognised"),
    ]


def test_every_template_is_us_english() -> None:
    """Issue 16: templates say behavior, enroll, hospitalization, license, organization."""
    offences = [
        o
        for p in sorted((ROOT / "web" / "templates").rglob("*"))
        if p.is_file()
        for o in _template_offences(p)
    ]
    assert not offences, "\n".join(offences)


def test_every_user_facing_python_string_is_us_english() -> None:
    """Issue 16: labels, help texts, choice labels, messages, CLI output and the demo."""
    offences = [o for p in _python_files() for o in _python_offences(p)]
    assert not offences, "\n".join(offences)
