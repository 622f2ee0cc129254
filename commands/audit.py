"""`/migrate audit [N]`: the last N entries of the audit trail (who did what, when, under which
plan). The whole trail: `python -m bot audit --config app.yaml --format csv|json`."""

from __future__ import annotations

import re

from commands.audit_hint import export_command
from commands.context import Invocation, Reply
from commands.registry import Verb
from core.errors import UsageError
from core.message import Context, Element, Header, Message, Section, escape, shown
from state import audit

DEFAULT_N = 20
MAX_N = 200
SECTION_BUDGET = 2900  # Slack allows 3,000 characters a section
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
OUTCOME_ICONS = {"refused": ":no_entry:", "failed": ":x:", "rejected": ":no_entry_sign:", "void": ":warning:",
                 "expired": ":hourglass:", "approved": ":ballot_box_with_check:", "done": ":white_check_mark:"}


def handle(inv: Invocation) -> Reply:
    if len(inv.args) > 1:
        raise UsageError("`audit` takes at most one number.")
    n = DEFAULT_N
    if inv.args:
        # ASCII digits only: str.isdigit() also accepts '²' (int() refuses it), and int() of a
        # few thousand digits raises instead of answering.
        if not re.fullmatch(r"[0-9]{1,6}", inv.args[0]) or not 1 <= int(inv.args[0]) <= MAX_N:
            raise UsageError(f"`{shown(inv.args[0], 40)}` is not a number of entries between 1 and {MAX_N}.")
        n = int(inv.args[0])
    entries = list(reversed(audit.recent(inv.store, n)))  # oldest first, like a log
    if not entries:
        message = Message("The audit trail is empty", [Section(":memo: The audit trail is empty: nothing was done yet.")])
        return Reply(message, data={"entries": []})
    blocks: list[Element] = [Header(f"Audit trail: last {len(entries)}")]
    chunk: list[str] = []
    for line in (entry_line(e) for e in entries):
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > SECTION_BUDGET:
            blocks.append(Section("\n".join(chunk)))
            chunk = []
        chunk.append(line[:SECTION_BUDGET])
    if chunk:
        blocks.append(Section("\n".join(chunk)))
    blocks.append(Context([f"Times in UTC; users by Slack ID. Everything (or `--format json`): "
                           f"`{export_command(inv.services.config.source_path)}`"]))
    if len(blocks) > 50:  # Slack's limit; keep the newest entries
        blocks = [blocks[0], *blocks[-49:]]
    return Reply(Message(f"Audit trail: last {len(entries)} entries", blocks),
                 data={"entries": [{k: e[k] for k in ("id", "at", "user_id", "team_id", "enterprise_id", "action",
                                                       "target", "outcome", "reason", "plan_hash")}
                                   for e in entries]})


def entry_line(e: dict) -> str:
    at = (e["at"] or "")[:19].replace("T", " ")
    # Everything stored may have been typed by someone (a reason, a forged value as the target):
    # shown escaped, so it cannot mention, broadcast or link. Only a real Slack user ID is a mention.
    user = e.get("user_id") or ""
    who = f"<@{user}>" if _USER_ID.fullmatch(user) else f"`{shown(user, 40)}`"
    line = f"`{at}` {OUTCOME_ICONS.get(e['outcome'], '•')} {who} *{escape(e['action'])}*"
    if e.get("target"):
        line += f" `{shown(e['target'], 120)}`"
    line += f" — {escape(e['outcome'])}"
    if e.get("reason"):
        line += f": {shown(e['reason'], 200)}"
    if e.get("plan_hash"):
        line += f" · plan `{e['plan_hash'][:12]}`"
    return line


VERB = Verb(
    name="audit",
    usage="audit [N]",
    summary="who did what, when (the last N entries of the audit trail, default 20)",
    handler=handle,
    inline=True,  # from state alone, in milliseconds: answered inside Slack's ack
    examples=("audit", "audit 50"),
)
