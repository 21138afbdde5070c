"""Use cases of response levels per region: configure, reassess, override, read.

Owns each configured region's level in force and its hysteresis state, the activation log and
the domain event ``response.level_changed``, all written in the caller's transaction. Which
warnings are in force is asked of ``weather.service``; the rules are ``response.policy``; what
a level change sets in motion (the playbook's tasks) is ``response.tasks.apply_playbook``,
called in the same transaction as the activation is logged, as is bringing open revisits of
people who refused help forward (``revisits.service.bring_forward``).

A region without a configuration of its own reads the level of its nearest configured
ancestor, so a district reads its city's level. Warnings count for a region when they were
matched to it or to one of its ancestors.

A warning feed that goes stale (``weather.feeds``) neither drops nor freezes a level silently:
the warnings already stored keep counting until their own expiry, Cancel or the hold ends, as
the issuer said; each reassessment records which sources are stale on the level (shown by
every read of it), a change in that set is an event ``response.sources_stale`` and a logged
warning, and a level change made while a source is stale names it in the activation's reason.
See docs/adr/0003-cap-feeds-and-stale-warning-sources.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import InvalidInputError, ResponseNotConfiguredError
from streetrelief.db.outbox import emit
from streetrelief.regions.models import Region
from streetrelief.regions.service import require_region
from streetrelief.response import repository
from streetrelief.response.decision import (
    EARLIER_NIGHTS,
    ActiveWarning,
    Conditions,
    Decision,
    Override,
    Trigger,
    TriggerKind,
    set_override,
)
from streetrelief.response.levels import Colour, ResponseLevel
from streetrelief.response.models import RegionResponse, ResponseActivation
from streetrelief.response.policy import ResponsePolicy, evaluate, has_local_rules, load_preset
from streetrelief.response.schemas import (
    ActivationRead,
    EffectiveLevelRead,
    ReassessResult,
    ResponseLevelRead,
    TriggerRead,
    WeatherReading,
)
from streetrelief.response.state_codec import state_from_json, state_to_json
from streetrelief.response.tasks import apply_playbook, tighten_open_targets
from streetrelief.revisits.service import bring_forward
from streetrelief.weather.feeds.schemas import StaleSource
from streetrelief.weather.feeds.service import stale_sources
from streetrelief.weather.schemas import WarningInForce
from streetrelief.weather.service import (
    earlier_night_minimums,
    latest_conditions,
    warnings_in_force,
)
from streetrelief.weather.windchill import wind_chill_c

DEFAULT_OVERRIDE = timedelta(hours=24)
MAX_OVERRIDE = timedelta(days=7)
"""Longest leader's override: a cold spell's week; beyond that the policy must be changed or
the override renewed, so that a forgotten override cannot hold a level all winter."""
"""How long an override lasts when no end is given: one day and night, a streetrelief campaign
choice, so that a forgotten override ends by itself."""

COLOUR_PARAMETERS = ("alert_color", "awareness_level", "AREA_COLOR")
"""CAP ``<parameter>`` names that carry a warning's colour: CWA CAP-TWP ``alert_color``
(e.g. 黃色), MeteoAlarm ``awareness_level`` ("2; yellow; Moderate"), and DWD's colour name."""

LEVEL_CHANGED = "response.level_changed"
SOURCES_STALE = "response.sources_stale"

log = logging.getLogger(__name__)

STORED_READING_MAX_AGE = timedelta(hours=3)
"""How old a stored observation may be and still stand for the conditions now: readings are
hourly, so this allows two missed hours; an older reading counts as none rather than keeping
an old cold spell in force (a streetrelief campaign choice, 2026-11-29)."""


