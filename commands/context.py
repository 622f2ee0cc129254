"""What a verb is given: who asked, where, and the services it may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config import Config
from core.message import Message
from core.who import Who
from features.services import Services
from state import Store


@dataclass
class Invocation:
    """One use of a verb: `/migrate <verb> <args>` or a button click."""

    verb: str
    args: list[str]
    who: Who
    services: Services
    request_key: str | None = None  # idempotency key of the delivery (trigger id, button value)
    value: str = ""  # a button's value
    action: str = ""  # a button's action name
    message_ref: dict[str, Any] = field(default_factory=dict)  # the card the button sits on
    inputs: dict[str, str] = field(default_factory=dict)  # text typed into a modal (Reply.modal)

    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def store(self) -> Store:
        return self.services.store


@dataclass
class Reply:
    """What a verb answers. `ephemeral` replies go to the asker only; others are posted to the
    channel through the outbox (with `card_key`, as a card updated in place)."""

    message: Message | None = None
    ephemeral: bool = True
    card_key: str | None = None
    thread_of: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the plain result, for `run --json`
    # Ask for text first (e.g. a rejection reason): {"title", "label", "submit", "action_id", "value"}.
    # The submission comes back to the verb's action `action_id` with Invocation.inputs["input"].
    modal: dict[str, Any] | None = None
