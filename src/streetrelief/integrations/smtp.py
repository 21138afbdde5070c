"""E-mail notifications over SMTP with the standard library (``smtplib``, ``email``).

One plain-text message per delivery, UTF-8, with the delivery key in ``X-StreetRelief-Delivery``
so a mail rule can drop a repeat. STARTTLS (RFC 3207) upgrades the connection before the login
(RFC 4954) when the settings ask for it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from streetrelief.core.errors import DeliveryFailedError
from streetrelief.notify.ports import Message


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail (from ``STREETRELIEF_SMTP_*``)."""

    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    from_addr: str
    timeout_s: float


def email_message(message: Message, *, from_addr: str, to: list[str]) -> EmailMessage:
    """The e-mail for ``message``: subject = title, body = text (Chinese, then English)."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = from_addr
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain=from_addr.rpartition("@")[2] or None)
    mail["X-StreetRelief-Delivery"] = message.key
    mail.set_content(message.text)
    return mail


class SmtpEmail:
    """Sends each message to the channel's addresses (and, if asked, to the event's own)."""

    def __init__(self, settings: SmtpSettings, to: list[str], *, add_event_recipients: bool):
        self.settings = settings
        self.to = to
        self.add_event_recipients = add_event_recipients

    def recipients(self, message: Message) -> list[str]:
        """The channel's addresses, then the event's recipients if the channel honours them."""
        extra = list(message.recipients) if self.add_event_recipients else []
        return list(dict.fromkeys([*self.to, *extra]))

    def deliver(self, message: Message) -> None:
        """Hand the e-mail to the SMTP server; return once it has accepted it.

        Raises:
            DeliveryFailedError: no recipients, the server could not be reached or timed out,
                STARTTLS or the login failed, or every recipient was refused.
        """
        to = self.recipients(message)
        if not to:
            raise DeliveryFailedError("no e-mail recipients")
        s = self.settings
        mail = email_message(message, from_addr=s.from_addr, to=to)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(mail, from_addr=s.from_addr, to_addrs=to)
        except smtplib.SMTPResponseException as exc:
            detail = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise DeliveryFailedError(f"SMTP {exc.smtp_code}: {detail}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailedError(f"SMTP refused {', '.join(exc.recipients)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailedError(f"SMTP: {type(exc).__name__}: {exc}") from exc
