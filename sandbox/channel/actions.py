"""What a person does on the page, turned into what Slack would do.

A slash command and a button press go to Ferry through SlackDriver as signed HTTP requests.
Ferry's replies come back through the stand-in (in the ack, which the driver records, or via
response_url, chat.postEphemeral, chat.postMessage) and reach the page from there.
"""

from __future__ import annotations

import html
import inspect
import json
import urllib.error
from typing import Any

from sandbox.channel.state import SLACKBOT, ChannelState
from sandbox.slack.driver import Delivery, SlackDriver
from sandbox.slack.standin import SlackMessage

COMMAND = "/migrate"


class ChannelActions:
    def __init__(self, state: ChannelState, driver: SlackDriver) -> None:
        self.state = state
        self.standin = state.standin
        self.driver = driver
        self._click_takes_trigger = "trigger_id" in inspect.signature(driver.click).parameters

    # -- the message box --------------------------------------------------------------------
    def type_text(self, user: str, text: str, thread_ts: str | None = None) -> dict[str, Any]:
        text = text.strip()
        if not text:
            return {"ok": False, "error": "empty"}
        if not text.startswith("/"):
            # Slack escapes &, < and > in what people type; the page's mrkdwn reads them back.
            self.standin.add_message(SlackMessage(channel=self.state.channel, ts=self.standin.next_ts(),
                                                  text=html.escape(text, quote=False), blocks=[], user=user,
                                                  thread_ts=thread_ts))
            return {"ok": True}
        name, _, rest = text.partition(" ")
        if name != COMMAND:
            self._ephemeral(user, f"`{name}` is not a valid command. In Slack, all messages that start with "
                                  f"the \"/\" character are interpreted as commands. Try `{COMMAND} help`.")
            return {"ok": False, "error": "unknown_command"}
        trigger = self.state.views.new_trigger(user)
        try:
            delivery = self.driver.command(rest.strip(), user=user, channel=self.state.channel, trigger_id=trigger)
        except (OSError, urllib.error.URLError):
            delivery = Delivery(0, "")
        if delivery.status != 200:
            self._ephemeral(user, f"{COMMAND} failed with the error \"dispatch_failed\"")
            return {"ok": False, "error": "dispatch_failed", "status": delivery.status}
        return {"ok": True}  # a reply in the ack is recorded by the driver, like response_url posts

    # -- buttons ----------------------------------------------------------------------------
    def click(self, user: str, ts: str, action_id: str, value: str) -> dict[str, Any]:
        message = next((m for m in self.standin.channel_messages(self.state.channel, for_user=user) if m.ts == ts),
                       None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        kwargs: dict[str, Any] = {}
        if self._click_takes_trigger:
            kwargs["trigger_id"] = self.state.views.new_trigger(user)
        else:
            self.state.views.acted(user)
        payload = {"type": "message", "ts": message.ts, "user": message.user, "text": message.text,
                   "blocks": message.blocks}
        try:
            delivery = self.driver.click(action_id, value, user=user, channel=self.state.channel, message_ts=ts,
                                         message=payload, **kwargs)
        except (OSError, urllib.error.URLError):
            delivery = Delivery(0, "")
        if delivery.status != 200:
            self._ephemeral(user, f":warning: Ferry did not answer that button (HTTP {delivery.status or 'error'}).")
            return {"ok": False, "error": "dispatch_failed", "status": delivery.status}
        return {"ok": True}

    # -- modals -----------------------------------------------------------------------------
    def submit_view(self, user: str, view_id: str, text: str) -> dict[str, Any]:
        view = self.state.views.get(view_id, user)
        if view is None:
            return {"ok": False, "error": "view_not_found"}
        try:
            delivery = self.driver.submit_view(view.view.get("callback_id", ""), view.view.get("private_metadata", ""),
                                               text, user=user)
        except (OSError, urllib.error.URLError):
            delivery = Delivery(0, "")
        if delivery.status != 200:
            return {"ok": False, "error": "dispatch_failed", "status": delivery.status}
        body = _json(delivery.body)
        if body.get("response_action") == "errors":  # Slack keeps the modal open and shows these
            return {"ok": False, "error": "invalid_input", "errors": body.get("errors") or {}}
        self.close_view(user, view_id)
        return {"ok": True}

    def close_view(self, user: str, view_id: str) -> dict[str, Any]:
        if self.state.views.get(view_id, user) is None:
            return {"ok": False, "error": "view_not_found"}
        self.state.views.close(view_id)
        self.state.changed()
        return {"ok": True}

    # -- helpers ----------------------------------------------------------------------------
    def _ephemeral(self, user: str, text: str) -> None:
        """What Slack itself says to one person (Slackbot's 'Only visible to you')."""
        self.standin.add_message(SlackMessage(channel=self.state.channel, ts=self.standin.next_ts(), text=text,
                                              blocks=[], user=SLACKBOT, ephemeral_to=user))


def _json(body: str) -> dict[str, Any]:
    try:
        value = json.loads(body or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
