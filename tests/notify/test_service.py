"""Delivery from the outbox on SQLite and PostgreSQL, to real local receivers: fan-out,
retries, dead deliveries, re-queueing, and a level change reaching a webhook and a mailbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import (
    ChannelConfigError,
    ConflictError,
    DeliveryStateError,
    InvalidInputError,
    UnknownChannelError,
    UnknownRegionError,
)
from streetrelief.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from streetrelief.db.outbox import emit
from streetrelief.notify.models import ChannelKind, DeliveryStatus, NotifyDelivery
from streetrelief.notify.schemas import ChannelCreate, SubscriptionCreate
from streetrelief.notify.service import (
    add_channel,
    fan_out,
    list_channels,
    list_deliveries,
    retry_delivery,
    set_channel_active,
    subscribe,
)
from streetrelief.response.schemas import WeatherReading
from streetrelief.response.service import configure_region, reassess_region
from tests.factories.notify import (
    SECRET,
    email_channel,
    notify_settings,
    subscribe_to,
    webhook_channel,
    worker,
)
from tests.factories.regions import beijing_tree
from tests.notify.receivers import HttpReceiver, free_port, http_receiver, smtp_receiver


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as r:
        yield r


def _event(session: Session, clock: FixedClock, type_: str, region: str | None = "110101") -> int:
    ev = emit(
        session,
        type_=type_,
        subject="team",
        subject_id=1,
        at=clock.now(),
        region_code=region,
        payload={"status": "available"},
    )
    session.flush()
    return ev.id


def _deliveries(session: Session) -> list[NotifyDelivery]:
    return list(session.scalars(select(NotifyDelivery).order_by(NotifyDelivery.id)))


class TestChannels:
    def test_listed_without_secrets_or_keys(self, session: Session, clock: FixedClock) -> None:
        webhook_channel(session, clock, "https://hooks.example.org/in?token=abc")
        add_channel(
            session,
            ChannelCreate(
                name="wecom-hq",
                kind=ChannelKind.wecom,
                url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY-123",
            ),
            now=clock.now(),
        )
        shown = {c.name: c for c in list_channels(session)}
        assert shown["hq-webhook"].address == "https://hooks.example.org/…"
        assert shown["hq-webhook"].has_secret
        assert shown["wecom-hq"].address == "https://qyapi.weixin.qq.com/…"
        dumped = str([c.model_dump() for c in shown.values()])
        assert SECRET not in dumped
        assert "KEY-123" not in dumped

    @pytest.mark.parametrize(
        "data",
        [
            {"kind": "webhook", "url": "https://x.example/h"},  # no secret
            {"kind": "slack", "url": "ftp://x.example/h"},
            {"kind": "email", "to": []},
            {"kind": "email", "to": ["not-an-address"]},
            {"kind": "dingtalk", "url": "https://x.example/r", "msgtype": "card"},
        ],
    )
    def test_unusable_channel_refused(
        self, session: Session, clock: FixedClock, data: dict[str, object]
    ) -> None:
        with pytest.raises(ChannelConfigError):
            add_channel(
                session, ChannelCreate.model_validate({"name": "c", **data}), now=clock.now()
            )

    def test_duplicate_name_refused(self, session: Session, clock: FixedClock) -> None:
        webhook_channel(session, clock, "https://x.example/h")
        with pytest.raises(ConflictError):
            webhook_channel(session, clock, "https://x.example/h")

    def test_subscription_checks_channel_pattern_and_region(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, "https://x.example/h")
        for data, error in [
            (SubscriptionCreate(channel="nope", event="*"), UnknownChannelError),
            (SubscriptionCreate(channel="hq-webhook", event="team."), InvalidInputError),
            (
                SubscriptionCreate(channel="hq-webhook", event="*", region_code="99"),
                UnknownRegionError,
            ),
        ]:
            with pytest.raises(error):
                subscribe(session, data, now=clock.now())


class TestFanOut:
    def test_two_events_two_deliveries_and_idempotent(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, "https://x.example/h")
        subscribe_to(session, clock, "hq-webhook", "team.*", "11")
        first = _event(session, clock, "team.status_changed")
        second = _event(session, clock, "team.updated", "110105")
        result = fan_out(session, now=clock.now())
        assert result.deliveries_created == 2
        assert result.last_event_id == second
        assert [d.event_id for d in _deliveries(session)] == [first, second]

        again = fan_out(session, now=clock.now())
        assert (again.events_read, again.deliveries_created) == (0, 0)
        assert len(_deliveries(session)) == 2

    def test_type_region_and_privacy_filters(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, "https://x.example/h")
        subscribe_to(session, clock, "hq-webhook", "*", "110105")
        subscribe_to(session, clock, "hq-webhook", "alert.received")
        _event(session, clock, "team.updated", "110101")  # another district
        wanted = _event(session, clock, "team.updated", "110105")
        _event(session, clock, "encounter.recorded", "110105")  # about a person: never sent
        alert = emit(
            session,
            type_="alert.received",
            subject="alert",
            subject_id=1,
            at=clock.now(),
            region_code=None,
            payload={"region_codes": ["110105"]},
        )
        session.flush()
        fan_out(session, now=clock.now())
        got = sorted((d.event_id, d.subscription_id) for d in _deliveries(session))
        # The alert names 110105, so both the subtree subscription and the global one take it.
        assert [e for e, _s in got] == sorted([wanted, alert.id, alert.id])

    def test_subscription_takes_only_later_events(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, "https://x.example/h")
        _event(session, clock, "team.updated")
        subscribe_to(session, clock, "hq-webhook", "*")
        later = _event(session, clock, "team.updated")
        fan_out(session, now=clock.now())
        assert [d.event_id for d in _deliveries(session)] == [later]


class TestWorker:
    def test_retries_then_success(
        self, session: Session, clock: FixedClock, receiver: HttpReceiver
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, receiver.url + "/hook")
        subscribe_to(session, clock, "hq-webhook", "team.*")
        _event(session, clock, "team.updated")
        receiver.fail_next = 2
        w = worker(session, clock, notify_settings())

        first = w.run_round()
        assert (first.sent, first.failed) == (0, 1)
        [pending] = list_deliveries(session)
        assert (pending.status, pending.attempts, pending.last_status_code) == ("pending", 1, 500)
        assert pending.next_attempt_at is not None
        # Not due yet: the round before the backoff ends sends nothing.
        assert w.run_round().failed == 0
        assert len(receiver.requests) == 1

        clock.advance(timedelta(hours=1))
        assert w.run_round().failed == 1
        clock.advance(timedelta(hours=1))
        assert w.run_round().sent == 1
        [done] = list_deliveries(session)
        assert (done.status, done.attempts, done.last_error) == ("sent", 3, None)
        assert [a.is_success for a in done.history] == [False, False, True]
        # All three tries carried the same delivery key, so the receiver can drop repeats.
        assert {r.headers["X-StreetRelief-Delivery"] for r in receiver.requests} == {
            f"delivery-{done.id}"
        }

    def test_receiver_down_dead_then_requeued(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        port = free_port()
        webhook_channel(session, clock, f"http://127.0.0.1:{port}/hook")
        subscribe_to(session, clock, "hq-webhook", "team.*")
        _event(session, clock, "team.updated")
        w = worker(session, clock, notify_settings(notify_max_attempts=3))
        for _ in range(3):
            w.run_round()
            clock.advance(timedelta(hours=1))
        [dead] = list_deliveries(session, status=DeliveryStatus.dead)
        assert dead.attempts == 3
        assert dead.last_error is not None
        assert "could not reach" in dead.last_error
        assert w.run_round().failed == 0  # dead stays dead

        requeued = retry_delivery(session, dead.id, now=clock.now())
        assert (requeued.status, requeued.attempts) == ("pending", 0)
        with pytest.raises(DeliveryStateError):
            retry_delivery(session, dead.id, now=clock.now())
        # The receiver comes back on the same address: the delivery goes through.
        with http_receiver() as back:
            set_channel_active(session, "hq-webhook", is_active=True)
            _rebind(session, back.url + "/hook")
            assert w.run_round().sent == 1
            assert len(back.requests) == 1
        [sent] = list_deliveries(session)
        assert sent.status == "sent"
        assert len(sent.history) == 4

    def test_disabled_channel_waits(
        self, session: Session, clock: FixedClock, receiver: HttpReceiver
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, receiver.url + "/hook")
        subscribe_to(session, clock, "hq-webhook", "team.*")
        _event(session, clock, "team.updated")
        set_channel_active(session, "hq-webhook", is_active=False)
        w = worker(session, clock, notify_settings())
        w.run_round()
        assert receiver.requests == []
        set_channel_active(session, "hq-webhook", is_active=True)
        assert w.run_round().sent == 1

    def test_hanging_receiver_is_a_failed_attempt(
        self, session: Session, clock: FixedClock, receiver: HttpReceiver
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, receiver.url + "/hook")
        subscribe_to(session, clock, "hq-webhook", "team.*")
        _event(session, clock, "team.updated")
        receiver.hang = True
        w = worker(session, clock, notify_settings(notify_timeout_s=0.2))
        assert w.run_round().failed == 1
        [pending] = list_deliveries(session)
        assert pending.last_error is not None
        assert pending.last_error.startswith("timed out")

    def test_level_change_reaches_webhook_and_mailbox(
        self, session: Session, clock: FixedClock, receiver: HttpReceiver
    ) -> None:
        beijing_tree(session)
        configure_region(session, "1101", "toronto", now=clock.now())
        webhook_channel(session, clock, receiver.url + "/hook")
        email_channel(session, clock)
        subscribe_to(session, clock, "hq-webhook", "response.level_changed", "11")
        subscribe_to(session, clock, "duty-mail", "response.level_changed", "1101")
        _event(session, clock, "team.updated")  # not a response event: not sent
        cold = WeatherReading(temperature_c=-10, wind_speed_kmh=40)
        assert reassess_region(session, "1101", now=clock.now(), conditions=cold).has_changed

        with smtp_receiver() as smtp:
            result = worker(session, clock, notify_settings(smtp_port=smtp.port)).run_round()
            assert (result.sent, result.failed) == (2, 0)
            [(rcpt, mail)] = smtp.wait_for(1)
        [hook] = receiver.requests
        verify_signature(
            SECRET,
            hook.body,
            timestamp=hook.headers[TIMESTAMP_HEADER],
            signature=hook.headers[SIGNATURE_HEADER],
            now=clock.now(),
        )
        body = hook.json()
        assert body["event"]["type"] == "response.level_changed"
        assert body["event"]["region_code"] == "1101"
        assert body["event"]["payload"]["to_level"] == "III"
        assert body["text"].startswith("市辖区（1101）应急响应调整为Ⅲ级（较大），黄色（原为无）")
        assert rcpt == ["office@relief.example"]
        assert mail["Subject"].startswith("市辖区（1101） 应急响应 Ⅲ级（较大）")
        assert "response level III (yellow), was none" in mail.get_content()


def _rebind(session: Session, url: str) -> None:
    """Point the test channel at a new receiver address (its port changed)."""
    from streetrelief.notify.repository import channel_by_name  # noqa: PLC0415

    channel = channel_by_name(session, "hq-webhook")
    assert channel is not None
    channel.config = {**channel.config, "url": url}
    session.flush()
