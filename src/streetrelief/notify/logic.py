"""Pure rules of notifications: which events a subscription takes, what may leave the system,
how a message reads, and how long to wait before the next attempt.

Nothing here touches the database or the network; ``notify.service`` feeds it events, region
ancestries and settings.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from streetrelief.core.errors import InvalidInputError
from streetrelief.response.levels import Colour, ResponseLevel

EVENT_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")
"""An event type (``response.level_changed``), a prefix ending in ``.*`` (``response.*``), or
``*`` for every type."""

EXCLUDED_EVENT_PREFIXES = ("encounter.", "person.")
"""Events about the people helped: never delivered anywhere, whatever the subscription says.
(Who was met and what they got stays inside; DESIGN.md, Person and Encounter.)"""

PERSONAL_KEYS = frozenset(
    {
        "person_id",
        "person_temp_id",
        "person_name",
        "name",
        "phone",
        "id_number",
        "reporter_contact",
        "contact",
        "description",
        "notes",
        "note",
        "categories",
    }
)
"""Payload keys that may describe a person or a reporter; dropped from every message."""

PLACE_OF_PERSON_SUBJECTS = frozenset({"incident", "report"})
"""Subjects whose ``lat``/``lon`` is where a person in the cold was found: the place stays
inside, the region code goes out. (A team's position is not masked.)"""

PLACE_KEYS = frozenset({"lat", "lon"})

COLOUR_ZH = {Colour.blue: "蓝色", Colour.yellow: "黄色", Colour.orange: "橙色", Colour.red: "红色"}

TRIGGER_ZH = {"warning": "预警", "condition": "天气实况", "override": "人工调整", "none": "无"}
TRIGGER_EN = {
    "warning": "warning",
    "condition": "weather reading",
    "override": "leader override",
    "none": "none",
}

JITTER_LOW = 0.5
"""Smallest share of the exponential delay kept by the jitter ("equal jitter": half fixed,
half random). Source: M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog,
2015-03-04."""


def check_event_pattern(pattern: str) -> str:
    """``pattern`` stripped, if it is an event type, a ``prefix.*`` or ``*``.

    Raises:
        InvalidInputError: anything else.
    """
    text = pattern.strip()
    if len(text) > 64 or not EVENT_PATTERN.match(text):
        raise InvalidInputError(
            "event pattern must be a type like response.level_changed, a prefix like "
            "response.* or *",
            field="event",
        )
    return text


def matches_type(pattern: str, event_type: str) -> bool:
    """Whether ``event_type`` is taken by ``pattern`` (exact, ``prefix.*`` or ``*``)."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def is_excluded(event_type: str) -> bool:
    """Whether an event is about the people helped and so never leaves the system."""
    return event_type.startswith(EXCLUDED_EVENT_PREFIXES)


def event_region_codes(region_code: str | None, payload: Mapping[str, Any]) -> list[str]:
    """The regions an event is about: its own ``region_code``, and ``region_code`` and
    ``region_codes`` in its payload (e.g. ``alert.received`` names the regions it matched)."""
    codes: list[str] = []
    for value in (region_code, payload.get("region_code")):
        if isinstance(value, str) and value:
            codes.append(value)
    listed = payload.get("region_codes")
    if isinstance(listed, list):
        codes.extend(c for c in listed if isinstance(c, str) and c)
    return list(dict.fromkeys(codes))


def in_region_scope(
    subscription_region: str | None, ancestries: Collection[Collection[str]]
) -> bool:
    """Whether an event lies in a subscription's subtree.

    Args:
        subscription_region: the subtree's root code, or None for everywhere.
        ancestries: for each region the event is about, its codes from the root down to it.
    """
    if subscription_region is None:
        return True
    return any(subscription_region in chain for chain in ancestries)


def mask_payload(payload: Mapping[str, Any], *, subject: str | None = None) -> dict[str, Any]:
    """The payload without keys that could describe a person (``PERSONAL_KEYS``), at any depth,
    and without the place (``lat``, ``lon``) when the subject is an incident or a report."""
    dropped = PERSONAL_KEYS | (PLACE_KEYS if subject in PLACE_OF_PERSON_SUBJECTS else frozenset())
    return _mask(payload, dropped)  # type: ignore[no-any-return]


def _mask(value: Any, dropped: frozenset[str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _mask(v, dropped) for k, v in value.items() if k not in dropped}
    if isinstance(value, list):
        return [_mask(v, dropped) for v in value]
    return value


def recipients_in(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """E-mail addresses an event names as its recipients (``recipients``: a list of addresses,
    or of objects with ``email``), e.g. the leaders on duty of a playbook notice."""
    found: list[str] = []
    listed = payload.get("recipients")
    if not isinstance(listed, list):
        return ()
    for item in listed:
        address = item.get("email") if isinstance(item, Mapping) else item
        if isinstance(address, str) and "@" in address:
            found.append(address.strip())
    return tuple(dict.fromkeys(found))


def retry_delay_s(attempt: int, *, base_s: float, max_s: float, rng: random.Random) -> float:
    """Wait after the ``attempt``-th failed try before the next, seconds.

    ``base_s * 2**(attempt-1)``, capped at ``max_s``, then scaled by a random factor in
    [0.5, 1.0] so that many deliveries failing together do not retry together.

    Source: "equal jitter" in M. Brooker, "Exponential Backoff And Jitter", AWS Architecture
    Blog, 2015-03-04.
    """
    ceiling = min(max_s, base_s * 2.0 ** max(0, attempt - 1))
    return ceiling * (JITTER_LOW + (1 - JITTER_LOW) * rng.random())


@dataclass(frozen=True)
class Rendered:
    """A message's human parts: title, plain text and Markdown."""

    title: str
    text: str
    markdown: str


@dataclass(frozen=True)
class EventView:
    """What rendering needs of an event: its type, time (ISO 8601, UTC), region code and
    name, and its masked payload."""

    type: str
    occurred_at: str
    region_code: str | None
    region_name: str | None
    payload: Mapping[str, Any]


def render(event: EventView) -> Rendered:
    """A short Chinese and English text for an event.

    Level changes name the region, the new and old level with colour, and the trigger; a
    social reporter's thank-you says only the public outcome and the tracking code; any other
    type gets a generic text naming the type, the region and the time, plus a level if
    the payload has one (e.g. the playbook's ``response.leader_notice``).
    """
    if event.type == "response.level_changed":
        return _render_level_change(event)
    if event.type == "social_reporter.thanked":
        return _render_thank_you(event)
    return _render_generic(event)


def _place(event: EventView) -> tuple[str, str]:
    code = event.region_code
    if code is None:
        return "全域", "all regions"
    name = event.region_name or code
    return f"{name}（{code}）", f"{name} ({code})"


def _level(value: Any) -> ResponseLevel | None:
    if value is None:
        return None
    try:
        return ResponseLevel.parse(value)
    except ValueError:
        return None


def _level_words(level: ResponseLevel) -> tuple[str, str]:
    colour = level.colour
    if colour is None:
        return level.name_zh, "none"
    return f"{level.name_zh}，{COLOUR_ZH[colour]}", f"level {level.name} ({colour.value})"


def _render_level_change(event: EventView) -> Rendered:
    p = event.payload
    to_level = _level(p.get("to_level"))
    from_level = _level(p.get("from_level"))
    if to_level is None or from_level is None:
        return _render_generic(event)
    place_zh, place_en = _place(event)
    to_zh, to_en = _level_words(to_level)
    from_zh, from_en = _level_words(from_level)
    kind = str(p.get("trigger_kind") or "none")
    detail = _trigger_detail(p)
    reason = str(p.get("reason") or "").strip()
    trigger_zh = TRIGGER_ZH.get(kind, kind) + (f"：{detail}" if detail else "")
    trigger_en = TRIGGER_EN.get(kind, kind) + (f": {detail}" if detail else "")
    if reason:
        trigger_zh += f"（{reason}）"
        trigger_en += f" ({reason})"
    title = f"{place_zh} 应急响应 {to_level.name_zh} / {place_en}: response {to_en}"
    zh = (
        f"{place_zh}应急响应调整为{to_zh}（原为{from_zh}）。"
        f"触发：{trigger_zh}。时间：{event.occurred_at}。"
    )
    en = (
        f"{place_en}: response {to_en}, was {from_en}. Trigger: {trigger_en}. "
        f"At {event.occurred_at}."
    )
    markdown = (
        f"### {place_zh} 应急响应 {to_level.name_zh}\n"
        f"> 原为：{from_zh}\n> 触发：{trigger_zh}\n> 时间：{event.occurred_at}\n\n"
        f"**{place_en}: response {to_en}** (was {from_en}). Trigger: {trigger_en}."
    )
    return Rendered(title=title, text=f"{zh}\n\n{en}", markdown=markdown)


def _trigger_detail(payload: Mapping[str, Any]) -> str:
    parts = []
    if payload.get("warning"):
        parts.append(str(payload["warning"]))
    reading = payload.get("reading_c")
    if isinstance(reading, int | float):
        parts.append(f"{reading:.1f} °C")
    if payload.get("rule"):
        parts.append(str(payload["rule"]))
    return ", ".join(parts)


def _render_generic(event: EventView) -> Rendered:
    place_zh, place_en = _place(event)
    level = _level(event.payload.get("level") or event.payload.get("to_level"))
    level_zh = f"，{_level_words(level)[0]}" if level is not None else ""
    level_en = f", {_level_words(level)[1]}" if level is not None else ""
    summary = str(event.payload.get("summary") or event.payload.get("title") or "")
    extra = f" {summary}" if summary else ""
    title = f"{place_zh} 事件 {event.type} / {place_en}: {event.type}"
    said = f"{extra.strip()}。" if extra.strip() else ""
    zh = f"{place_zh}事件 {event.type}{level_zh}。{said}时间：{event.occurred_at}。"
    en = f"{place_en}: event {event.type}{level_en}.{extra} At {event.occurred_at}."
    markdown = f"### {place_zh} 事件 {event.type}{level_zh}\n> 时间：{event.occurred_at}\n\n{en}"
    return Rendered(title=title, text=f"{zh}\n\n{en}", markdown=markdown)


OUTCOME_WORDS = {
    "helped": ("已得到救助", "the person you reported was helped"),
    "closed": (
        "已处理完毕（现场未找到需要救助的人员或已无需救助）",
        "it is closed: nobody needing help was found, or help was no longer needed",
    ),
}
"""The public outcome of a report (``intake.service.PUBLIC_STATUS`` of a closed incident) in
the words of a thank-you."""


def _render_thank_you(event: EventView) -> Rendered:
    """A thank-you that tells no more than the public may know: no team, place, person or time
    (the event's region and time are left out on purpose)."""
    outcome = str(event.payload.get("outcome") or "closed")
    zh_outcome, en_outcome = OUTCOME_WORDS.get(outcome, OUTCOME_WORDS["closed"])
    code = str(event.payload.get("tracking_code") or "")
    title = "感谢您的报告 / Thank you for your report"
    zh = f"感谢您报告街头需要帮助的人。您的报告（查询码 {code}）{zh_outcome}。"
    en = (
        "Thank you for reporting someone in need on the street. "
        f"Your report ({code}): {en_outcome}."
    )
    markdown = f"### {title}\n{zh}\n\n{en}"
    return Rendered(title=title, text=f"{zh}\n\n{en}", markdown=markdown)


def render_test_message(channel_name: str, at: str) -> Rendered:
    """The text of ``notify test``: says which channel, and that nothing needs doing."""
    zh = f"streetrelief 测试消息：通道 {channel_name} 工作正常，无需处理。时间：{at}。"
    en = f"streetrelief test message: channel {channel_name} works; nothing to do. At {at}."
    title = f"streetrelief 测试 / test: {channel_name}"
    return Rendered(title=title, text=f"{zh}\n\n{en}", markdown=f"### {title}\n{zh}\n\n{en}")
