"""Builders for reports: the JSON body a channel posts to ``/api/v1/reports``."""

from __future__ import annotations

from collections.abc import Sequence

from streetrelief.core.clock import Clock


def report_body(
    clock: Clock,
    *,
    channel: str = "hotline",
    reported_at: str | None = None,
    lat: float = 39.9175,
    lon: float = 116.4170,
    description: str = "老人躺在地下通道口",
    conditions: Sequence[str] = ("elderly",),
    people_count: int = 1,
    **extra: object,
) -> dict[str, object]:
    """A hotline report of one elderly person in 东城 (110101), seen at ``clock.now()``.

    Values go into the body as given, so a test can send bad ones (``lat=91``,
    ``channel="carrier_pigeon"``); ``extra`` adds further fields, known or not.
    """
    body: dict[str, object] = {
        "channel": channel,
        "reported_at": clock.now().isoformat() if reported_at is None else reported_at,
        "lat": lat,
        "lon": lon,
        "description": description,
        "conditions": list(conditions),
        "people_count": people_count,
    }
    body.update(extra)
    return body
