"""`/migrate status`: what state holds — transfers, validations, cutover stage, open alerts.

Each feature contributes its part of the card through `SECTIONS` (module:function returning
a `StatusPart` or None), so status grows with the features without knowing them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from commands.context import Invocation, Reply, Services
from commands.errors import UsageError
from commands.message import Context, Divider, Element, Header, Message, Section
from commands.registry import Verb
from state import runs

STATE_ICONS = {
    "pending": ":hourglass_flowing_sand:", "running": ":arrows_counterclockwise:", "paused": ":double_vertical_bar:",
    "stalled": ":warning:", "done": ":white_check_mark:", "passed": ":white_check_mark:", "failed": ":x:",
    "cancelled": ":no_entry_sign:", "mismatch": ":rotating_light:",
}


@dataclass
class StatusPart:
    title: str
    lines: list[str]
    data: dict[str, Any] = field(default_factory=dict)


# Kinds of run that a feature's own part already shows in full.
SHOWN_ELSEWHERE = ("transfer", "cutover-step")


def runs_part(services: Services) -> StatusPart | None:
    """Every other kind of run (assessments, validations run by hand, ...): the latest per
    subject, active ones first."""
    recent = [r for r in runs.recent(services.store, limit=200) if r.kind not in SHOWN_ELSEWHERE]
    if not recent:
        return None
    latest: dict[tuple[str, str], runs.Run] = {}
    for run in recent:
        latest.setdefault((run.kind, run.subject), run)
    ordered = sorted(latest.values(), key=lambda r: (not r.active, r.kind, r.subject))
    lines = [f"{STATE_ICONS.get(r.state, '•')} *{r.kind}* `{r.subject}` — {r.state}"
             + (f" ({r.detail['summary']})" if r.detail.get("summary") else "")
             + (f" — {r.error}" if r.error and r.error != r.detail.get("summary") else "") for r in ordered[:30]]
    data = [{"id": r.id, "kind": r.kind, "subject": r.subject, "state": r.state, "error": r.error}
            for r in ordered]
    return StatusPart("Recent runs", lines, {"runs": data})


SECTIONS: tuple[str, ...] = (
    "commands.transfer_verbs.status:transfers_part",
    "jobs.validation.status:status_part",
    "commands.cutover:status_part",
    "commands.status:runs_part",
)


def parts(services: Services) -> list[StatusPart]:
    out = []
    for ref in SECTIONS:
        module, func = ref.split(":")
        part = getattr(importlib.import_module(module), func)(services)
        if part is not None:
            out.append(part)
    return out


def handle(inv: Invocation) -> Reply:
    if inv.args:
        raise UsageError("`status` takes no arguments.")
    found = parts(inv.services)
    title = "Ferry status"
    if not found:
        message = Message(
            "Ferry status: nothing started yet",
            [
                Header(title),
                Section(":seedling: *Nothing started yet.* No transfer, validation or cutover step has run."),
                Context(["Try `/migrate assess` to inventory the source cluster, `/migrate plan` for an ETA, "
                         "or `/migrate help` for every verb."]),
            ],
        )
        return Reply(message, data={"empty": True, "parts": []})
    blocks: list[Element] = [Header(title)]
    for part in found:
        blocks.extend(Section(text) for text in _sections(f"*{part.title}*", part.lines))
        blocks.append(Divider())
    blocks.append(Context([f"Config version `{inv.config.version}`"]))
    summary = "; ".join(f"{p.title}: {len(p.lines)}" for p in found)
    return Reply(Message(f"Ferry status — {summary}", blocks),
                 data={"empty": False, "parts": [{"title": p.title, **p.data} for p in found]})


def _sections(title: str, lines: list[str], budget: int = 2_900) -> list[str]:
    """A part's lines in as many sections as they need (Slack cuts a section at 3,000
    characters): with many transfers or validations, none is dropped from the end."""
    texts, current = [], title
    for line in lines:
        line = line if len(line) <= budget - 100 else line[: budget - 101] + "…"
        if len(current) + 1 + len(line) > budget:
            texts.append(current)
            current = line
        else:
            current += "\n" + line
    texts.append(current)
    return texts


VERB = Verb(
    name="status",
    usage="status",
    summary="transfers, validations, cutover stage, open alerts",
    handler=handle,
    inline=True,
    examples=("status",),
)