def configure_region(
    session: Session,
    region_code: str,
    preset: str,
    *,
    province: str | None = None,
    now: datetime,
) -> RegionResponse:
    """Give a region a shipped response policy; a configured region keeps its level and state.

    Args:
        region_code: the region.
        preset: one of ``response.policy.PRESETS``.
        province: a province code (GB/T 2260, 2 or 6 digits) for a preset's local rules; when
            left out, the province the region lies in (the first code of its path) if the
            preset has local rules.
        now: aware time of the change.

    Raises:
        UnknownRegionError: no such region.
        PolicyError: no such preset.
        InvalidInputError: a province code that is not 2 or 6 digits.
    """
    region = require_region(session, region_code)
    top = region.path.strip("/").split("/")[0]
    if province is None and has_local_rules(preset) and top.isdigit() and len(top) in {2, 6}:
        province = top
    if province is not None:
        province = _province_key(province)
    load_preset(preset, province=province)
    now = ensure_utc(now)
    row = repository.get(session, region_code)
    if row is None:
        row = RegionResponse(
            region_code=region_code,
            preset=preset,
            province=province,
            configured_at=now,
            level=int(ResponseLevel.none),
            since_at=now,
            state={},
            trigger_kind=TriggerKind.none.value,
            trigger_reason="",
        )
        session.add(row)
    else:
        row.preset, row.province, row.configured_at = preset, province, now
    session.flush()
    return row


def reassess_region(
    session: Session,
    region_code: str,
    *,
    now: datetime,
    conditions: WeatherReading | None = None,
) -> ReassessResult:
    """Decide a configured region's level now from the warnings in force and a reading.

    Warnings are the alerts in force matched to the region or an ancestor. On a level change an
    activation row and a ``response.level_changed`` event are written in this transaction.

    Args:
        region_code: a configured region.
        now: aware time of the decision; not before its last one.
        conditions: air temperature (°C) and wind (km/h) now; the wind chill follows the 2001
            JAG/TI index (``weather.windchill``). When None, the latest stored observation of
            the region or its nearest ancestor with readings, if no older than
            ``STORED_READING_MAX_AGE`` at ``now`` (``weather.service.latest_conditions``).

    Raises:
        UnknownRegionError: no such region.
        ResponseNotConfiguredError: the region has no response policy of its own.
        InvalidInputError: ``now`` is before the last evaluation.
    """
    region, row = _require_configured(session, region_code)
    now = ensure_utc(now)
    if conditions is None:
        conditions = _stored_reading(session, region_code, now)
    return _decide(session, region, row, now=now, conditions=conditions)


def override_level(
    session: Session,
    region_code: str,
    level: ResponseLevel,
    *,
    reason: str,
    until: datetime | None,
    by: str,
    now: datetime,
) -> ReassessResult:
    """Set a leader's level for a region, winning over the policy until ``until``.

    Args:
        level: the level to hold.
        reason: why; required.
        until: aware end of the override; ``DEFAULT_OVERRIDE`` from now when None.
        by: who overrides.
        now: aware time of the override.

    Raises:
        InvalidInputError: no reason, or ``until`` not after ``now`` or more than
            ``MAX_OVERRIDE`` after it.
        ResponseNotConfiguredError: the region has no response policy of its own.
    """
    now = ensure_utc(now)
    if until is not None and until.utcoffset() is None:
        raise InvalidInputError("override until needs a UTC offset", field="until")
    end = ensure_utc(until) if until is not None else now + DEFAULT_OVERRIDE
    if end <= now:
        raise InvalidInputError("an override must end after now", field="until")
    if end - now > MAX_OVERRIDE:
        raise InvalidInputError(
            f"an override lasts at most {MAX_OVERRIDE.days} days; renew it if needed",
            field="until",
        )
    override = Override(level=level, reason=reason.strip(), until=end, by=by)
    region, row = _require_configured(session, region_code)
    row.state = state_to_json(set_override(state_from_json(row.state), override))
    return _decide(session, region, row, now=now, conditions=None)


def clear_override(session: Session, region_code: str, *, now: datetime) -> ReassessResult:
    """End a leader's override early; the policy's level applies again at once.

    Raises:
        ResponseNotConfiguredError: the region has no response policy of its own.
    """
    region, row = _require_configured(session, region_code)
    row.state = state_to_json(set_override(state_from_json(row.state), None))
    return _decide(session, region, row, now=ensure_utc(now), conditions=None)


