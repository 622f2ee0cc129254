"""A feature's part of `/migrate status`: a title, its lines, and the plain data for `run --json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
