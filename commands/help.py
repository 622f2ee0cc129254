"""`/migrate help`: every registered verb with its usage."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Permission, Verb, verbs
from core.errors import UsageError
from core.message import Context, Divider, Header, Message, Section, did_you_mean, shown

WHO = {Permission.READ: "anyone", Permission.OPERATE: "operators", Permission.APPROVE: "approvers"}


def handle(inv: Invocation) -> Reply:
    registry = verbs()
    if len(inv.args) > 1:
        raise UsageError("`help` takes at most one verb.")
    if inv.args:
        verb = registry.get(inv.args[0].lower())
        if verb is None:
            raise UsageError(f"`{shown(inv.args[0])}` is not a verb." + did_you_mean(inv.args[0], list(registry)))
        return Reply(_one(verb), data={"verbs": [_data(verb)]})
    lines = [f"`/migrate {v.usage}`  {v.summary}" for v in registry.values()]
    message = Message(
        "Ferry: /migrate verbs",
        [
            Header("Ferry: /migrate verbs"),
            Section("\n".join(lines)),
            Divider(),
            Context(["Read-only verbs: anyone in the channel. Mutating verbs: operators. Approvals: approvers.",
                     "`/migrate help <verb>` for details."]),
        ],
    )
    return Reply(message, data={"verbs": [_data(v) for v in registry.values()]})


def _one(verb: Verb) -> Message:
    text = f"*`/migrate {verb.usage}`*\n{verb.summary}\nWho: {WHO[verb.permission]}"
    if verb.examples:
        text += "\nExamples:\n" + "\n".join(f"`/migrate {e}`" for e in verb.examples)
    return Message(f"/migrate {verb.usage}", [Section(text)])


def _data(verb: Verb) -> dict:
    return {"verb": verb.name, "usage": verb.usage, "summary": verb.summary, "who": WHO[verb.permission]}


VERB = Verb(
    name="help",
    usage="help [verb]",
    summary="usage of every verb",
    handler=handle,
    inline=True,
    examples=("help", "help count"),
)
