"""Replaying per-night weather under a response policy.

Owns the walk over ``weather.observations.nightly_minimums`` output, one evaluation per night
with the state carried between nights, for observation-driven presets (Toronto, NYC Code Blue,
UK SWEP). Reading the files and the rules themselves are left to ``weather.observations`` and
``response.policy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from streetrelief.response.decision import EARLIER_NIGHTS, Conditions, ResponseState, Trigger
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.policy import ResponsePolicy, evaluate
from streetrelief.weather.observations import NightSummary

NOON = time(12, 0)


@dataclass(frozen=True, slots=True)
class NightLevel:
    """The level of one night in a replay, and what called for it."""

    night_on: date
    level: ResponseLevel
    called_for: ResponseLevel
    trigger: Trigger
    min_temperature_c: float
    min_feels_like_c: float


def replay_nights(
    policy: ResponsePolicy,
    nights: Sequence[NightSummary],
    *,
    zone: tzinfo,
    evaluate_at: time = time(0, 0),
) -> list[NightLevel]:
    """Replay per-night minimums (from ``weather.observations.nightly_minimums``) under a policy.

    Each night is evaluated once, with no warnings, at ``evaluate_at`` local time following
    its evening (midnight by default, inside every night window), using the night's minimum air
    temperature and minimum feels-like (as the wind chill), with the minimum air temperatures
    of the nights just before it (up to a week, back to the first missing night) for rules over
    several days. The state carries from night to night, so the hold applies between nights.

    Args:
        policy: an observation-driven policy (Toronto, NYC Code Blue, UK SWEP, or China with a
            province's local rules).
        nights: night summaries ordered by date.
        zone: the local time zone the nights were cut in.
        evaluate_at: local time of each night's evaluation; before noon means the morning
            after ``night_on``, otherwise the evening of ``night_on``.

    Returns:
        One entry per night, in order.
    """
    state: ResponseState | None = None
    out = []
    earlier: list[float] = []
    previous: date | None = None
    for night in nights:
        if previous is None or night.night_on - previous != timedelta(days=1):
            earlier.clear()
        day = night.night_on + timedelta(days=1) if evaluate_at < NOON else night.night_on
        at = datetime.combine(day, evaluate_at, tzinfo=zone)
        conditions = Conditions(
            night.min_temperature_c,
            night.min_feels_like_c,
            evaluate_at,
            earlier_min_temperatures_c=tuple(earlier[-EARLIER_NIGHTS:]),
        )
        earlier.append(night.min_temperature_c)
        del earlier[:-EARLIER_NIGHTS]
        previous = night.night_on
        decision = evaluate(policy, at=at, observation_or_forecast=conditions, state=state)
        state = decision.state
        out.append(
            NightLevel(
                night_on=night.night_on,
                level=decision.level,
                called_for=decision.called_for.level,
                trigger=decision.trigger,
                min_temperature_c=night.min_temperature_c,
                min_feels_like_c=night.min_feels_like_c,
            )
        )
    return out