def current_level(
    session: Session, region_code: str, *, now: datetime | None = None
) -> EffectiveLevelRead:
    """The level in force in a region: its own, or its nearest configured ancestor's.

    Args:
        now: aware instant at which to judge whether its warning feeds are stale; when None,
            the stale sources recorded at the last reassessment.

    Returns:
        The level (``none`` when neither the region nor an ancestor is configured), where it
        comes from, and that region's activation history, newest first.

    Raises:
        UnknownRegionError: no such region.
    """
    region = require_region(session, region_code)
    source = repository.nearest_configured(session, _ancestry(region))
    if source is None:
        return EffectiveLevelRead(
            region_code=region.code,
            level=ResponseLevel.none.name,
            colour=None,
            is_inherited=False,
            from_region_code=None,
            response=None,
        )
    stale = None if now is None else _stale(session, source.region_code, ensure_utc(now))
    read = to_read(source, stale=stale)
    return EffectiveLevelRead(
        region_code=region.code,
        level=read.level,
        colour=read.colour,
        is_inherited=source.region_code != region.code,
        from_region_code=source.region_code,
        response=read,
        history=[activation_read(a) for a in repository.activations(session, source.region_code)],
    )


def list_levels(
    session: Session, *, region_code: str | None = None, now: datetime | None = None
) -> list[ResponseLevelRead]:
    """Configured regions of a subtree (all when None) with their level in force, by code.

    Args:
        now: aware instant at which to judge whether warning feeds are stale; when None, the
            stale sources recorded at each region's last reassessment.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code is not None else None
    rows = repository.in_region_subtree(session, path)
    if now is None:
        return [to_read(r) for r in rows]
    at = ensure_utc(now)
    return [to_read(r, stale=_stale(session, r.region_code, at)) for r in rows]


def to_read(
    row: RegionResponse, *, stale: Sequence[StaleSource] | None = None
) -> ResponseLevelRead:
    """The API shape of a configured region's level.

    Args:
        stale: the region's stale warning feeds now; the ones recorded at its last
            reassessment when None.
    """
    level = ResponseLevel(row.level)
    override = state_from_json(row.state).override
    return ResponseLevelRead(
        region_code=row.region_code,
        preset=row.preset,
        province=row.province,
        level=level.name,
        colour=None if level.colour is None else level.colour.value,
        since_at=row.since_at,
        evaluated_at=row.evaluated_at,
        trigger=TriggerRead(
            kind=row.trigger_kind,
            rule=row.trigger_rule,
            source=_rule_source(row),
            warning=row.trigger_warning,
            reading_c=row.trigger_reading_c,
            reason=row.trigger_reason,
        ),
        override_until=None if override is None else override.until,
        stale_sources=(
            [StaleSource.model_validate(s) for s in row.stale_sources or []]
            if stale is None
            else list(stale)
        ),
    )


def activation_read(row: ResponseActivation) -> ActivationRead:
    """The API shape of one level change."""
    return ActivationRead(
        id=row.id,
        region_code=row.region_code,
        from_level=ResponseLevel(row.from_level).name,
        to_level=ResponseLevel(row.to_level).name,
        at=row.at,
        trigger_kind=row.trigger_kind,
        trigger_rule=row.trigger_rule,
        trigger_source=row.trigger_source,
        trigger_warning=row.trigger_warning,
        trigger_reading_c=row.trigger_reading_c,
        reason=row.reason,
        is_override=row.is_override,
        by=row.by,
    )


def active_warnings(session: Session, region: Region, *, at: datetime) -> list[ActiveWarning]:
    """The warnings in force for a region (matched to it or an ancestor), as the policy reads them.

    A warning's colour comes from its ``COLOUR_PARAMETERS``; one without a colour we know
    calls for no level.
    """
    return [_as_warning(w) for w in warnings_in_force(session, _ancestry(region), at=at)]


def _as_warning(warning: WarningInForce) -> ActiveWarning:
    codes = [value for _name, value in warning.event_codes]
    return ActiveWarning(
        identifier=warning.identifier,
        event_code=codes[0] if codes else warning.event,
        event_name=warning.event,
        colour=_colour(warning.parameters),
        onset=warning.onset,
        expires=warning.expires,
        severity=warning.severity,
    )


def _colour(parameters: Sequence[Sequence[str]]) -> Colour | None:
    for name, value in parameters:
        if name not in COLOUR_PARAMETERS:
            continue
        # MeteoAlarm writes "2; yellow; Moderate": the colour is the second part.
        parts = [p.strip() for p in value.split(";")]
        for part in parts[1:2] if len(parts) > 1 else parts:
            try:
                return Colour.parse(part)
            except ValueError:
                continue
    return None


def _ancestry(region: Region) -> list[str]:
    """The region's codes from the root down to itself."""
    return [c for c in region.path.strip("/").split("/") if c]


PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)
"""The two-digit codes of China's 34 province-level divisions (GB/T 2260)."""


def _rule_source(row: RegionResponse) -> str | None:
    """The source the policy cites for the rule that set the level, if a rule did."""
    if row.trigger_rule is None:
        return None
    policy = _policy(row)
    for rule in policy.warning_rules:
        if rule.id == row.trigger_rule:
            return rule.source
    return next((r.source for r in policy.condition_rules if r.id == row.trigger_rule), None)


def _province_key(code: str) -> str:
    """A province code as the presets key it: six digits (GB/T 2260), ``11`` → ``110000``."""
    code = code.strip()
    if (
        not code.isdigit()
        or len(code) not in {2, 6}
        or code[:2] not in PROVINCE_PREFIXES
        or (len(code) == 6 and code[2:] != "0000")
    ):
        raise InvalidInputError(
            "a province is a GB/T 2260 province-level code, 2 or 6 digits (11 or 110000), "
            f"not {code!r}",
            field="province",
        )
    return code.ljust(6, "0")


def _require_configured(session: Session, region_code: str) -> tuple[Region, RegionResponse]:
    region = require_region(session, region_code)
    # Locked to the end of the transaction: two reassessments of a region (two job runs, two
    # processes) queue, so a level change is decided and logged once.
    row = repository.get_for_update(session, region_code)
    if row is None:
        raise ResponseNotConfiguredError(
            f"region {region_code} has no response policy; configure one first",
            field="region_code",
        )
    return region, row


def _policy(row: RegionResponse) -> ResponsePolicy:
    return load_preset(row.preset, province=row.province)


def _stored_reading(session: Session, region_code: str, now: datetime) -> WeatherReading | None:
    stored = latest_conditions(session, region_code, at=now, max_age=STORED_READING_MAX_AGE)
    if stored is None:
        return None
    # Stored readings were checked on import; the API bounds of a given reading do not apply.
    return WeatherReading.model_construct(
        temperature_c=stored.temperature_c, wind_speed_kmh=stored.wind_speed_kmh
    )


