"""What a verb is given: who asked, where, and the services it may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from commands.message import Message
from config import Config
from state import Store, outbox
from state.audit import Who


class Directory(Protocol):
    """Resolves Slack user groups (S…) to their members. bot/ implements it with
    usergroups.users.list; the console has none."""

    def members(self, group_id: str) -> set[str]: ...


class NoDirectory:
    """Used where there is no Slack (console, `run`): user groups resolve to nobody."""

    def members(self, group_id: str) -> set[str]:
        return set()


class JobRunner(Protocol):
    """Hands long work to the scheduler (jobs/scheduler.py), so a Slack listener never runs it."""

    def run_soon(self, func_ref: str, *, job_id: str, kwargs: dict[str, Any]) -> None: ...

    def every(self, func_ref: str, *, job_id: str, seconds: float, kwargs: dict[str, Any] | None = None) -> None: ...

    def cron(self, func_ref: str, *, job_id: str, expression: str, kwargs: dict[str, Any] | None = None) -> None: ...

    def at(self, func_ref: str, *, job_id: str, when: Any, kwargs: dict[str, Any] | None = None) -> None: ...

    def remove(self, job_id: str) -> None: ...


@dataclass
class Services:
    config: Config
    store: Store
    directory: Directory = field(default_factory=NoDirectory)
    jobs: JobRunner | None = None

    def post(self, message: Message, *, card_key: str | None = None, thread_of: str | None = None,
             dedupe_key: str | None = None) -> int | None:
        """Queue a message for the migration channel (the poster sends it)."""
        return outbox.enqueue(self.store, self.config.slack.channel, message.to_dict(), card_key=card_key,
                              thread_of=thread_of, dedupe_key=dedupe_key)

    def post_ephemeral(self, user_id: str, message: Message) -> int | None:
        return outbox.enqueue(self.store, self.config.slack.channel, message.to_dict(), user_id=user_id)


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
