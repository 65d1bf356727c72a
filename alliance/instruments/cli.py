"""``alliance instruments ...``: list, score, change and score-response, without Django.

``score`` and ``score-response`` print one JSON object and exit 0, or 2 when the answers are
invalid (the JSON then has ``error`` set and still carries the critical flags). Usage errors
(unknown instrument, unreadable JSON, bad parameter) print a message on stderr and exit 2;
resources that are not valid FHIR, or cannot be scored, exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from alliance.instruments import (
    InstrumentInputError,
    InvalidParameter,
    NoTotal,
    UnknownInstrument,
    catalogue,
    change,
    score,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2


def _emit(payload: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    sys.stderr.write(f"alliance instruments: {message}\n")
    return code


def _params(pairs: list[str] | None) -> dict[str, object]:
    params: dict[str, object] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InvalidParameter(f"--param takes NAME=VALUE, not {pair!r}")
        params[name.strip()] = value.strip()
    return params


def _json_argument(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} is not valid JSON: {error.msg}") from None


def cmd_list(args: argparse.Namespace) -> int:
    instruments = catalogue()
    if args.json:
        _emit(
            {
                "instruments": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "items": len(i.items),
                        "scored_items": len(i.scored_items),
                        "text_shipped": i.text_shipped,
                        "text_licensed": i.text_licensed,
                        "requires_licence_switch": i.requires_licence_switch,
                        "loinc_panel": i.loinc_panel,
                        "loinc_total": i.loinc_total,
                    }
                    for i in instruments
                ]
            }
        )
        return EXIT_OK
    width = max(len(i.code) for i in instruments)
    lines = [f"{'CODE':<{width}}  ITEMS  TEXT  NAME"]
    for i in instruments:
        shipped = "yes" if i.text_shipped else "no"
        lines.append(f"{i.code:<{width}}  {len(i.items):>5}  {shipped:<4}  {i.name}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    try:
        answers = _json_argument(args.answers, "ANSWERS_JSON")
        result = score(args.code, answers, **_params(args.param))
    except InstrumentInputError as error:
        _emit(error.as_json())
        return EXIT_INVALID
    except (UnknownInstrument, InvalidParameter, ValueError) as error:
        return _fail(str(error))
    _emit(result.as_json())
    return EXIT_OK


def cmd_change(args: argparse.Namespace) -> int:
    try:
        baseline = _json_argument(args.baseline, "BASELINE")
        followup = _json_argument(args.followup, "FOLLOWUP")
        result = change(args.code, baseline, followup, **_params(args.param))
    except InstrumentInputError as error:
        _emit(error.as_json())
        return EXIT_INVALID
    except (UnknownInstrument, InvalidParameter, NoTotal, ValueError) as error:
        return _fail(str(error))
    _emit(result.as_json())
    return EXIT_OK


def _read_json(path: str) -> Any:
    try:
        # utf-8-sig: some exported resources begin with a byte-order mark.
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error.msg}") from None


def cmd_score_response(args: argparse.Namespace) -> int:
    from alliance.instruments.fhir import FhirInputError, score_response

    try:
        questionnaire = _read_json(args.questionnaire)
        response = _read_json(args.response)
        params = _params(args.param)
    except (ValueError, InvalidParameter) as error:
        return _fail(str(error))
    try:
        result = score_response(questionnaire, response, instrument=args.instrument, **params)
    except InstrumentInputError as error:
        _emit(error.as_json())
        return EXIT_INVALID
    except FhirInputError as error:
        return _fail(str(error), EXIT_FAILED)
    except (UnknownInstrument, InvalidParameter) as error:
        return _fail(str(error))
    _emit(result.as_json())
    return EXIT_OK


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add ``instruments`` and its subcommands to the ``alliance`` command's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "instruments", help="score questionnaires (PHQ-9, GAD-7, ...) without a database"
    )
    sub = parser.add_subparsers(dest="instruments_command", required=True)

    listing = sub.add_parser("list", help="the instruments: code, name, items, text shipped")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=cmd_list)

    scoring = sub.add_parser("score", help="score one administration; prints one JSON object")
    scoring.add_argument("code", help="instrument code, e.g. phq9")
    scoring.add_argument(
        "answers", metavar="ANSWERS_JSON", help="a list in item order or an object keyed by item id"
    )
    scoring.add_argument("--param", action="append", metavar="NAME=VALUE")
    scoring.set_defaults(func=cmd_score)

    changing = sub.add_parser("change", help="change between two administrations")
    changing.add_argument("code")
    changing.add_argument("baseline", metavar="BASELINE", help="answers JSON or a total")
    changing.add_argument("followup", metavar="FOLLOWUP", help="answers JSON or a total")
    changing.add_argument("--param", action="append", metavar="NAME=VALUE")
    changing.set_defaults(func=cmd_change)

    response = sub.add_parser(
        "score-response", help="score a FHIR QuestionnaireResponse against its Questionnaire"
    )
    response.add_argument("questionnaire", metavar="QUESTIONNAIRE_FILE")
    response.add_argument("response", metavar="RESPONSE_FILE")
    response.add_argument("--instrument", help="the instrument, when the form does not say")
    response.add_argument("--param", action="append", metavar="NAME=VALUE")
    response.set_defaults(func=cmd_score_response)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``alliance instruments`` on its own (``python -m alliance.instruments.cli``)."""
    parser = argparse.ArgumentParser(prog="alliance")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
