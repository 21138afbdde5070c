"""Response policy as data, and the pure evaluation that turns warnings and weather into a level.

A policy names its sources, maps warning events and colours to levels, lists threshold rules on
air temperature, wind chill or feels-like (optionally only in local hours), and sets how long
the level is held before it may fall. It is loaded from YAML (a shipped preset or a file) and
validated; every threshold points at a cited source. ``evaluate`` is pure: it takes the warnings
in hand, the reading or forecast, and the previous ``ResponseState``, and returns a
``Decision`` with the new state. Fetching warnings, storing levels and acting on a level change
are left to the weather and response services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from streetrelief.core.errors import InvalidInputError, PolicyError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml
from streetrelief.response.decision import (
    NO_TRIGGER,
    ActiveWarning,
    Conditions,
    Decision,
    ResponseState,
    Trigger,
    TriggerKind,
)
from streetrelief.response.levels import Colour, ResponseLevel
from streetrelief.response.playbook import LevelActions, Playbook

PRESETS = ("china", "nyc_code_blue", "toronto", "uk_swep", "meteoalarm", "taiwan_cwa")
"""The policies shipped in ``response/presets``."""


def _level(value: object) -> ResponseLevel:
    if isinstance(value, ResponseLevel):
        return value
    if isinstance(value, str | int) and not isinstance(value, bool):
        return ResponseLevel.parse(value)
    msg = f"expected a response level (none, IV, III, II, I), got {value!r}"
    raise ValueError(msg)


def _colour(value: object) -> Colour:
    if isinstance(value, str):
        return Colour.parse(value)
    msg = f"expected a colour name, got {value!r}"
    raise ValueError(msg)


LevelField = Annotated[ResponseLevel, BeforeValidator(_level)]
ColourField = Annotated[Colour, BeforeValidator(_colour)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A document a threshold or mapping comes from."""

    title: str = Field(min_length=1, description="Publisher and title.")
    url: str | None = Field(None, description="Where to read it.")
    dated: date | str | None = Field(None, description="Edition or date of the text relied on.")
    says: str | None = Field(None, description="The words relied on, paraphrased.")


class HourWindow(_Strict):
    """Local hours in which a rule applies; wraps past midnight when ``start`` > ``end``."""

    start: time
    end: time

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            msg = "start and end must differ"
            raise ValueError(msg)
        return self

    def contains(self, at: time) -> bool:
        """Whether local time ``at`` is inside the window (start inclusive, end exclusive)."""
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


