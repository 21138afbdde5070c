"""API and CLI shapes of notifications: channels (never with secrets), subscriptions,
deliveries with their attempts, and what a worker round did."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from streetrelief.notify.models import ChannelKind, DeliveryStatus

ChannelName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.-]+$"),
]


class ChannelCreate(BaseModel):
    """A new channel. ``url`` for webhooks and robots; ``to`` for e-mail."""

    model_config = ConfigDict(extra="forbid")

    name: ChannelName = Field(description="Unique name: letters, digits, '_', '-', '.'.")
    kind: ChannelKind = Field(description="webhook, email, wecom, dingtalk, feishu or slack.")
    url: str | None = Field(
        None, max_length=2000, description="http(s) URL of the webhook or robot (holds its key)."
    )
    to: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)]] = Field(
        default_factory=list, max_length=50, description="E-mail recipients."
    )
    secret: str | None = Field(
        None,
        max_length=500,
        description="Signing secret: required for webhook; DingTalk and Feishu signed mode.",
    )
    msgtype: str | None = Field(
        None, max_length=16, description="DingTalk message type: markdown (default) or text."
    )
    add_event_recipients: bool = Field(
        False, description="E-mail also goes to the addresses an event names as recipients."
    )


class ChannelRead(BaseModel):
    """A channel as shown: the address with its keys hidden, and no secret."""

    id: int
    name: str
    kind: str
    address: str = Field(description="Host of the URL (path and query hidden) or recipients.")
    has_secret: bool
    is_active: bool
    created_at: datetime


class SubscriptionCreate(BaseModel):
    """Events of a type in a region subtree go to a channel."""

    model_config = ConfigDict(extra="forbid")

    channel: ChannelName = Field(description="The channel's name.")
    event: str = Field(
        max_length=64, description="Event type, a prefix like response.*, or * for all."
    )
    region_code: str | None = Field(
        None, max_length=32, description="Root of the region subtree; all regions when absent."
    )


class SubscriptionRead(BaseModel):
    """A subscription."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel_id: int
    event_pattern: str
    region_code: str | None
    after_event_id: int = Field(description="Only events after this one are delivered.")
    is_active: bool
    created_at: datetime


class AttemptRead(BaseModel):
    """One try at a delivery."""

    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    is_success: bool
    status_code: int | None
    error: str | None


class DeliveryRead(BaseModel):
    """A delivery and its attempts."""

    id: int
    event_id: int
    event_type: str
    channel: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next; None if done.")
    created_at: datetime
    sent_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    history: list[AttemptRead] = Field(default_factory=list)


class FanOutResult(BaseModel):
    """What one pass over the outbox did."""

    events_read: int
    deliveries_created: int
    last_event_id: int


class RoundResult(BaseModel):
    """What one worker round did."""

    fan_out: FanOutResult
    sent: int
    failed: int
    dead: int
