"""The audit trail's card: the last entries, who did what, when, under which plan. The trail itself
is state/audit.py (every layer that acts writes to it); the verb is commands/audit.py."""

from __future__ import annotations

import re

from core.message import Context, Element, Header, Message, Section, escape, shown

SECTION_BUDGET = 2900  # Slack allows 3,000 characters a section
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
OUTCOME_ICONS = {"refused": ":no_entry:", "failed": ":x:", "rejected": ":no_entry_sign:", "void": ":warning:",
                 "expired": ":hourglass:", "approved": ":ballot_box_with_check:", "done": ":white_check_mark:"}


def message(entries: list[dict], export_hint: str) -> tuple[Message, dict]:
    """The audit card of `entries` (oldest first) and the plain data for `run --json`."""
    if not entries:
        message = Message("The audit trail is empty", [Section(":memo: The audit trail is empty: nothing was done yet.")])
        return message, {"entries": []}
    blocks: list[Element] = [Header(f"Audit trail: last {len(entries)}")]
    chunk: list[str] = []
    for line in (entry_line(e) for e in entries):
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > SECTION_BUDGET:
            blocks.append(Section("\n".join(chunk)))
            chunk = []
        chunk.append(line[:SECTION_BUDGET])
    if chunk:
        blocks.append(Section("\n".join(chunk)))
    blocks.append(Context([f"Times in UTC; users by Slack ID. Everything (or `--format json`): `{export_hint}`"]))
    if len(blocks) > 50:  # Slack's limit; keep the newest entries
        blocks = [blocks[0], *blocks[-49:]]
    return (Message(f"Audit trail: last {len(entries)} entries", blocks),
            {"entries": [{k: e[k] for k in ("id", "at", "user_id", "team_id", "enterprise_id", "action",
                                             "target", "outcome", "reason", "plan_hash")} for e in entries]})


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
