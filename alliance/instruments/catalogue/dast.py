"""DAST-10, the Drug Abuse Screening Test (INSTRUMENTS.md 4.8). Scoring only, keyed by item."""

from __future__ import annotations

from alliance.instruments.catalogue.common import YES_NO, bands, items
from alliance.instruments.model import ChangeThresholds, Instrument

DAST10 = Instrument(
    code="dast10",
    name="DAST-10 (Drug Abuse Screening Test, 10 items)",
    # Yes scores 1, except item 3 ("always able to stop…?"), where no scores 1.
    items=items(10, "yesno", YES_NO, reverse=(3,)),
    total_range=(0, 10),
    bands=bands(
        ("none", 0, 0),
        ("low", 1, 2),
        ("moderate", 3, 5),
        ("substantial", 6, 8),
        ("severe", 9, 10),
    ),
    critical_rules=(),
    loinc_panel="82666-9",
    loinc_total="82667-7",
    text_licensed=False,
    attribution="DAST-10 © 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental "
    "Health (CAMH). Skinner HA. Addict Behav 1982;7:363-371.",
    licence_note="Reproduction for non-commercial use with credit to the author; no open "
    "license. Alliance ships the scoring and item numbers only (INSTRUMENTS.md 7).",
    change=ChangeThresholds(lower_is_better=True),
)
