"""Message (core/message.py) -> Block Kit, always inside Slack's limits.

Limits (Slack docs, checked by slack_sdk.models.blocks in the tests): 50 blocks a message,
section text 3,000 characters, 10 fields of 2,000, header 150, button text 75, value 2,000,
action_id 255, 25 elements in an actions block, 10 in a context block.
"""

from __future__ import annotations

from typing import Any

from core.message import (
    Actions,
    Button,
    Confirm,
    Context,
    Divider,
    Header,
    Image,
    Message,
    Section,
    Table,
)

MAX_BLOCKS = 50
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
FALLBACK_TEXT = 3000


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(message: Message) -> dict[str, Any]:
    """{'text': ..., 'blocks': [...]} ready for chat.postMessage / chat.update."""
    blocks: list[dict[str, Any]] = []
    for i, element in enumerate(message.blocks):
        blocks.extend(_element(element, i))
    if len(blocks) > MAX_BLOCKS:
        hidden = len(blocks) - (MAX_BLOCKS - 1)
        where = "; the full report is in the thread." if message.attachment else "."
        blocks = blocks[: MAX_BLOCKS - 1] + [_context([f"… {hidden} more blocks not shown (Slack shows at most "
                                                        f"{MAX_BLOCKS}){where}"])]
    return {"text": clip(message.text or " ", FALLBACK_TEXT), "blocks": blocks}


def _element(e: Any, index: int) -> list[dict[str, Any]]:
    if isinstance(e, Header):
        return [{"type": "header", "text": {"type": "plain_text", "text": clip(e.text, HEADER_TEXT), "emoji": True}}]
    if isinstance(e, Section):
        return [_section(e)]
    if isinstance(e, Context):
        texts = [t for t in e.texts if t][:CONTEXT_ELEMENTS]
        return [_context(texts)] if texts else []
    if isinstance(e, Divider):
        return [{"type": "divider"}]
    if isinstance(e, Actions):
        buttons = [_button(b) for b in e.buttons[:ACTIONS_ELEMENTS]]
        return [{"type": "actions", "block_id": f"actions-{index}", "elements": buttons}] if buttons else []
    if isinstance(e, Table):
        return [{"type": "section", "text": {"type": "mrkdwn", "text": table_text(e, SECTION_TEXT)}}]
    if isinstance(e, Image):
        return [{"type": "image", "image_url": e.url, "alt_text": clip(e.alt, 2000)}]
    raise TypeError(f"unknown message element {type(e).__name__}")


def _section(s: Section) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section"}
    if s.text:
        block["text"] = {"type": "mrkdwn", "text": clip(s.text, SECTION_TEXT)}
    if s.fields:
        block["fields"] = [{"type": "mrkdwn", "text": clip(f or " ", FIELD_TEXT)} for f in s.fields[:10]]
    if not s.text and not s.fields:
        block["text"] = {"type": "mrkdwn", "text": " "}
    if s.button:
        block["accessory"] = _button(s.button)
    return block


def _context(texts: list[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, 2000)} for t in texts]}


def _button(b: Button) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(b.label, BUTTON_TEXT), "emoji": True},
        "action_id": b.action_id[:ACTION_ID],
    }
    if b.value:
        if len(b.value) > BUTTON_VALUE:
            raise ValueError(f"button value of {len(b.value)} characters (Slack allows {BUTTON_VALUE})")
        out["value"] = b.value
    if b.style in ("primary", "danger"):
        out["style"] = b.style
    if b.confirm:
        out["confirm"] = _confirm(b.confirm)
    return out


def _confirm(c: Confirm) -> dict[str, Any]:
    return {
        "title": {"type": "plain_text", "text": clip(c.title, 100)},
        "text": {"type": "mrkdwn", "text": clip(c.text, 300)},
        "confirm": {"type": "plain_text", "text": clip(c.confirm, 30)},
        "deny": {"type": "plain_text", "text": clip(c.deny, 30)},
    }


def table_text(t: Table, limit: int) -> str:
    """A monospaced table in a code block, rows dropped (and counted) to fit `limit`."""
    widths = [len(c) for c in t.columns]
    for row in t.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(str(cell)))

    def line(cells: list[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            cell = str(cell)
            out.append(cell.rjust(widths[i]) if i in t.align_right else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    lines = [line(t.columns), line(["-" * w for w in widths])]
    budget = limit - 8 - 40  # the ``` fences and a "… more rows" line
    used = sum(len(x) + 1 for x in lines)
    shown = 0
    for row in t.rows:
        text = line(row)
        if used + len(text) + 1 > budget:
            break
        lines.append(text)
        used += len(text) + 1
        shown += 1
    if shown < len(t.rows):
        lines.append(f"… {len(t.rows) - shown} more rows")
    return "```\n" + "\n".join(lines) + "\n```"


def attachment_chunks(text: str, size: int = SECTION_TEXT - 10) -> list[str]:
    """A long report split into code blocks small enough for a section, on line boundaries."""
    chunks, current = [], ""
    for line in text.splitlines():
        line = clip(line, size - 8)
        if len(current) + len(line) + 1 > size - 8:
            chunks.append(current)
            current = ""
        current += line + "\n"
    if current:
        chunks.append(current)
    return ["```\n" + c.rstrip("\n") + "\n```" for c in chunks]
