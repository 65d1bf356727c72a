"""The shipped instruments, one module per family. ``INSTRUMENTS`` is in catalogue order."""

from __future__ import annotations

from alliance.instruments.catalogue.asq import ASQ
from alliance.instruments.catalogue.audit import AUDIT, AUDITC
from alliance.instruments.catalogue.core10 import CORE10
from alliance.instruments.catalogue.cssrs import CSSRS_SCREENER
from alliance.instruments.catalogue.dast import DAST10
from alliance.instruments.catalogue.epds import EPDS
from alliance.instruments.catalogue.gad import GAD2, GAD7
from alliance.instruments.catalogue.k10 import K10
from alliance.instruments.catalogue.ors_srs import ORS, SRS
from alliance.instruments.catalogue.pcl5 import PCL5
from alliance.instruments.catalogue.phq import PHQ2, PHQ9, PHQA
from alliance.instruments.catalogue.who5 import WHO5
from alliance.instruments.model import Instrument

INSTRUMENTS: tuple[Instrument, ...] = (
    PHQ9,
    PHQ2,
    GAD7,
    GAD2,
    PCL5,
    AUDIT,
    AUDITC,
    DAST10,
    CSSRS_SCREENER,
    ASQ,
    EPDS,
    K10,
    PHQA,
    ORS,
    SRS,
    WHO5,
    CORE10,
)
BY_CODE: dict[str, Instrument] = {instrument.code: instrument for instrument in INSTRUMENTS}
