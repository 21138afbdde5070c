"""Pure arithmetic for statistics."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The ``pct``-th percentile by the nearest-rank method; None for no values.

    Source: nearest-rank definition (NIST/SEMATECH e-Handbook of Statistical Methods, 7.2.5.2):
    the smallest value with at least ``pct`` % of the data at or below it. It always returns an
    observed value, which is what response-time reports (NFPA 1225 "90 % within") compare.

    Raises:
        ValueError: ``pct`` outside (0, 100].
    """
    if not 0 < pct <= 100:
        msg = f"percentile {pct} outside (0, 100]"
        raise ValueError(msg)
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[rank - 1]


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when ``whole`` is zero."""
    return part / whole if whole else None
