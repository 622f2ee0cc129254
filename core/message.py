"""The plain message model verbs and jobs speak. No Slack here: bot/blocks.py turns a
`Message` into Block Kit, bot/console renders it as text, and the outbox stores it as JSON.

    Message(text="fallback", blocks=[Header("Status"), Section("*2* transfers"), Actions([...])])
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Header:
    text: str


@dataclass
class Section:
    text: str = ""
    fields: list[str] = field(default_factory=list)
    button: Button | None = None


@dataclass
class Context:
    texts: list[str]


@dataclass
class Divider:
    pass


@dataclass
class Confirm:
    title: str
    text: str
    confirm: str = "Yes"
    deny: str = "Cancel"


@dataclass
class Button:
    label: str
    action_id: str  # "ferry:<verb>:<action>"; see commands.registry
    value: str = ""
    style: str | None = None  # "primary" | "danger"
    confirm: Confirm | None = None


@dataclass
class Actions:
    buttons: list[Button]


@dataclass
class Table:
    """A small table, shown as monospaced text (Block Kit has no table block in messages)."""

    columns: list[str]
    rows: list[list[str]]
    align_right: list[int] = field(default_factory=list)  # column indexes with numbers


@dataclass
class Image:
    url: str
    alt: str


Element = Header | Section | Context | Divider | Actions | Table | Image
_TYPES: dict[str, type] = {c.__name__: c for c in (Header, Section, Context, Divider, Actions, Table, Image)}


@dataclass
class Message:
    text: str  # notification / fallback text
    blocks: list[Element] = field(default_factory=list)
    attachment: str | None = None  # a long plain-text report, posted as a file or in the thread
    # How the thread shows the attachment: "pre" monospaced (listings of keys and values, as typed),
    # "text" wrapping prose (a report written in paragraphs: it fits any width). Either way it is
    # split between paragraphs (blank lines), never inside one that fits a message.
    attachment_style: str = "pre"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "attachment": self.attachment,
            "blocks": [{"type": type(b).__name__, **asdict(b)} for b in self.blocks],
        }
        if self.attachment_style != "pre":
            out["attachment_style"] = self.attachment_style
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        blocks = []
        for raw in data.get("blocks", []):
            raw = dict(raw)
            kind = _TYPES[raw.pop("type")]
            if kind is Section and raw.get("button"):
                raw["button"] = _button(raw["button"])
            if kind is Actions:
                raw["buttons"] = [_button(b) for b in raw["buttons"]]
            blocks.append(kind(**raw))
        return cls(text=data["text"], blocks=blocks, attachment=data.get("attachment"),
                   attachment_style=data.get("attachment_style", "pre"))

    def buttons(self) -> list[Button]:
        out = []
        for b in self.blocks:
            if isinstance(b, Actions):
                out.extend(b.buttons)
            elif isinstance(b, Section) and b.button:
                out.append(b.button)
        return out


def _button(raw: dict[str, Any]) -> Button:
    raw = dict(raw)
    if raw.get("confirm"):
        raw["confirm"] = Confirm(**raw["confirm"])
    return Button(**raw)


def progress_bar(fraction: float, width: int = 20) -> str:
    """`▓▓▓▓▓░░░░░ 50%`: a progress bar that renders the same in Slack and a terminal."""
    fraction = max(0.0, min(1.0, fraction))
    filled = int(round(fraction * width))
    return "▓" * filled + "░" * (width - filled) + f" {fraction * 100:.0f}%"


# Bidirectional controls (embeddings, overrides, isolates, marks): `\u202e` makes `txt.exe` read
# as `exe.txt`, so text someone typed could show another meaning than it has.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutral(text: str) -> str:
    """`text` without bidirectional controls (for plain text: modal labels, the terminal)."""
    return _BIDI.sub("", text)


def escape(text: str) -> str:
    """Text a person typed, made safe to show in mrkdwn: `<!channel>` must not ping the channel
    from Ferry's card, nor `<https://…|Approve>` become a disguised link (Slack: escape & < >),
    nor a bidi override reorder what is read."""
    return neutral(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def did_you_mean(word: str, known: list[str]) -> str:
    """A sentence suggesting the known id closest to `word` (wrong case, a typo), or an empty
    string: for replies that name an unknown id."""
    lowered = {k.lower(): k for k in known}
    match = lowered.get(word.lower()) or next(iter(difflib.get_close_matches(word, known, n=1, cutoff=0.75)), None)
    return f" Did you mean `{match}`?" if match else ""


def shown(word: str, limit: int = 60) -> str:
    """What someone typed, quoted back in mrkdwn: at most `limit` characters long, escaped."""
    word = neutral(str(word))
    return escape(word if len(word) <= limit else word[: limit - 1] + "…")
