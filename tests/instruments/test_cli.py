"""``alliance instruments ...`` run as a real process: one JSON object, exit 0 or 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alliance.instruments import score
from tests.instruments.test_fhir import load, response_for

ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, "instruments", *args], capture_output=True, text=True, timeout=60
    )


def output(process: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = process.stdout.strip().splitlines()
    assert len(lines) == 1, process.stdout
    data: dict[str, Any] = json.loads(lines[0])
    return data


def test_list_shows_every_instrument_and_whether_text_ships() -> None:
    process = run("list")

    assert process.returncode == 0
    rows = {line.split()[0]: line.split() for line in process.stdout.splitlines()[1:]}
    assert len(rows) == 17
    assert rows["phq9"][1:3] == ["10", "yes"]
    assert rows["epds"][1:3] == ["10", "no"]


def test_list_as_json() -> None:
    data = output(run("list", "--json"))

    codes = {entry["code"]: entry for entry in data["instruments"]}
    assert codes["cssrs_screener"]["requires_licence_switch"] is True
    assert codes["gad7"]["text_shipped"] is True


def test_score_prints_one_json_object_and_exits_0() -> None:
    process = run("score", "phq9", "[0,1,2,3,0,1,2,3,1]")

    assert process.returncode == 0
    assert output(process) == score("phq9", [0, 1, 2, 3, 0, 1, 2, 3, 1]).as_json()
    assert output(process)["critical_flags"] == ["phq9_item9_positive"]


def test_score_with_an_object_and_a_param() -> None:
    process = run("score", "auditc", '{"1": 1, "2": 1, "3": 1}', "--param", "sex=female")

    assert process.returncode == 0
    assert output(process)["severity"] == "positive"


def test_invalid_answers_exit_2_with_the_error_and_the_flags() -> None:
    process = run("score", "phq9", '[0,0,0,0,0,0,0,"x",2]')

    assert process.returncode == 2
    data = output(process)
    assert data["error"]["code"] == "invalid_value_type"
    assert data["error"]["item"] == "8"
    assert (data["total"], data["severity"]) == (None, None)
    assert data["critical_flags"] == ["phq9_item9_positive"]


@pytest.mark.parametrize(
    "args",
    [
        ("score", "nosuch", "[]"),
        ("score", "phq9", "[0,0"),
        ("score", "phq2", "[1,1]", "--param", "cutoff=9"),
        ("score", "phq2", "[1,1]", "--param", "cutoff"),
    ],
)
def test_usage_errors_exit_2_on_stderr(args: tuple[str, ...]) -> None:
    process = run(*args)

    assert process.returncode == 2
    assert process.stdout == ""
    assert process.stderr.startswith("alliance instruments:")


def test_change_with_totals_and_answers() -> None:
    totals = run("change", "phq9", "20", "9")
    answers = run("change", "phq9", "[3,3,3,3,3,3,3,3,0]", "[1,1,1,1,1,0,0,0,0]")

    assert totals.returncode == answers.returncode == 0
    assert output(totals)["reliable_change"] == "improvement"
    assert output(totals)["response_50pct"] is True
    assert output(answers)["change"] == -19


def test_change_params_and_errors() -> None:
    lowe = run("change", "phq9", "20", "15", "--param", "reliable_change_threshold=5")
    invalid = run("change", "phq9", "[0,0]", "3")
    no_total = run("change", "asq", "[0,0,0,0]", "[0,0,0,0]")

    assert output(lowe)["reliable_change"] == "improvement"
    assert invalid.returncode == 2
    assert output(invalid)["error"]["code"] == "wrong_item_count"
    assert no_total.returncode == 2


def test_score_response_prints_the_same_json_as_score(tmp_path: Path) -> None:
    questionnaire = load("pco-phq9-questionnaire.json")
    response = response_for(questionnaire, [1, 1, 1, 1, 1, 1, 1, 1, 0])
    response["item"].append({"linkId": "14372", "answer": [{"valueDecimal": 10}]})
    (tmp_path / "q.json").write_text(json.dumps(questionnaire))
    (tmp_path / "r.json").write_text(json.dumps(response))

    process = run("score-response", str(tmp_path / "q.json"), str(tmp_path / "r.json"))

    assert process.returncode == 0
    data = output(process)
    expected = score("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0]).as_json()
    assert data.pop("submitted_total_mismatch") == {"submitted": 10, "recomputed": 8}
    assert data == expected


def test_score_response_with_invalid_answers_exits_2(tmp_path: Path) -> None:
    questionnaire = load("us-core-phq9-questionnaire.json")
    (tmp_path / "q.json").write_text(json.dumps(questionnaire))
    (tmp_path / "r.json").write_text(json.dumps(response_for(questionnaire, [2] * 8)))

    process = run("score-response", str(tmp_path / "q.json"), str(tmp_path / "r.json"))

    assert process.returncode == 2
    assert output(process)["error"]["code"] == "missing_item"


def test_score_response_with_an_invalid_resource_exits_1(tmp_path: Path) -> None:
    (tmp_path / "q.json").write_text('{"resourceType": "Questionnaire"}')
    (tmp_path / "r.json").write_text('{"resourceType": "QuestionnaireResponse"}')

    process = run("score-response", str(tmp_path / "q.json"), str(tmp_path / "r.json"))

    assert process.returncode == 1
    assert "not valid FHIR" in process.stderr


def test_the_instruments_command_never_starts_django() -> None:
    code = (
        "import sys\n"
        "from alliance.cli import main\n"
        "status = main(['instruments', 'score', 'gad7', '[0,0,0,0,0,0,0]'])\n"
        "assert status == 0\n"
        "assert 'django' not in sys.modules, 'django was imported'\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )

    assert process.returncode == 0, process.stderr
