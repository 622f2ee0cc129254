"""Sizes, rates and durations as people write them in app.yaml and in Slack ("200MB/s", "2TB", "36h")."""

from __future__ import annotations

import re

_SIZE_UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "pib": 2**50,
}
_BIT_UNITS = {"bit": 1, "kbit": 10**3, "mbit": 10**6, "gbit": 10**9, "tbit": 10**12,
              "kbps": 10**3, "mbps": 10**6, "gbps": 10**9}
_DURATION_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_size(text: str | int | float) -> int:
    """'2TB' -> 2_000_000_000_000 bytes; a bare number is bytes."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return int(text)
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _SIZE_UNITS:
        raise ValueError(f"{text!r} is not a size (examples: 500GB, 2TB, 1.5TiB)")
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


def parse_rate(text: str | int | float) -> float:
    """Bytes per second from '200MB/s', '1Gbit/s', '10Gbps' or a bare number of bytes/s."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    s = str(text).strip()
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)(?:\s*/\s*s(?:ec)?)?", s)
    if m:
        number, unit = float(m.group(1)), m.group(2).lower()
        if unit in _BIT_UNITS:
            return number * _BIT_UNITS[unit] / 8
        if unit in _SIZE_UNITS and (unit == "" or "/" in s or unit.endswith("b")):
            return number * _SIZE_UNITS[unit]
    raise ValueError(f"{text!r} is not a rate (examples: 200MB/s, 1Gbit/s, 10Gbps)")


def parse_duration(text: str | int | float) -> float:
    """Seconds from '90s', '15m', '36h', '7d'; a bare number is seconds."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in {**_DURATION_UNITS, "": 1}:
        raise ValueError(f"{text!r} is not a duration (examples: 90s, 15m, 36h, 7d)")
    return float(m.group(1)) * {**_DURATION_UNITS, "": 1}[m.group(2).lower()]


def human_bytes(n: float) -> str:
    for unit, size in (("PB", 10**15), ("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def human_rate(bps: float) -> str:
    return human_bytes(bps) + "/s"


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {s:02d}s"
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {m:02d}m"
    days, h = divmod(hours, 24)
    return f"{days}d {h:02d}h"
