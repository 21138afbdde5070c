"""From a stored channel to a working one: the adapter of its kind, with its address, secret
and options. Channel config is checked here once, when a channel is added."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

import httpx

from streetrelief.config import Settings
from streetrelief.core.clock import Clock
from streetrelief.core.errors import ChannelConfigError
from streetrelief.integrations.chat_robots import (
    DINGTALK_MSGTYPES,
    DingTalkRobot,
    FeishuRobot,
    SlackWebhook,
    WeComRobot,
)
from streetrelief.integrations.smtp import SmtpEmail, SmtpSettings
from streetrelief.integrations.webhook import SignedWebhook
from streetrelief.notify.models import ChannelKind
from streetrelief.notify.ports import Channel

EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")
"""A bare address ``local@domain``; display names and lists are not accepted."""


@dataclass(frozen=True)
class ChannelSpec:
    """A channel's settings, detached from the database row."""

    name: str
    kind: ChannelKind
    url: str | None
    to: tuple[str, ...]
    secret: str | None
    msgtype: str
    add_event_recipients: bool


def check_spec(spec: ChannelSpec) -> None:
    """Refuse a channel that could never deliver.

    Raises:
        ChannelConfigError: e-mail without valid recipients (and not taking the event's);
            another kind without an http(s) URL; a webhook without a secret; a DingTalk
            message type other than markdown or text.
    """
    if spec.kind == ChannelKind.email:
        bad = [a for a in spec.to if not EMAIL_ADDRESS.match(a)]
        if bad:
            raise ChannelConfigError(f"not an e-mail address: {bad[0]}", field="to")
        if not spec.to and not spec.add_event_recipients:
            raise ChannelConfigError("an e-mail channel needs recipients (--to)", field="to")
        return
    parts = urllib.parse.urlsplit(spec.url or "")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ChannelConfigError(f"a {spec.kind} channel needs an http(s) URL", field="url")
    if spec.kind == ChannelKind.webhook and not spec.secret:
        raise ChannelConfigError("a webhook channel needs a signing secret", field="secret")
    if spec.kind == ChannelKind.dingtalk and spec.msgtype not in DINGTALK_MSGTYPES:
        raise ChannelConfigError("DingTalk msgtype is markdown or text", field="msgtype")


def public_address(spec: ChannelSpec) -> str:
    """Where a channel sends, safe to show: e-mail recipients, or the URL's scheme and host
    only (robot URLs carry their key or token in the path or query)."""
    if spec.kind == ChannelKind.email:
        return ", ".join(spec.to) + (" + event recipients" if spec.add_event_recipients else "")
    parts = urllib.parse.urlsplit(spec.url or "")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def smtp_settings(settings: Settings) -> SmtpSettings:
    """The SMTP part of the settings."""
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        starttls=settings.smtp_starttls,
        user=settings.smtp_user,
        password=settings.smtp_password,
        from_addr=settings.smtp_from,
        timeout_s=settings.notify_timeout_s,
    )


def build_channel(
    spec: ChannelSpec, *, http: httpx.Client, smtp: SmtpSettings, clock: Clock
) -> Channel:
    """The adapter that delivers for ``spec``.

    Raises:
        ChannelConfigError: the stored config does not validate (see :func:`check_spec`).
    """
    check_spec(spec)
    url = spec.url or ""
    match spec.kind:
        case ChannelKind.webhook:
            return SignedWebhook(url, spec.secret or "", client=http, clock=clock)
        case ChannelKind.email:
            return SmtpEmail(smtp, list(spec.to), add_event_recipients=spec.add_event_recipients)
        case ChannelKind.wecom:
            return WeComRobot(url, client=http)
        case ChannelKind.dingtalk:
            return DingTalkRobot(
                url, secret=spec.secret, msgtype=spec.msgtype, client=http, clock=clock
            )
        case ChannelKind.feishu:
            return FeishuRobot(url, secret=spec.secret, client=http, clock=clock)
        case ChannelKind.slack:
            return SlackWebhook(url, client=http)
    raise ChannelConfigError(f"unknown channel kind {spec.kind}")  # pragma: no cover