def _conditions(
    session: Session, region: Region, reading: WeatherReading | None, at: datetime
) -> Conditions | None:
    if reading is None:
        return None
    chill = (
        wind_chill_c(reading.temperature_c, reading.wind_speed_kmh)
        if reading.wind_speed_kmh is not None
        else None
    )
    try:
        zone = ZoneInfo(region.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(f"region {region.code} has an unknown time zone") from exc
    earlier = earlier_night_minimums(session, region.code, at=at, zone=zone, nights=EARLIER_NIGHTS)
    return Conditions(
        reading.temperature_c,
        chill,
        at.astimezone(zone).time(),
        earlier_min_temperatures_c=earlier,
    )


def _decide(
    session: Session,
    region: Region,
    row: RegionResponse,
    *,
    now: datetime,
    conditions: WeatherReading | None,
) -> ReassessResult:
    policy = _policy(row)
    decision = evaluate(
        policy,
        at=now,
        active_warnings=active_warnings(session, region, at=now),
        observation_or_forecast=_conditions(session, region, conditions, now),
        state=state_from_json(row.state),
    )
    row.state = state_to_json(decision.state)
    row.evaluated_at = now
    stale = stale_sources(session, _ancestry(region), at=now)
    _record_stale_sources(session, row, stale, level=decision.level, now=now)
    activation = None
    if decision.has_changed:
        activation = _record_change(session, row, decision, now=now, stale=stale)
        apply_playbook(session, activation, policy, now=now)
        tighten_open_targets(session, activation, policy)
        bring_forward(session, region.code, now=now)
    session.flush()
    return ReassessResult(
        response=to_read(row, stale=stale),
        has_changed=decision.has_changed,
        previous_level=decision.previous_level.name,
        is_held=decision.is_held,
        held_until=decision.held_until,
        activation=None if activation is None else activation_read(activation),
    )


def _stale(session: Session, region_code: str, at: datetime) -> list[StaleSource]:
    return stale_sources(session, _ancestry(require_region(session, region_code)), at=at)


def _record_stale_sources(
    session: Session,
    row: RegionResponse,
    stale: Sequence[StaleSource],
    *,
    level: ResponseLevel,
    now: datetime,
) -> None:
    """Keep the stale sources on the level; a change in which feeds are stale is an event."""
    names = sorted(s.name for s in stale)
    before = sorted(str(s.get("name")) for s in row.stale_sources or [])
    row.stale_sources = [s.model_dump(mode="json") for s in stale]
    if names == before:
        return
    if names:
        log.warning(
            "region %s: level %s rests on stale warning feeds: %s",
            row.region_code,
            level.name,
            ", ".join(names),
        )
    else:
        log.info("region %s: warning feeds current again", row.region_code)
    emit(
        session,
        type_=SOURCES_STALE,
        subject="region_response",
        subject_id=0,  # the row is keyed by region code, which the event carries
        at=now,
        region_code=row.region_code,
        payload={"level": level.name, "stale_sources": names, "was": before},
    )


def _record_change(
    session: Session,
    row: RegionResponse,
    decision: Decision,
    *,
    now: datetime,
    stale: Sequence[StaleSource],
) -> ResponseActivation:
    trigger: Trigger = decision.trigger
    is_override = trigger.kind == TriggerKind.override
    override = decision.state.override
    row.level = int(decision.level)
    row.since_at = now
    row.trigger_kind = trigger.kind.value
    # An override trigger carries who overrode as its rule; the log keeps that in ``by``.
    row.trigger_rule = None if is_override else trigger.rule
    row.trigger_warning = trigger.warning
    row.trigger_reading_c = trigger.reading_c
    reason = trigger.reason
    if stale:
        reason += f" (warning source stale: {', '.join(sorted(s.name for s in stale))})"
    row.trigger_reason = reason
    activation = ResponseActivation(
        region_code=row.region_code,
        from_level=int(decision.previous_level),
        to_level=int(decision.level),
        at=now,
        trigger_kind=trigger.kind.value,
        trigger_rule=None if is_override else trigger.rule,
        trigger_source=trigger.source,
        trigger_warning=trigger.warning,
        trigger_reading_c=trigger.reading_c,
        reason=reason,
        is_override=is_override,
        by=override.by if is_override and override is not None else None,
    )
    session.add(activation)
    session.flush()
    emit(
        session,
        type_=LEVEL_CHANGED,
        subject="response_activation",
        subject_id=activation.id,
        at=now,
        region_code=row.region_code,
        payload={
            "from_level": decision.previous_level.name,
            "to_level": decision.level.name,
            "trigger_kind": trigger.kind.value,
            "rule": activation.trigger_rule,
            "warning": trigger.warning,
            "reading_c": trigger.reading_c,
            "is_override": is_override,
            "reason": activation.reason,
        },
    )
    return activation
