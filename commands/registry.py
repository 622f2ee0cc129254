"""The verb registry: the one place a verb is added.

A verb is a module under commands/ that defines `VERB = Verb(...)`. Add it to the list in
commands/verbs.py and it appears in `/migrate help`, in the console and in `python -m bot run`.
Buttons belong to verbs too: `Verb.actions` maps an action name to its handler, and a button's
action_id is `ferry:<verb>:<action>`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from commands.context import Invocation, Reply


class Permission(Enum):
    READ = "read"  # anyone in the migration channel
    OPERATE = "operate"  # people.operators
    APPROVE = "approve"  # people.approvers


Handler = Callable[[Invocation], Reply]


@dataclass(frozen=True)
class Action:
    handler: Handler
    permission: Permission = Permission.OPERATE
    # What the dispatcher should add to an audit entry it writes for this button (a refusal
    # before the handler runs): e.g. {"plan_hash": ...} derived from the button's value.
    audit_context: Callable[[Any, str], dict[str, Any]] | None = None
    # What a second identical click is told (the first one acted): "You already approved this step."
    repeated: str | None = None


@dataclass(frozen=True)
class Verb:
    name: str
    usage: str  # "count <table|all>"
    summary: str  # one line for help
    handler: Handler
    permission: Permission = Permission.READ
    actions: dict[str, Action] = field(default_factory=dict)
    examples: tuple[str, ...] = ()
    # True for verbs that answer from state alone in a few milliseconds (help, status): Slack gets
    # the answer in the ack itself, computed in the request thread, where only the state reads
    # have a deadline (Store.within). Anything that may call an outside system or wait on
    # something else stays False.
    inline: bool = False


@functools.cache
def verbs() -> dict[str, Verb]:
    """All registered verbs by name, in help order (one dict, built on first use)."""
    from commands.verbs import VERBS  # the verb modules import this one

    return {verb.name: verb for verb in VERBS}


def action_id(verb: str, action: str) -> str:
    return f"ferry:{verb}:{action}"


def parse_action_id(value: str) -> tuple[str, str] | None:
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "ferry":
        return None
    return parts[1], parts[2]
