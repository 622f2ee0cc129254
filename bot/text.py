"""Message -> plain text for the console and `python -m bot run`."""

from __future__ import annotations

import re

from bot.blocks import table_text
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

_LINK = re.compile(r"<((?:https?|mailto):[^|<>\s]+)(?:\|([^<>]+))?>")


def plain(mrkdwn: str) -> str:
    """Slack's mentions and links as text. Only a real link (http, https, mailto) is one:
    `<table|all>` in a usage line stays as typed."""
    text = re.sub(r"<#([A-Z0-9]+)>", r"#\1", mrkdwn)
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    # Slack's three escapes, read back last so an escaped `&lt;x|y&gt;` never becomes a link.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render(message: Message, buttons_from: int = 1) -> tuple[str, list]:
    """Text of the message, and its buttons in the order they are numbered."""
    lines: list[str] = []
    buttons = []
    for b in message.blocks:
        if isinstance(b, Header):
            lines.append(f"== {b.text} ==")
        elif isinstance(b, Section):
            if b.text:
                lines.append(plain(b.text))
            for f in b.fields:
                lines.append("  " + plain(f).replace("\n", " "))
            if b.button:
                buttons.append(b.button)
                lines.append(f"  [{buttons_from + len(buttons) - 1}] {b.button.label}")
        elif isinstance(b, Context):
            lines.append("  " + " | ".join(plain(t) for t in b.texts))
        elif isinstance(b, Divider):
            lines.append("-" * 40)
        elif isinstance(b, Actions):
            labels = []
            for button in b.buttons:
                buttons.append(button)
                labels.append(f"[{buttons_from + len(buttons) - 1}] {button.label}")
            lines.append("  " + "   ".join(labels))
        elif isinstance(b, Table):
            lines.append(table_text(b, 100_000).strip("`\n"))
        elif isinstance(b, Image):
            lines.append(f"[image: {b.alt}]")
    if not lines:
        lines.append(message.text)
    if message.attachment:
        lines.append(message.attachment)
    return "\n".join(lines), buttons


def from_block_kit(payload: dict) -> Message:
    """Rebuild a Message from rendered Block Kit, so what the poster (or the Slack stand-in)
    holds can be printed as text: the console and the demo's terminal client."""

    blocks = []
    for b in payload.get("blocks", []):
        kind = b["type"]
        if kind == "header":
            blocks.append(Header(b["text"]["text"]))
        elif kind == "section":
            accessory = b.get("accessory")
            button = _button(accessory) if accessory and accessory.get("type") == "button" else None
            blocks.append(Section(b.get("text", {}).get("text", ""), [f["text"] for f in b.get("fields", [])], button))
        elif kind == "context":
            blocks.append(Context([e.get("text", "") for e in b["elements"]]))
        elif kind == "divider":
            blocks.append(Divider())
        elif kind == "actions":
            blocks.append(Actions([_button(e) for e in b["elements"] if e.get("type") == "button"]))
    return Message(payload.get("text", ""), blocks)


def _button(element: dict) -> Button:
    confirm = element.get("confirm")
    return Button(element["text"]["text"], element["action_id"], element.get("value", ""), element.get("style"),
                  Confirm(confirm["title"]["text"], confirm["text"]["text"], confirm["confirm"]["text"],
                          confirm["deny"]["text"]) if confirm else None)
