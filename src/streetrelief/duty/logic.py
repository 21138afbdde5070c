"""Pure interval arithmetic of the roster: merging shifts and finding the uncovered periods."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def merge_intervals(
    intervals: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Merge overlapping or touching half-open intervals ``[start, end)``.

    Args:
        intervals: (start, end) pairs, aware datetimes; empty ones (end <= start) are dropped.

    Returns:
        Disjoint intervals in time order; touching ones (one ends as the next starts) are joined.
    """
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def coverage_gaps(
    covered: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` that no interval of ``covered`` covers.

    Args:
        covered: half-open (start, end) intervals, aware datetimes, in any order; may overlap.
        start: beginning of the window looked at, aware.
        end: end of the window, aware; an empty window has no gaps.

    Returns:
        The uncovered periods, merged, in time order, clipped to the window.
    """
    gaps: list[tuple[datetime, datetime]] = []
    cursor = start
    for s, e in merge_intervals(covered):
        if e <= cursor:
            continue
        if s >= end:
            break
        if s > cursor:
            gaps.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
