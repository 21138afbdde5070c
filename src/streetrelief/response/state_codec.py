"""JSON form of ``ResponseState``, so the hysteresis state can be stored in a JSON column.

Owns the round trip ``ResponseState`` ↔ plain dict (levels as names, times as ISO 8601 UTC).
What the state means is left to ``response.decision`` and ``response.policy``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streetrelief.response.decision import Override, ResponseState, Trigger, TriggerKind
from streetrelief.response.levels import ResponseLevel


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _trigger_to_json(trigger: Trigger) -> dict[str, Any]:
    return {
        "kind": trigger.kind.value,
        "level": trigger.level.name,
        "rule": trigger.rule,
        "source": trigger.source,
        "warning": trigger.warning,
        "reading_c": trigger.reading_c,
        "reason": trigger.reason,
        "at": _time(trigger.at),
    }


def _trigger_from_json(data: dict[str, Any]) -> Trigger:
    return Trigger(
        TriggerKind(data["kind"]),
        ResponseLevel.parse(data["level"]),
        rule=data.get("rule"),
        source=data.get("source"),
        warning=data.get("warning"),
        reading_c=data.get("reading_c"),
        reason=data.get("reason") or "",
        at=_parse_time(data.get("at")),
    )


def state_to_json(state: ResponseState) -> dict[str, Any]:
    """The state as a JSON-serialisable dict."""
    override = state.override
    return {
        "level": state.level.name,
        "last_called": [_trigger_to_json(t) for t in state.last_called],
        "override": None
        if override is None
        else {
            "level": override.level.name,
            "reason": override.reason,
            "until": override.until.isoformat(),
            "by": override.by,
        },
        "evaluated_at": _time(state.evaluated_at),
    }


def state_from_json(data: dict[str, Any]) -> ResponseState:
    """The state stored by ``state_to_json``; an empty dict is the initial state."""
    if not data:
        return ResponseState()
    raw_override = data.get("override")
    override = None
    if raw_override:
        until = _parse_time(raw_override["until"])
        if until is not None:
            override = Override(
                level=ResponseLevel.parse(raw_override["level"]),
                reason=raw_override["reason"],
                until=until,
                by=raw_override.get("by") or "",
            )
    return ResponseState(
        level=ResponseLevel.parse(data.get("level", "none")),
        last_called=tuple(_trigger_from_json(t) for t in data.get("last_called", [])),
        override=override,
        evaluated_at=_parse_time(data.get("evaluated_at")),
    )
