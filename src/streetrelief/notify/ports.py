"""What the notify domain asks of the outside world: a channel that delivers one message.

The domain renders a :class:`Message` from a domain event and hands it to a :class:`Channel`;
the adapters (signed webhook, SMTP, work-chat robots) live in ``streetrelief.integrations`` and
turn it into their own wire format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Message:
    """One notification, in the words a duty officer reads and in data a machine reads.

    Attributes:
        key: stable id of what is delivered (``delivery-<id>`` or ``test-<channel>``), sent so a
            receiver can drop a repeat: delivery is at-least-once.
        title: one line, Chinese then English, e.g. ``东城区 Ⅲ级响应 / Dongcheng: level III``.
        text: plain text, a Chinese paragraph, a blank line, an English one.
        markdown: the same as ``text`` in the Markdown subset chat robots render.
        event: the event as JSON (id, type, region_code, occurred_at, masked payload), or
            None for a test message.
        recipients: e-mail addresses the event names for this message (e.g. leaders on duty);
            a channel configured to honour them adds them to its own.
    """

    key: str
    title: str
    text: str
    markdown: str
    event: dict[str, Any] | None = None
    recipients: tuple[str, ...] = field(default=())


class Channel(Protocol):
    """A way out: delivers one message or says why it could not."""

    def deliver(self, message: Message) -> int | None:
        """Send ``message``; return when the receiver has accepted it.

        Returns:
            The receiver's HTTP status, or None where there is none (SMTP).

        Raises:
            DeliveryFailedError: the receiver refused, answered with an error, timed out or
                could not be reached; its ``reason`` says which.
        """
        ...
