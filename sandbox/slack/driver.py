"""Deliver slash commands, button clicks and modal submissions to Ferry the way Slack does:
form-encoded bodies signed with the app's signing secret (`v0=` HMAC-SHA256 of
`v0:{timestamp}:{body}`), posted over HTTP to Ferry's /slack/events."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from sandbox.slack.standin import SlackStandIn

_ids = itertools.count(1)


@dataclass
class Delivery:
    status: int
    body: str


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackDriver:
    def __init__(self, ferry_url: str | None, signing_secret: str, standin: SlackStandIn | None = None,
                 team_id: str = "T0SANDBOX", enterprise_id: str | None = None, socket_mode=None) -> None:
        """Deliver over HTTP to `ferry_url`, or, with `socket_mode` (a SocketModeServer), as
        Socket Mode envelopes to a connected Ferry."""
        self.socket_mode = socket_mode
        ferry_url = ferry_url or "http://127.0.0.1:9"
        self.events_url = ferry_url.rstrip("/") + ("" if ferry_url.endswith("/slack/events") else "/slack/events")
        self.secret = signing_secret
        self.standin = standin
        self.team_id = team_id
        self.enterprise_id = enterprise_id

    def command(self, text: str, *, user: str, channel: str, trigger_id: str | None = None,
                retry_num: int | None = None, timestamp: int | None = None, secret: str | None = None) -> Delivery:
        trigger_id = trigger_id or f"{next(_ids)}.{int(time.time() * 1000)}.sandbox"
        fields = {
            "token": "deprecated", "team_id": self.team_id, "team_domain": "sandbox", "channel_id": channel,
            "channel_name": "migration", "user_id": user, "user_name": user.lower(), "command": "/migrate",
            "text": text, "api_app_id": "AFERRY", "is_enterprise_install": "false",
            "response_url": self._response_url(channel, user), "trigger_id": trigger_id,
        }
        if self.enterprise_id:
            fields["enterprise_id"] = self.enterprise_id
        if self.socket_mode is not None:
            ack = self.socket_mode.deliver("slash_commands", fields)
            delivery = Delivery(200, json.dumps(ack) if ack else "")
            self._show_ack_reply(delivery, channel, user)
            return delivery
        delivery = self._post(urllib.parse.urlencode(fields), retry_num=retry_num, timestamp=timestamp, secret=secret)
        self._show_ack_reply(delivery, channel, user)
        return delivery

    def _show_ack_reply(self, delivery: Delivery, channel: str, user: str) -> None:
        """A reply in the ack's body is shown by Slack like a response_url post: record it so."""
        if self.standin is None or delivery.status != 200 or not delivery.body.strip().startswith("{"):
            return
        body = json.loads(delivery.body)
        if body.get("text") or body.get("blocks"):
            self.standin.record_response({**body, "via": "ack"}, channel=channel, user=user)

    def click(self, action_id: str, value: str, *, user: str, channel: str, message_ts: str | None = None,
              message: dict[str, Any] | None = None, retry_num: int | None = None,
              trigger_id: str | None = None, label: str | None = None) -> Delivery:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "AFERRY",
            "token": "deprecated",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": trigger_id or f"{next(_ids)}.{int(time.time() * 1000)}.sandbox",
            "team": {"id": self.team_id, "domain": "sandbox"},
            "enterprise": {"id": self.enterprise_id} if self.enterprise_id else None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "migration"},
            "message": message or {"ts": message_ts, "type": "message"},
            "response_url": self._response_url(channel, user),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "action_ts": f"{time.time():.6f}"}],
        }
        # Slack sends the label the person pressed; given the message, it is read from there.
        label = label or _label_in(message, action_id, value)
        if label:
            payload["actions"][0]["text"] = {"type": "plain_text", "text": label}
        if self.socket_mode is not None:
            ack = self.socket_mode.deliver("interactive", payload)
            return Delivery(200, json.dumps(ack) if ack else "")
        return self._post(urllib.parse.urlencode({"payload": json.dumps(payload)}), retry_num=retry_num)

    def submit_view(self, callback_id: str, private_metadata: str, text: str, *, user: str) -> Delivery:
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "sandbox"},
            "enterprise": {"id": self.enterprise_id} if self.enterprise_id else None,
            "user": {"id": user, "team_id": self.team_id},
            "api_app_id": "AFERRY",
            "trigger_id": f"{next(_ids)}.{int(time.time() * 1000)}.sandbox",
            "view": {"id": "V1", "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
                     "state": {"values": {"input": {"text": {"type": "plain_text_input", "value": text}}}}},
        }
        return self._post(urllib.parse.urlencode({"payload": json.dumps(payload)}))

    def _response_url(self, channel: str, user: str) -> str:
        if self.standin is None:
            return "http://127.0.0.1:9/response/none"
        return self.standin.response_url_for(channel, user)

    def _post(self, body: str, *, retry_num: int | None = None, timestamp: int | None = None,
              secret: str | None = None) -> Delivery:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sign(secret or self.secret, ts, body),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        req = urllib.request.Request(self.events_url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return Delivery(resp.status, resp.read().decode())
        except urllib.error.HTTPError as e:
            return Delivery(e.code, e.read().decode())


def _label_in(message: dict[str, Any] | None, action_id: str, value: str) -> str | None:
    """The text of the button `action_id` (with `value`) in a message's blocks, if it is there."""
    for block in (message or {}).get("blocks") or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        for el in elements:
            if el.get("type") == "button" and el.get("action_id") == action_id and el.get("value", "") == value:
                return (el.get("text") or {}).get("text")
    return None
