"""Notifications: channels (never their secrets), subscriptions, deliveries with their status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from streetrelief.access.roles import Permission
from streetrelief.api.deps import IdPath, SessionDep
from streetrelief.api.security import require
from streetrelief.notify.models import DeliveryStatus
from streetrelief.notify.schemas import ChannelRead, DeliveryRead, SubscriptionRead
from streetrelief.notify.service import (
    get_delivery,
    list_channels,
    list_deliveries,
    list_subscriptions,
)

router = APIRouter(
    prefix="/notify",
    tags=["notify"],
    dependencies=[Depends(require(Permission.notify_manage))],
)


@router.get("/channels", response_model=list[ChannelRead])
def get_channels(session: SessionDep) -> list[ChannelRead]:
    """Channels by name: kind, where they send (URL host only; keys and secrets hidden), active."""
    return list_channels(session)


@router.get("/subscriptions", response_model=list[SubscriptionRead])
def get_subscriptions(session: SessionDep) -> list[SubscriptionRead]:
    """Which event types in which region subtree go to which channel."""
    return list_subscriptions(session)


@router.get("/deliveries", response_model=list[DeliveryRead])
def get_deliveries(
    session: SessionDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only this status.")] = None,
    channel: Annotated[str | None, Query(max_length=64, description="Only this channel.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Newest N.")] = 100,
) -> list[DeliveryRead]:
    """Deliveries newest first: status (pending, sent, dead), attempts with their status code
    or error, and when the next try is due."""
    return list_deliveries(session, status=status, channel=channel, limit=limit)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryRead)
def get_one_delivery(delivery_id: IdPath, session: SessionDep) -> DeliveryRead:
    """One delivery with every attempt."""
    return get_delivery(session, delivery_id)
