"""Channels against real local receivers: the signed webhook, the chat robots' bodies and
signatures, their error replies, timeouts, and e-mail over SMTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import DeliveryFailedError, SignatureInvalidError
from streetrelief.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify_signature
from streetrelief.integrations.chat_robots import (
    DingTalkRobot,
    FeishuRobot,
    SlackWebhook,
    WeComRobot,
    truncate_utf8,
)
from streetrelief.integrations.smtp import SmtpEmail, SmtpSettings
from streetrelief.integrations.webhook import DELIVERY_HEADER, SignedWebhook
from streetrelief.notify.ports import Message
from tests.factories.notify import SECRET
from tests.notify.receivers import HttpReceiver, free_port, http_receiver, smtp_receiver

MESSAGE = Message(
    key="delivery-1",
    title="市辖区（1101） 应急响应 Ⅲ级（较大） / 市辖区 (1101): response level III (yellow)",
    text="市辖区（1101）应急响应调整为Ⅲ级（较大），黄色。\n\n市辖区 (1101): response level III.",
    markdown="### 市辖区（1101） 应急响应 Ⅲ级（较大）\n> 触发：天气实况",
    event={"id": 1, "type": "response.level_changed", "payload": {"to_level": "III"}},
    recipients=("leader@relief.example",),
)


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as r:
        yield r


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as client:
        yield client


class TestWebhookSignature:
    def test_delivered_request_verifies(
        self, receiver: HttpReceiver, http: httpx.Client, clock: FixedClock
    ) -> None:
        assert (
            SignedWebhook(receiver.url + "/hook", SECRET, client=http, clock=clock).deliver(MESSAGE)
            == 200
        )
        [got] = receiver.requests
        assert got.headers[DELIVERY_HEADER] == "delivery-1"
        assert got.headers["X-StreetRelief-Event"] == "response.level_changed"
        assert got.json()["event"]["payload"] == {"to_level": "III"}
        assert got.json()["title"] == MESSAGE.title
        verify_signature(
            SECRET,
            got.body,
            timestamp=got.headers[TIMESTAMP_HEADER],
            signature=got.headers[SIGNATURE_HEADER],
            now=clock.now() + timedelta(seconds=30),
        )

    def test_signature_is_hmac_sha256_of_timestamp_dot_body(self) -> None:
        expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
        assert sign("k", 1700000000, b"{}") == f"v1={expected}"

    @pytest.mark.parametrize(
        ("body", "secret", "skew_s", "reason"),
        [
            (b'{"a":2}', SECRET, 0, "does not match"),
            (b'{"a":1}', "another-secret", 0, "does not match"),
            (b'{"a":1}', SECRET, 301, "more than 300 s"),
            (b'{"a":1}', SECRET, -301, "more than 300 s"),
        ],
        ids=["tampered-body", "wrong-secret", "stale", "from-the-future"],
    )
    def test_tampered_or_stale_refused(
        self, clock: FixedClock, body: bytes, secret: str, skew_s: int, reason: str
    ) -> None:
        ts = int(clock.now().timestamp())
        signature = sign(SECRET, ts, b'{"a":1}')
        with pytest.raises(SignatureInvalidError, match=reason):
            verify_signature(
                secret,
                body,
                timestamp=str(ts),
                signature=signature,
                now=clock.now() + timedelta(seconds=skew_s),
            )

    def test_rotated_signatures_any_match_accepted(self, clock: FixedClock) -> None:
        ts = int(clock.now().timestamp())
        both = f"{sign('old', ts, b'x')},{sign(SECRET, ts, b'x')}"
        verify_signature(SECRET, b"x", timestamp=str(ts), signature=both, now=clock.now())

    @pytest.mark.parametrize(("timestamp", "signature"), [(None, "v1=00"), ("12a", "v1=00")])
    def test_missing_or_malformed_headers_refused(
        self, clock: FixedClock, timestamp: str | None, signature: str
    ) -> None:
        with pytest.raises(SignatureInvalidError):
            verify_signature(
                SECRET, b"x", timestamp=timestamp, signature=signature, now=clock.now()
            )


class TestRobots:
    def test_wecom_markdown_body(self, receiver: HttpReceiver, http: httpx.Client) -> None:
        WeComRobot(receiver.url + "/cgi-bin/webhook/send?key=k1", client=http).deliver(MESSAGE)
        [got] = receiver.requests
        assert got.query == {"key": "k1"}
        assert got.json() == {"msgtype": "markdown", "markdown": {"content": MESSAGE.markdown}}

    def test_wecom_errcode_is_a_failure(self, receiver: HttpReceiver, http: httpx.Client) -> None:
        receiver.reply = b'{"errcode":93000,"errmsg":"invalid webhook url"}'
        with pytest.raises(DeliveryFailedError, match="errcode=93000 invalid webhook url"):
            WeComRobot(receiver.url + "/send?key=bad", client=http).deliver(MESSAGE)

    def test_wecom_content_cut_to_4096_bytes(self) -> None:
        cut = truncate_utf8("响" * 2000, 4096)
        assert len(cut.encode()) <= 4096
        assert cut.endswith("…")

    def test_dingtalk_signed_markdown(
        self, receiver: HttpReceiver, http: httpx.Client, clock: FixedClock
    ) -> None:
        robot = DingTalkRobot(
            receiver.url + "/robot/send?access_token=t1",
            secret="SECabc",
            msgtype="markdown",
            client=http,
            clock=clock,
        )
        robot.deliver(MESSAGE)
        [got] = receiver.requests
        timestamp = got.query["timestamp"]
        assert timestamp == str(int(clock.now().timestamp() * 1000))
        # The vendor's recipe: HMAC-SHA256 keyed with the secret over "timestamp\nsecret",
        # base64; parse_qsl has undone the URL encoding.
        digest = hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()
        assert got.query["sign"] == base64.b64encode(digest).decode()
        assert got.query["access_token"] == "t1"
        assert got.json() == {
            "msgtype": "markdown",
            "markdown": {"title": MESSAGE.title, "text": MESSAGE.markdown},
        }

    def test_dingtalk_text_unsigned(
        self, receiver: HttpReceiver, http: httpx.Client, clock: FixedClock
    ) -> None:
        robot = DingTalkRobot(
            receiver.url + "/robot/send?access_token=t1",
            secret=None,
            msgtype="text",
            client=http,
            clock=clock,
        )
        robot.deliver(MESSAGE)
        [got] = receiver.requests
        assert got.query == {"access_token": "t1"}
        assert got.json() == {"msgtype": "text", "text": {"content": MESSAGE.text}}

    def test_dingtalk_errcode_is_a_failure(
        self, receiver: HttpReceiver, http: httpx.Client, clock: FixedClock
    ) -> None:
        receiver.reply = b'{"errcode":310000,"errmsg":"sign not match"}'
        robot = DingTalkRobot(
            receiver.url + "/robot/send?access_token=t1",
            secret="SECabc",
            msgtype="markdown",
            client=http,
            clock=clock,
        )
        with pytest.raises(DeliveryFailedError, match="errcode=310000 sign not match"):
            robot.deliver(MESSAGE)

    def test_feishu_signed_text(
        self, receiver: HttpReceiver, http: httpx.Client, clock: FixedClock
    ) -> None:
        receiver.reply = b'{"code":0,"msg":"success","data":{}}'
        FeishuRobot(
            receiver.url + "/open-apis/bot/v2/hook/h1", secret="fs", client=http, clock=clock
        ).deliver(MESSAGE)
        body = receiver.requests[0].json()
        timestamp = str(int(clock.now().timestamp()))
        # The vendor's recipe: HMAC-SHA256 keyed with "timestamp\nsecret" over nothing, base64.
        digest = hmac.new(f"{timestamp}\nfs".encode(), b"", hashlib.sha256).digest()
        assert body == {
            "timestamp": timestamp,
            "sign": base64.b64encode(digest).decode(),
            "msg_type": "text",
            "content": {"text": MESSAGE.text},
        }

    @pytest.mark.parametrize(
        "reply",
        [
            b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}',
            b'{"StatusCode":9499,"StatusMessage":"Bad Request"}',
        ],
    )
    def test_feishu_code_is_a_failure(
        self, receiver: HttpReceiver, http: httpx.Client, clock: FixedClock, reply: bytes
    ) -> None:
        receiver.reply = reply
        robot = FeishuRobot(receiver.url + "/hook/h1", secret=None, client=http, clock=clock)
        with pytest.raises(DeliveryFailedError, match="robot refused"):
            robot.deliver(MESSAGE)

    def test_slack_text(self, receiver: HttpReceiver, http: httpx.Client) -> None:
        receiver.reply = b"ok"
        SlackWebhook(receiver.url + "/services/T/B/X", client=http).deliver(MESSAGE)
        assert receiver.requests[0].json() == {"text": f"*{MESSAGE.title}*\n{MESSAGE.text}"}

    def test_slack_error_status_is_a_failure(
        self, receiver: HttpReceiver, http: httpx.Client
    ) -> None:
        receiver.status, receiver.reply = 400, b"invalid_payload"
        with pytest.raises(DeliveryFailedError, match="HTTP 400: invalid_payload"):
            SlackWebhook(receiver.url + "/services/T/B/X", client=http).deliver(MESSAGE)

    def test_non_json_reply_is_a_failure(self, receiver: HttpReceiver, http: httpx.Client) -> None:
        receiver.reply = b"<html>proxy error</html>"
        with pytest.raises(DeliveryFailedError, match="not JSON"):
            WeComRobot(receiver.url + "/send?key=k", client=http).deliver(MESSAGE)


class TestUnreachable:
    def test_hanging_receiver_times_out(self, receiver: HttpReceiver, clock: FixedClock) -> None:
        receiver.hang = True
        with (
            httpx.Client(timeout=0.2) as short,
            pytest.raises(DeliveryFailedError, match="timed out"),
        ):
            SignedWebhook(receiver.url, SECRET, client=short, clock=clock).deliver(MESSAGE)

    def test_refused_connection_fails(self, http: httpx.Client, clock: FixedClock) -> None:
        url = f"http://127.0.0.1:{free_port()}/hook"
        with pytest.raises(DeliveryFailedError, match="could not reach"):
            SignedWebhook(url, SECRET, client=http, clock=clock).deliver(MESSAGE)


def _smtp(port: int) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=port,
        starttls=False,
        user=None,
        password=None,
        from_addr="duty@relief.example",
        timeout_s=2.0,
    )


class TestEmail:
    def test_mail_reaches_channel_and_event_recipients(self) -> None:
        with smtp_receiver() as smtp:
            SmtpEmail(
                _smtp(smtp.port), ["office@relief.example"], add_event_recipients=True
            ).deliver(MESSAGE)
            [(rcpt, mail)] = smtp.wait_for(1)
        assert rcpt == ["office@relief.example", "leader@relief.example"]
        assert mail["Subject"] == MESSAGE.title
        assert mail["X-StreetRelief-Delivery"] == "delivery-1"
        assert "应急响应调整为Ⅲ级" in mail.get_content()

    def test_event_recipients_ignored_unless_asked(self) -> None:
        with smtp_receiver() as smtp:
            SmtpEmail(
                _smtp(smtp.port), ["office@relief.example"], add_event_recipients=False
            ).deliver(MESSAGE)
            [(rcpt, _mail)] = smtp.wait_for(1)
        assert rcpt == ["office@relief.example"]

    def test_server_down_fails(self) -> None:
        channel = SmtpEmail(_smtp(free_port()), ["a@relief.example"], add_event_recipients=False)
        with pytest.raises(DeliveryFailedError, match="SMTP"):
            channel.deliver(MESSAGE)
