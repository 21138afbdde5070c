"""Builders for notifications: test settings, channels on local receivers, a worker."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session, sessionmaker

from streetrelief.config import Settings
from streetrelief.core.clock import Clock
from streetrelief.notify.jobs import DeliveryWorker
from streetrelief.notify.models import ChannelKind, NotifyChannel
from streetrelief.notify.schemas import ChannelCreate, SubscriptionCreate
from streetrelief.notify.service import add_channel, subscribe

SECRET = "whsec-test-0123456789"


def notify_settings(*, smtp_port: int = 25, **overrides: object) -> Settings:
    """Settings for tests: local SMTP without TLS, short timeouts, three attempts."""
    values: dict[str, object] = {
        "database_url": "sqlite://",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_starttls": False,
        "smtp_from": "duty@relief.example",
        "notify_timeout_s": 2.0,
        "notify_backoff_base_s": 60.0,
        "notify_backoff_max_s": 600.0,
        "notify_max_attempts": 3,
        **overrides,
    }
    return Settings.model_validate(values)


def webhook_channel(
    session: Session, clock: Clock, url: str, *, name: str = "hq-webhook"
) -> NotifyChannel:
    """A signed webhook channel to ``url``."""
    data = ChannelCreate(name=name, kind=ChannelKind.webhook, url=url, secret=SECRET)
    return add_channel(session, data, now=clock.now())


def email_channel(session: Session, clock: Clock, *, name: str = "duty-mail") -> NotifyChannel:
    """An e-mail channel to the duty office."""
    data = ChannelCreate(name=name, kind=ChannelKind.email, to=["office@relief.example"])
    return add_channel(session, data, now=clock.now())


def subscribe_to(
    session: Session, clock: Clock, channel: str, event: str, region_code: str | None = None
) -> None:
    """Subscribe ``channel`` to ``event`` in ``region_code``'s subtree."""
    data = SubscriptionCreate(channel=channel, event=event, region_code=region_code)
    subscribe(session, data, now=clock.now())


def joined_factory(session: Session) -> sessionmaker[Session]:
    """Sessions that join the test's transaction through savepoints (commits stay inside)."""
    return sessionmaker(
        bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def worker(session: Session, clock: Clock, settings: Settings) -> DeliveryWorker:
    """A delivery worker on the test transaction, with seeded jitter."""
    session.flush()
    return DeliveryWorker(
        factory=joined_factory(session), clock=clock, settings=settings, rng=random.Random(7)
    )