class WarningRule(_Strict):
    """Maps an official warning (by event and colour) to a level."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    events: frozenset[str] = Field(
        min_length=1,
        description="Event codes or names that match (compared case-insensitively).",
    )
    levels: dict[ColourField, LevelField] = Field(
        min_length=1, description="Warning colour (or awareness level) → response level."
    )
    source: str = Field(description="Key into the policy's sources.")

    @field_validator("events")
    @classmethod
    def _fold(cls, events: frozenset[str]) -> frozenset[str]:
        return frozenset(e.strip().casefold() for e in events)

    def matches(self, warning: ActiveWarning) -> bool:
        """Whether the warning's event code or name is one of this rule's events."""
        names = {warning.event_code.strip().casefold(), warning.event_name.strip().casefold()}
        return bool(names & self.events)


class ConditionRule(_Strict):
    """Calls for a level when every present test on the reading holds."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    level: LevelField
    temperature_at_most_c: float | None = Field(None, description="Air at or below this, °C.")
    temperature_below_c: float | None = Field(
        None, description="Air strictly below this, °C (criteria worded 低于, 'below')."
    )
    wind_chill_at_most_c: float | None = Field(
        None, description="Wind chill known and at or below this, °C."
    )
    feels_like_at_most_c: float | None = Field(
        None, description="Feels-like (wind chill where known, else air) at or below this, °C."
    )
    hours: HourWindow | None = Field(None, description="Only in these local hours.")
    for_days: int = Field(
        1,
        ge=1,
        le=7,
        description=(
            "The air temperature tests must hold on this many consecutive days: the reading"
            " and the minimums of the days just before it."
        ),
    )
    source: str = Field(description="Key into the policy's sources.")

    @model_validator(mode="after")
    def _has_a_test(self) -> Self:
        air = (self.temperature_at_most_c, self.temperature_below_c)
        tests = (*air, self.wind_chill_at_most_c, self.feels_like_at_most_c)
        if all(t is None for t in tests):
            msg = f"rule {self.id} has no temperature, wind chill or feels-like test"
            raise ValueError(msg)
        if self.for_days > 1 and all(t is None for t in air):
            msg = f"rule {self.id} runs over {self.for_days} days but has no air temperature test"
            raise ValueError(msg)
        if self.level == ResponseLevel.none:
            msg = f"rule {self.id} calls for level none, which needs no rule"
            raise ValueError(msg)
        return self

    def _air_holds(self, temperature_c: float) -> bool:
        if self.temperature_at_most_c is not None and temperature_c > self.temperature_at_most_c:
            return False
        return self.temperature_below_c is None or temperature_c < self.temperature_below_c

    def matches(self, conditions: Conditions) -> bool:
        """Whether the reading meets every test of this rule.

        A rule over several days also needs the minimums of the ``for_days - 1`` days before
        the reading, each meeting the air temperature tests; fewer known days do not match.
        """
        if self.hours is not None and not self.hours.contains(conditions.local_time):
            return False
        earlier = conditions.earlier_min_temperatures_c
        if len(earlier) < self.for_days - 1:
            return False
        days = (*earlier[len(earlier) - (self.for_days - 1) :], conditions.temperature_c)
        if not all(self._air_holds(t) for t in days):
            return False
        if self.wind_chill_at_most_c is not None and (
            conditions.wind_chill_c is None or conditions.wind_chill_c > self.wind_chill_at_most_c
        ):
            return False
        return not (
            self.feels_like_at_most_c is not None
            and conditions.feels_like_c > self.feels_like_at_most_c
        )


class Hold(_Strict):
    """How long nothing may call for a level before the level falls."""

    duration_s: int = Field(ge=0, le=14 * 86400, description="Hold time, seconds.")
    source: str = Field(description="Key into the policy's sources.")


class ProvinceThresholds(_Strict):
    """Local condition rules of one province (or the default for provinces not listed)."""

    name: str
    rules: tuple[ConditionRule, ...] = ()


