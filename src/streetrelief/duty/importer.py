"""Import a duty roster from CSV: one shift per row, all or nothing.

Owns what a roster row means: ``region_code,station,role,person_name,contact,start_at,end_at``
with ISO 8601 times that carry a UTC offset and a blank station for the command centre.
Reading the file and naming bad rows is left to :mod:`streetrelief.core.tabular`; the rules of
a shift to ``duty.service.add_shift``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.tabular import ImportResult, Layout, read_records
from streetrelief.duty.schemas import ShiftCreate
from streetrelief.duty.service import add_shift

ROSTER_LAYOUT = Layout(
    required=("region_code", "role", "person_name", "start_at", "end_at"),
    optional=("station", "contact"),
    point=("lat", "lon"),  # rosters have no geometry; GeoJSON rosters are not expected
    key="",  # rows have no key of their own: one person has many shifts
)
"""Roster file fields."""


def import_roster(session: Session, path: Path, *, now: datetime) -> ImportResult:
    """Add every shift of a roster CSV; a bad row undoes the whole file.

    Args:
        path: CSV with columns ``region_code,role,person_name,start_at,end_at`` and optionally
            ``station`` (service point code; blank for the command centre) and ``contact``.
        now: when the import happens (aware).

    Returns:
        How many shifts were created.

    Raises:
        ImportFileError: a malformed row, an unknown region or station, a shift ending before
            it starts, or a person on two overlapping shifts (also within the file); names the
            file and line, and nothing of the file stays in the session.
        OSError: the file cannot be read.
    """
    result = ImportResult(path)
    with session.begin_nested():
        for record in read_records(path, ROSTER_LAYOUT):
            data = record.to_model(ShiftCreate)
            with record.blame():
                add_shift(session, data, now=now)
            result.created += 1
    return result
