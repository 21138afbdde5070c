"""Work-chat robots: WeCom (企业微信) group robot, DingTalk (钉钉) custom robot, Feishu/Lark (飞书)
custom bot and Slack incoming webhooks.

Each is a JSON POST to the webhook URL the chat gives when the robot is added (the URL itself
holds the robot's key or token, so it is a secret too). The Chinese robots answer HTTP 200 even
when they refuse a message and put the verdict in the JSON reply; a non-zero code there is a
failure here, with the vendor's code and message as its reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from typing import Any

import httpx

from streetrelief.core.clock import Clock
from streetrelief.core.errors import DeliveryFailedError
from streetrelief.integrations.http_post import REASON_MAX_CHARS, json_bytes, post, reply_json
from streetrelief.notify.ports import Message

WECOM_MARKDOWN_MAX_BYTES = 4096
"""Longest WeCom markdown content, UTF-8 bytes (WeCom group robot doc, markdown type)."""

DINGTALK_MSGTYPES = ("markdown", "text")


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes without splitting a character."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode(errors="ignore") + "…"


def _check_code(response: httpx.Response, *keys: str) -> None:
    """Raise unless the reply's first present code key (``errcode``, ``code``...) is 0."""
    data = reply_json(response)
    for key in keys:
        if key in data:
            code = data[key]
            if code == 0:
                return
            msg = data.get("errmsg", data.get("msg", data.get("StatusMessage", "")))
            raise DeliveryFailedError(
                f"robot refused: {key}={code} {str(msg)[:REASON_MAX_CHARS]}",
                status_code=response.status_code,
            )
    raise DeliveryFailedError(
        f"robot reply without {'/'.join(keys)}: {response.text[:REASON_MAX_CHARS]}",
        status_code=response.status_code,
    )