class ResponsePolicy(_Strict):
    """A versioned response policy for a region."""

    version: str = Field(min_length=1)
    name: str = Field(min_length=1)
    region: str = Field(min_length=1, description="Where the policy applies, e.g. CN, CA-ON.")
    sources: dict[str, Source] = Field(min_length=1)
    hold: Hold
    warning_lead_s: int = Field(
        0, ge=0, le=3 * 86400, description="A warning counts this long before its onset, s."
    )
    warning_rules: tuple[WarningRule, ...] = ()
    condition_rules: tuple[ConditionRule, ...] = ()
    provinces: dict[str, ProvinceThresholds] = Field(
        default_factory=dict,
        description="Local condition rules by province code; 'default' for the rest.",
    )
    playbook: Playbook | None = Field(
        None, description="What each level sets in motion; None: nothing beyond the level."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        cited = [
            ("hold.source", self.hold.source),
            *((f"warning_rules.{r.id}.source", r.source) for r in self.warning_rules),
            *((f"condition_rules.{r.id}.source", r.source) for r in self.condition_rules),
            *(
                (f"provinces.{code}.rules.{r.id}.source", r.source)
                for code, province in self.provinces.items()
                for r in province.rules
            ),
            *(self.playbook.cited() if self.playbook is not None else ()),
        ]
        for where, key in cited:
            if key not in self.sources:
                msg = f"{where}: {key!r} is not one of the policy's sources"
                raise ValueError(msg)
        ids = [r.id for r in self.warning_rules] + [r.id for r in self.condition_rules]
        if len(ids) != len(set(ids)):
            msg = "rule ids must be unique"
            raise ValueError(msg)
        if self.provinces and "default" not in self.provinces:
            msg = "provinces must include a 'default' entry"
            raise ValueError(msg)
        if not (self.warning_rules or self.condition_rules or self.provinces):
            msg = "a policy needs at least one warning or condition rule"
            raise ValueError(msg)
        return self

    @property
    def hold_time(self) -> timedelta:
        """How long nothing may call for a level before it falls."""
        return timedelta(seconds=self.hold.duration_s)

    def actions(self, level: ResponseLevel) -> LevelActions:
        """The playbook actions of ``level`` (the defaults, nothing extra, without a playbook)."""
        if self.playbook is None:
            return LevelActions()
        return self.playbook.for_level(int(level))

    def for_province(self, code: str | None) -> ResponsePolicy:
        """This policy with a province's local rules (or the default's) added to its rules.

        Args:
            code: a province key of ``provinces``, e.g. ``"110000"``; None or unknown uses
                ``default``.

        Returns:
            The policy with the local rules appended and ``provinces`` emptied; unchanged when
            the policy has no provinces.
        """
        if not self.provinces:
            return self
        local = self.provinces.get(code or "default", self.provinces["default"])
        region = self.region if code is None or code not in self.provinces else code
        return self.model_copy(
            update={
                "condition_rules": (*self.condition_rules, *local.rules),
                "provinces": {},
                "region": region,
            }
        )


def _warning_calls(
    policy: ResponsePolicy, warnings: Iterable[ActiveWarning], at: datetime
) -> list[Trigger]:
    lead = timedelta(seconds=policy.warning_lead_s)
    calls = []
    for warning in warnings:
        if warning.colour is None or not warning.is_in_force(at, lead):
            continue
        for rule in policy.warning_rules:
            level = rule.levels.get(warning.colour)
            if level is not None and rule.matches(warning):
                calls.append(
                    Trigger(
                        TriggerKind.warning,
                        level,
                        rule=rule.id,
                        source=rule.source,
                        warning=warning.identifier,
                        reason=f"{warning.event_name} {warning.colour} warning",
                        at=at,
                    )
                )
    return calls


def _condition_calls(
    policy: ResponsePolicy, conditions: Conditions | None, at: datetime
) -> list[Trigger]:
    if conditions is None:
        return []
    calls = []
    for rule in policy.condition_rules:
        if rule.matches(conditions):
            reading = (
                conditions.temperature_c
                if rule.temperature_at_most_c is not None or rule.temperature_below_c is not None
                else conditions.feels_like_c
                if rule.feels_like_at_most_c is not None
                else conditions.wind_chill_c
            )
            calls.append(
                Trigger(
                    TriggerKind.condition,
                    rule.level,
                    rule=rule.id,
                    source=rule.source,
                    reading_c=reading,
                    reason=rule.description,
                    at=at,
                )
            )
    return calls


def _check_aware(at: datetime) -> None:
    if at.utcoffset() is None:
        raise InvalidInputError(f"at must be an aware datetime, got {at!r}")


def evaluate(
    policy: ResponsePolicy,
    *,
    at: datetime,
    active_warnings: Iterable[ActiveWarning] = (),
    observation_or_forecast: Conditions | None = None,
    state: ResponseState | None = None,
) -> Decision:
    """Decide the response level at ``at``.

    Every warning in force and every condition rule met calls for a level; the highest call
    wins (the first listed, warnings before conditions, on a tie). The level rises at once. It
    falls only when nothing has called for it (or higher) for the policy's hold time: the
    warning that set it has been cancelled or has expired *and* the readings have stayed above
    its thresholds for the whole hold. It then falls to the highest level still called for
    within the hold, so it steps down without flapping. A leader's override in ``state`` wins
    until its ``until``; the automatic level keeps being tracked underneath it.

    Args:
        policy: the policy (with province rules applied, see ``ResponsePolicy.for_province``).
        at: the moment of the decision, aware; not before the state's last evaluation.
        active_warnings: warnings known for the region; cancelled, expired or not-yet-begun
            ones are ignored.
        observation_or_forecast: the reading (°C) at ``at``, or None if there is none.
        state: the state from the previous decision; None starts at level none.

    Returns:
        The decision, with the new state.

    Raises:
        InvalidInputError: ``at`` is naive, or earlier than the previous evaluation.

    Source:
        The thresholds, mappings and hold time are policy data, each citing its source.
    """
    _check_aware(at)
    at = at.astimezone(UTC)
    state = state or ResponseState()
    if state.evaluated_at is not None and at < state.evaluated_at:
        msg = f"evaluation at {at.isoformat()} is before the last one ({state.evaluated_at})"
        raise InvalidInputError(msg)
    calls = [
        *_warning_calls(policy, active_warnings, at),
        *_condition_calls(policy, observation_or_forecast, at),
    ]
    called_for = NO_TRIGGER
    for call in calls:
        if call.level > called_for.level:
            called_for = call

    # Per level, the latest call for it (or a higher one) that is still inside the hold.
    hold = policy.hold_time
    latest: dict[ResponseLevel, Trigger] = {}
    for trigger in state.last_called:
        if trigger.at is not None and at - trigger.at < hold:
            latest[trigger.level] = trigger
    for level in ResponseLevel:
        if ResponseLevel.none < level <= called_for.level:
            latest[level] = replace(called_for, level=level)
    automatic = max(latest, default=ResponseLevel.none)
    if automatic > called_for.level:
        kept = latest[automatic]
        trigger = kept
        held_until = None if kept.at is None else kept.at + hold
        is_held = True
    else:
        trigger = called_for
        held_until = None
        is_held = False

    override = state.override
    if override is not None and at >= override.until:
        override = None
    level = automatic
    if override is not None:
        level = override.level
        trigger = Trigger(
            TriggerKind.override,
            override.level,
            reason=override.reason,
            at=at,
            rule=override.by or None,
        )
        is_held = False
        held_until = override.until

    new_state = ResponseState(
        level=level,
        last_called=tuple(latest[lv] for lv in sorted(latest)),
        override=override,
        evaluated_at=at,
    )
    return Decision(
        level=level,
        trigger=trigger,
        automatic_level=automatic,
        called_for=called_for,
        state=new_state,
        is_held=is_held,
        held_until=held_until,
        previous_level=state.level,
        calls=tuple(calls),
    )


def _format_error(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return where, first["msg"]


def parse_policy(text: str, *, name: str = "policy") -> ResponsePolicy:
    """Parse and validate a policy from YAML text.

    Args:
        text: the YAML document.
        name: what to call it in error messages (a file name or preset name).

    Returns:
        The validated policy.

    Raises:
        PolicyError: not YAML, not a mapping, or invalid; the message and ``field`` name the
            first offending field.
    """
    try:
        data = load_yaml(text)
    except YAMLFileError as exc:
        raise PolicyError(f"response policy {name} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"response policy {name} must be a YAML mapping", field="(top level)")
    try:
        return ResponsePolicy.model_validate(data)
    except ValidationError as exc:
        where, message = _format_error(exc)
        raise PolicyError(f"response policy {name}: {where}: {message}", field=where) from exc


def load_policy(path: Path | str) -> ResponsePolicy:
    """Load and validate a response policy file.

    Raises:
        PolicyError: the file cannot be read or does not validate (the message says where).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read response policy {path}: {exc}") from exc
    return parse_policy(text, name=str(path))


def load_preset(name: str, *, province: str | None = None) -> ResponsePolicy:
    """Load a shipped preset (one of ``PRESETS``), with a province's local rules if it has any.

    Raises:
        PolicyError: no such preset.
    """
    return _parse_preset(name).for_province(province)


def has_local_rules(name: str) -> bool:
    """Whether a shipped preset has local rules by province (China's does).

    Raises:
        PolicyError: no such preset.
    """
    return bool(_parse_preset(name).provinces)


@lru_cache(maxsize=len(PRESETS))
def _parse_preset(name: str) -> ResponsePolicy:
    # Read and validated once per process: levels are listed and reassessed often, and a
    # policy is frozen, so every caller can share it.
    if name not in PRESETS:
        raise PolicyError(f"unknown response preset {name!r}; known: {', '.join(PRESETS)}")
    text = (
        resources.files("streetrelief.response")
        .joinpath("presets", f"{name}.yaml")
        .read_text(encoding="utf-8")
    )
    return parse_policy(text, name=name)
