"""The plain data a response evaluation reads and returns: warnings, readings, triggers, state.

Owns the shapes passed into ``response.policy.evaluate`` (warnings in hand, a reading or
forecast, a leader's override, the carried state) and the ``Decision`` it returns. The rules
that turn them into a level live in ``response.policy``; where warnings and readings come from
is left to the weather domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum

from streetrelief.core.errors import InvalidInputError
from streetrelief.response.levels import Colour, ResponseLevel

EARLIER_NIGHTS = 6
"""Nights before the one evaluated whose minimums are passed on (a rule spans at most 7 days)."""


@dataclass(frozen=True, slots=True)
class ActiveWarning:
    """An official warning as the policy sees it.

    ``event_code`` / ``event_name`` are matched against the rules' events; ``colour`` is the
    signal colour or awareness level; ``onset`` and ``expires`` are aware UTC or None.
    """

    identifier: str
    event_code: str
    event_name: str
    colour: Colour | None
    onset: datetime | None = None
    expires: datetime | None = None
    severity: str | None = None
    is_cancelled: bool = False

    def is_in_force(self, at: datetime, lead: timedelta = timedelta(0)) -> bool:
        """Whether the warning counts at ``at``: not cancelled, begun (less lead), not expired."""
        if self.is_cancelled:
            return False
        if self.onset is not None and at < self.onset - lead:
            return False
        return self.expires is None or at < self.expires


@dataclass(frozen=True, slots=True)
class Conditions:
    """A reading or forecast at one moment: air, wind chill (None if undefined), local time.

    ``earlier_min_temperatures_c`` holds the minimum air temperature of each of the days just
    before this one, consecutive and oldest first (empty when unknown); rules that need a
    cold spell of several days read it.
    """

    temperature_c: float
    wind_chill_c: float | None
    local_time: time
    earlier_min_temperatures_c: tuple[float, ...] = ()

    @property
    def feels_like_c(self) -> float:
        """Wind chill where known, else the air temperature; never above the air, °C."""
        if self.wind_chill_c is None:
            return self.temperature_c
        return min(self.wind_chill_c, self.temperature_c)


class TriggerKind(StrEnum):
    """What set a level."""

    warning = "warning"
    condition = "condition"
    override = "override"
    none = "none"


@dataclass(frozen=True, slots=True)
class Trigger:
    """Why a level was called for: the rule, and the warning or reading that met it."""

    kind: TriggerKind
    level: ResponseLevel
    rule: str | None = None
    source: str | None = None
    warning: str | None = None
    reading_c: float | None = None
    reason: str = ""
    at: datetime | None = None


NO_TRIGGER = Trigger(TriggerKind.none, ResponseLevel.none, reason="nothing calls for a level")


@dataclass(frozen=True, slots=True)
class Override:
    """A leader's decision that wins over the policy until ``until`` (aware UTC)."""

    level: ResponseLevel
    reason: str
    until: datetime
    by: str = ""

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidInputError("an override needs a reason")
        if self.until.utcoffset() is None:
            raise InvalidInputError("override until must be an aware datetime")


@dataclass(frozen=True, slots=True)
class ResponseState:
    """What the evaluation carries between calls.

    ``last_called`` holds, per level (IV … I), the latest trigger that called for that level or
    a higher one, still inside the hold time; ``level`` is the level last decided.
    """

    level: ResponseLevel = ResponseLevel.none
    last_called: tuple[Trigger, ...] = ()
    override: Override | None = None
    evaluated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The level now, what set it, and the state to pass to the next evaluation.

    ``trigger`` is the override, the rule that calls for ``level`` now, or (when the level is
    held) the trigger that last called for it; ``held_until`` is when a held level may fall if
    nothing calls for it again.
    """

    level: ResponseLevel
    trigger: Trigger
    automatic_level: ResponseLevel
    called_for: Trigger
    state: ResponseState
    is_held: bool = False
    held_until: datetime | None = None
    previous_level: ResponseLevel = ResponseLevel.none
    calls: tuple[Trigger, ...] = field(default=())

    @property
    def has_changed(self) -> bool:
        """Whether the level differs from the previous decision's."""
        return self.level != self.previous_level


def set_override(state: ResponseState, override: Override | None) -> ResponseState:
    """The state with a leader's override set (or cleared with None).

    Args:
        state: the current state.
        override: the override, or None to end one early.

    Returns:
        The new state; the next ``evaluate`` applies it.
    """
    return replace(state, override=override)
