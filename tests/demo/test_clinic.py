"""The demo clinic's printed logins say who supervises whom."""

from __future__ import annotations

import pytest

from alliance import cli
from alliance.demo.clinic import demo_build, demo_logins_text
from alliance.staff.models import SupervisionLink

pytestmark = pytest.mark.django_db


def test_the_logins_name_each_supervisor_and_their_supervisees() -> None:
    # given the demo clinic
    result = demo_build(clients=4, seed=7)

    # when its logins are printed
    text = demo_logins_text(result)

    # then every supervision link of the demo is there, after the logins
    lines = text.splitlines()
    heading = lines.index(
        "Supervision (supervisors co-sign their supervisees' notes and diagnoses):"
    )
    # in the order of the logins above
    assert lines[heading + 1 : heading + 3] == [
        "  praman      supervises mellery",
        "  hokafor     supervises jreyes, tmorgan",
    ]
    assert heading > max(i for i, line in enumerate(lines) if "-Alliance-demo" in line)
    links = {(s.supervisor.username, s.supervisee.username) for s in SupervisionLink.objects.all()}
    assert links == {("hokafor", "jreyes"), ("hokafor", "tmorgan"), ("praman", "mellery")}


def test_an_ended_supervision_is_not_printed() -> None:
    result = demo_build(clients=4, seed=7)
    SupervisionLink.objects.filter(supervisor__username="praman").update(
        end_on="2000-01-01", start_on="1999-01-01"
    )

    text = demo_logins_text(result)

    assert "hokafor     supervises jreyes, tmorgan" in text
    assert "praman      supervises" not in text


def test_alliance_demo_prints_the_supervision_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # cmd_demo sets these defaults in the environment; keep them to this test
    monkeypatch.setenv("ALLIANCE_REQUIRE_MFA", "0")
    monkeypatch.setenv("ALLIANCE_DEMO", "1")

    code = cli.main(["demo", "--no-serve", "--clients", "4"])

    assert code == 0
    out = capsys.readouterr().out
    assert "hokafor     hokafor-Alliance-demo" in out
    assert "  praman      supervises mellery\n  hokafor     supervises jreyes, tmorgan\n" in out
