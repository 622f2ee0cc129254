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
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]+))?>")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)  # code is shown as typed: no emoji, no bold in it
# *bold*, _italic_, ~strike~: the marks only where Slack reads them (not inside a word: hbase_tables)
_MARKS = [re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]*?\S){m}(?![\w{m}])") for m in (r"\*", "_", "~")]
_SHORTCODE = re.compile(r":([a-z0-9_+\-]+):")

# Slack's shortcodes Ferry writes, as the characters a terminal prints (the local channel page has
# the same list in sandbox/channel/static/mrkdwn.js; tests/test_plain_text.py keeps them in step).
EMOJI = {
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "ballot_box_with_check": "☑️", "x": "❌",
    "warning": "⚠️", "rotating_light": "🚨", "no_entry": "⛔", "no_entry_sign": "🚫",
    "arrows_counterclockwise": "🔄", "hourglass_flowing_sand": "⏳", "hourglass": "⌛",
    "double_vertical_bar": "⏸️", "pause_button": "⏸️", "arrow_forward": "▶️", "black_square_for_stop": "⏹️",
    "octagonal_sign": "🛑", "stopwatch": "⏱️", "lock": "🔒", "unlock": "🔓", "key": "🔑", "rocket": "🚀",
    "tada": "🎉", "checkered_flag": "🏁", "mag": "🔍", "bar_chart": "📊", "chart_with_upwards_trend": "📈",
    "truck": "🚚", "ship": "🚢", "ferry": "⛴️", "package": "📦", "information_source": "ℹ️",
    "large_green_circle": "🟢", "large_yellow_circle": "🟡", "large_orange_circle": "🟠", "new": "🆕",
    "red_circle": "🔴", "white_circle": "⚪", "large_blue_circle": "🔵", "question": "❓", "grey_question": "❔",
    "exclamation": "❗", "grey_exclamation": "❕", "bell": "🔔", "memo": "📝", "clipboard": "📋", "gear": "⚙️",
    "construction": "🚧", "eyes": "👀", "thumbsup": "👍", "+1": "👍", "thumbsdown": "👎", "raised_hand": "✋",
    "wave": "👋", "fast_forward": "⏩", "rewind": "⏪", "leftwards_arrow_with_hook": "↩️",
    "heavy_minus_sign": "➖", "heavy_plus_sign": "➕", "link": "🔗", "floppy_disk": "💾",
    "card_index_dividers": "🗂️", "file_cabinet": "🗄️", "satellite": "📡", "zap": "⚡", "fire": "🔥",
    "zipper_mouth_face": "🤐", "mute": "🔇", "sos": "🆘", "bulb": "💡", "calendar": "📅", "clock3": "🕒",
    "busts_in_silhouette": "👥", "bust_in_silhouette": "👤", "repeat": "🔁", "scales": "⚖️", "shield": "🛡️",
    "inbox_tray": "📥", "large_purple_circle": "🟣", "black_circle": "⚫", "large_green_square": "🟩",
    "large_red_square": "🟥", "large_yellow_square": "🟨", "small_red_triangle": "🔺",
    "small_red_triangle_down": "🔻", "arrow_up": "⬆️", "arrow_down": "⬇️", "alarm_clock": "⏰",
    "mag_right": "🔎", "page_facing_up": "📄", "pushpin": "📌", "chart_with_downwards_trend": "📉",
    "speech_balloon": "💬", "sparkles": "✨", "broom": "🧹", "ok": "🆗", "arrows_clockwise": "🔃",
    "vertical_traffic_light": "🚦", "heavy_exclamation_mark": "❗", "skull": "💀", "outbox_tray": "📤",
    "control_knobs": "🎛️", "seedling": "🌱", "wrench": "🔧", "hammer_and_wrench": "🛠️", "arrow_right": "➡️",
    "arrow_left": "⬅️",
}


def plain(mrkdwn: str, names: dict[str, str] | None = None) -> str:
    """Slack's mrkdwn as plain text for a terminal: mentions as `@name` where the name is known
    (`names`, else `@U…`), links as text, emoji shortcodes as emoji, no `*bold*` / `_italic_` /
    `~strike~` marks. Code spans stay as typed. Only a real link (http, https, mailto) is one:
    `<table|all>` in a usage line stays as typed."""
    # Code spans are set aside (a mark may enclose one: `_waits for `x`_`) and put back as typed.
    codes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        codes.append(m.group(0))
        return f"\x00{len(codes) - 1}\x00"

    text = _prose(_CODE.sub(keep, mrkdwn.replace("\x00", "")), names or {})
    return re.sub(r"\x00(\d+)\x00", lambda m: _unescape(codes[int(m.group(1))]), text)


def _prose(text: str, names: dict[str, str]) -> str:
    text = re.sub(r"<#([A-Z0-9]+)(?:\|([^<>]+))?>", lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _MENTION.sub(lambda m: "@" + (names.get(m.group(1)) or m.group(2) or m.group(1)), text)
    text = re.sub(r"<!subteam\^(S[A-Z0-9]+)(?:\|([^<>]+))?>", lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = re.sub(r"<!(here|channel|everyone)>", r"@\1", text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    for mark in _MARKS:
        text = mark.sub(r"\1", text)
    text = _SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    return _unescape(text)


def _unescape(text: str) -> str:
    # Slack's three escapes, read back last so an escaped `&lt;x|y&gt;` never becomes a link.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render(message: Message, buttons_from: int = 1, names: dict[str, str] | None = None) -> tuple[str, list]:
    """Text of the message (plain, see `plain`), and its buttons in the order they are numbered."""
    lines: list[str] = []
    buttons = []

    def plain(text: str) -> str:
        return _plain(text, names)

    for b in message.blocks:
        if isinstance(b, Header):
            lines.append(f"== {plain(b.text)} ==")
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
        lines.append(plain(message.text))
    if message.attachment:
        lines.append(plain(message.attachment) if message.attachment_style == "text" else message.attachment)
    return "\n".join(lines), buttons


_plain = plain


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