def wecom_body(message: Message) -> dict[str, Any]:
    """The WeCom group robot's markdown message: ``{"msgtype": "markdown", "markdown":
    {"content": ...}}``, content at most 4096 bytes.

    Source: 企业微信开发者中心, 群机器人配置说明 (developer.work.weixin.qq.com/document/path/91770),
    markdown 类型.
    """
    content = truncate_utf8(message.markdown, WECOM_MARKDOWN_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


class WeComRobot:
    """A WeCom (企业微信) group robot: POST to ``https://qyapi.weixin.qq.com/cgi-bin/webhook/
    send?key=KEY``; the reply ``{"errcode": 0, "errmsg": "ok"}`` accepts.

    Source: 群机器人配置说明, developer.work.weixin.qq.com/document/path/91770.
    """

    def __init__(self, url: str, *, client: httpx.Client) -> None:
        self.url = url
        self.client = client

    def deliver(self, message: Message) -> int:
        """Send the markdown message.

        Raises:
            DeliveryFailedError: no 2xx reply, or ``errcode`` other than 0.
        """
        response = post(self.client, self.url, json_bytes(wecom_body(message)))
        _check_code(response, "errcode")
        return response.status_code


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` query value: HMAC-SHA256 keyed with ``secret`` of
    ``f"{timestamp_ms}\\n{secret}"``, base64, then URL-encoded (``quote_plus``).

    Args:
        secret: the robot's ``SEC...`` secret (加签).
        timestamp_ms: Unix time in milliseconds; DingTalk refuses one more than an hour off.

    Source: 钉钉开放平台, 自定义机器人安全设置, 加签
    (open.dingtalk.com/document/robots/customize-robot-security-settings).
    """
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_body(message: Message, msgtype: str) -> dict[str, Any]:
    """DingTalk's ``text`` (``{"msgtype": "text", "text": {"content"}}``) or ``markdown``
    (``{"msgtype": "markdown", "markdown": {"title", "text"}}``) message.

    Source: 钉钉开放平台, 自定义机器人发送群消息, 消息类型
    (open.dingtalk.com/document/robots/custom-robot-access).
    """
    if msgtype == "text":
        return {"msgtype": "text", "text": {"content": message.text}}
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": message.markdown}}


class DingTalkRobot:
    """A DingTalk (钉钉) custom robot: POST to ``https://oapi.dingtalk.com/robot/send?
    access_token=TOKEN``, in signed mode with ``&timestamp=<ms>&sign=<sign>`` appended; the
    reply ``{"errcode": 0, "errmsg": "ok"}`` accepts.

    Source: open.dingtalk.com/document/robots/custom-robot-access and
    open.dingtalk.com/document/robots/customize-robot-security-settings.
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str | None,
        msgtype: str,
        client: httpx.Client,
        clock: Clock,
    ) -> None:
        self.url = url
        self.secret = secret
        self.msgtype = msgtype
        self.client = client
        self.clock = clock

    def signed_url(self) -> str:
        """The URL to POST to now: the robot URL, plus timestamp and sign in signed mode."""
        if not self.secret:
            return self.url
        timestamp_ms = int(self.clock.now().timestamp() * 1000)
        joiner = "&" if urllib.parse.urlsplit(self.url).query else "?"
        sign = dingtalk_sign(self.secret, timestamp_ms)
        return f"{self.url}{joiner}timestamp={timestamp_ms}&sign={sign}"

    def deliver(self, message: Message) -> int:
        """Send the message.

        Raises:
            DeliveryFailedError: no 2xx reply, or ``errcode`` other than 0 (e.g. 310000 for a
                bad sign or a keyword the robot requires).
        """
        body = json_bytes(dingtalk_body(message, self.msgtype))
        response = post(self.client, self.signed_url(), body)
        _check_code(response, "errcode")
        return response.status_code


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign``: HMAC-SHA256 keyed with ``f"{timestamp_s}\\n{secret}"`` over an empty
    message, base64. (The key is the string to sign, unlike DingTalk's.)

    Args:
        secret: the bot's signing secret (签名校验).
        timestamp_s: Unix time in seconds; Feishu refuses one more than an hour off.

    Source: 飞书开放平台, 自定义机器人使用指南, 签名校验
    (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
    """
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_body(message: Message, *, secret: str | None, timestamp_s: int) -> dict[str, Any]:
    """Feishu's text message ``{"msg_type": "text", "content": {"text"}}``, with ``timestamp``
    and ``sign`` at the top level in signed mode.

    Source: open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (发送文本消息, 签名校验).
    """
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": message.text}}
    if secret:
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **body}
    return body


class FeishuRobot:
    """A Feishu/Lark (飞书) custom bot: POST to ``https://open.feishu.cn/open-apis/bot/v2/hook/
    TOKEN``; the reply ``{"code": 0, ...}`` (older bots: ``{"StatusCode": 0}``) accepts.

    Source: open.feishu.cn/document/client-docs/bot-v3/add-custom-bot.
    """

    def __init__(self, url: str, *, secret: str | None, client: httpx.Client, clock: Clock) -> None:
        self.url = url
        self.secret = secret
        self.client = client
        self.clock = clock

    def deliver(self, message: Message) -> int:
        """Send the text message.

        Raises:
            DeliveryFailedError: no 2xx reply, or ``code`` other than 0 (e.g. 19021, sign match
                fail or timestamp more than an hour off).
        """
        timestamp_s = int(self.clock.now().timestamp())
        body = feishu_body(message, secret=self.secret, timestamp_s=timestamp_s)
        response = post(self.client, self.url, json_bytes(body))
        _check_code(response, "code", "StatusCode")
        return response.status_code


def slack_body(message: Message) -> dict[str, Any]:
    """Slack's incoming-webhook payload ``{"text": ...}``: the title in bold, then the text.

    Source: Slack API, "Sending messages using incoming webhooks" (api.slack.com/messaging/
    webhooks); ``*bold*`` is Slack's mrkdwn (api.slack.com/reference/surfaces/formatting).
    """
    return {"text": f"*{message.title}*\n{message.text}"}


class SlackWebhook:
    """A Slack incoming webhook: POST to ``https://hooks.slack.com/services/...``; HTTP 200 with
    body ``ok`` accepts, an error is a 4xx with a short code (``invalid_payload``, ``no_service``).

    Source: api.slack.com/messaging/webhooks, "Handling errors".
    """

    def __init__(self, url: str, *, client: httpx.Client) -> None:
        self.url = url
        self.client = client

    def deliver(self, message: Message) -> int:
        """Send the message.

        Raises:
            DeliveryFailedError: no 2xx reply (Slack's error code is in the reason).
        """
        return post(self.client, self.url, json_bytes(slack_body(message))).status_code
