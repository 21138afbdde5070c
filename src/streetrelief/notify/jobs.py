"""The delivery worker: fan the outbox out, claim due deliveries, send them, record each try.

Unlike a one-transaction job this takes a session factory: claiming, sending and recording
are separate short transactions, so no database lock is held while a receiver is slow. Every
step can run twice, and two workers can run at once (see ``notify.service.claim_due``).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.config import Settings
from streetrelief.core.clock import Clock
from streetrelief.core.errors import ChannelConfigError, DeliveryFailedError
from streetrelief.db.engine import session_scope
from streetrelief.notify import service
from streetrelief.notify.channels import ChannelSpec, build_channel, smtp_settings
from streetrelief.notify.logic import retry_delay_s
from streetrelief.notify.models import DeliveryStatus
from streetrelief.notify.ports import Message
from streetrelief.notify.schemas import RoundResult

log = logging.getLogger(__name__)


@dataclass
class DeliveryWorker:
    """Delivers notifications with the given settings (``notify_*``, ``smtp_*``)."""

    factory: sessionmaker[Session]
    clock: Clock
    settings: Settings
    rng: random.Random = field(default_factory=random.Random)

    def run_round(self) -> RoundResult:
        """One round: fan out new events, then try every delivery due now, once."""
        s = self.settings
        with session_scope(self.factory) as session:
            fanned = service.fan_out(session, now=self.clock.now())
        with session_scope(self.factory) as session:
            claimed = service.claim_due(
                session,
                now=self.clock.now(),
                limit=s.notify_batch_size,
                lease=timedelta(seconds=s.notify_lease_s),
            )
        sent = failed = dead = 0
        with httpx.Client(timeout=s.notify_timeout_s) as http:
            for item in claimed:
                try:
                    status_code = self._send(http, item.channel, item.message)
                except DeliveryFailedError as exc:
                    status = self._failed(item.delivery_id, item.attempt, exc)
                    failed += 1
                    dead += status == DeliveryStatus.dead
                    continue
                with session_scope(self.factory) as session:
                    service.record_success(
                        session, item.delivery_id, now=self.clock.now(), status_code=status_code
                    )
                sent += 1
        return RoundResult(fan_out=fanned, sent=sent, failed=failed, dead=dead)

    def _send(self, http: httpx.Client, spec: ChannelSpec, message: Message) -> int | None:
        try:
            channel = build_channel(
                spec, http=http, smtp=smtp_settings(self.settings), clock=self.clock
            )
        except ChannelConfigError as exc:
            raise DeliveryFailedError(f"channel config: {exc.detail}") from exc
        return channel.deliver(message)

    def _failed(self, delivery_id: int, attempt: int, exc: DeliveryFailedError) -> DeliveryStatus:
        s = self.settings
        delay = retry_delay_s(
            attempt, base_s=s.notify_backoff_base_s, max_s=s.notify_backoff_max_s, rng=self.rng
        )
        with session_scope(self.factory) as session:
            return service.record_failure(
                session,
                delivery_id,
                now=self.clock.now(),
                reason=exc.reason,
                status_code=exc.status_code,
                max_attempts=s.notify_max_attempts,
                retry_in=timedelta(seconds=delay),
            )

    def run(self, stop: threading.Event) -> None:
        """Run rounds until ``stop`` is set; rest ``notify_poll_interval_s`` after an idle
        round. A database error ends the round, is logged, and the next round tries again."""
        while not stop.is_set():
            try:
                result = self.run_round()
            except SQLAlchemyError:
                log.exception("notification round failed; retrying after the poll interval")
                stop.wait(self.settings.notify_poll_interval_s)
                continue
            busy = result.fan_out.events_read > 0 or result.sent + result.failed > 0
            if not busy:
                stop.wait(self.settings.notify_poll_interval_s)


def send_test_message(spec: ChannelSpec, *, settings: Settings, clock: Clock) -> int | None:
    """Send the test message to a channel now, outside the delivery queue.

    Returns:
        The receiver's HTTP status (None for e-mail).

    Raises:
        DeliveryFailedError: the receiver did not accept it.
        ChannelConfigError: the stored config does not validate.
    """
    message = service.make_test_message(spec.name, now=clock.now())
    with httpx.Client(timeout=settings.notify_timeout_s) as http:
        channel = build_channel(spec, http=http, smtp=smtp_settings(settings), clock=clock)
        return channel.deliver(message)


class BackgroundWorker:
    """The delivery worker on a daemon thread, started and stopped with the API server."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self.worker = worker
        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=worker.run, args=(self.stop_event,), name="notify-worker", daemon=True
        )

    def start(self) -> None:
        """Start delivering."""
        self.thread.start()

    def stop(self) -> None:
        """Ask the worker to stop and wait for its round to end."""
        self.stop_event.set()
        self.thread.join()
