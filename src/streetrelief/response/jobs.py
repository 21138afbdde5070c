"""The reassessment job: decide every configured region's level now.

Safe to run twice or in two processes at once: each region is reassessed in a transaction of
its own with its row locked (`response.service.reassess_region`), so a level change is logged
once, and a region reassessed already by a later run is skipped with a logged reason.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from streetrelief.core.clock import Clock
from streetrelief.core.errors import StreetReliefError
from streetrelief.response import repository
from streetrelief.response.schemas import ReassessResult
from streetrelief.response.service import reassess_region

log = logging.getLogger(__name__)


def reassess_configured_regions(session: Session, *, clock: Clock) -> list[ReassessResult]:
    """Reassess each configured region from its warnings in force and latest stored reading.

    Commits after each region, so one region's refusal (e.g. a later run decided it already)
    leaves the others decided.

    Returns:
        The result of each region reassessed, by region code.
    """
    codes = [r.region_code for r in repository.in_region_subtree(session, None)]
    session.commit()  # nothing was written; ends the read
    results = []
    for code in codes:
        try:
            results.append(reassess_region(session, code, now=clock.now()))
            session.commit()
        except StreetReliefError as exc:
            session.rollback()
            log.warning("region %s not reassessed: %s", code, exc.detail)
    return results
