"""PNG charts from plain numbers. matplotlib is imported on first use only: a short verb, the
CLI's `check` or `run status`, never pays for it (about 0.5 s and 40 MB).

Drawn on a `Figure` with the Agg canvas, never through pyplot: pyplot keeps global state that
two job threads drawing at once would share.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 3.6, 110  # 880 × 396 px: readable in a Slack thread
OFF_SCALE = 4.0  # a usable bandwidth above this many times the copy's peak is named, not drawn
COLORS = {"rate": "#1264a3", "cap": "#e01e5a", "usable": "#2bac76", "passed": "#2bac76", "mismatch": "#e01e5a",
          "failed": "#868686"}


@dataclass(frozen=True)
class RatePoint:
    t: float  # seconds since the run started
    bytes_per_s: float | None  # None: a gap (paused, stalled)
    cap_bps: float | None


def rate_points(samples: Sequence[tuple[float, int, float | None]]) -> list[RatePoint]:
    """(time, bytes done, cap) samples → the rate between each pair, with a gap where the polls
    stopped (a pause) for much longer than usual."""
    if len(samples) < 2:
        return []
    start = samples[0][0]
    steps = [b[0] - a[0] for a, b in zip(samples, samples[1:], strict=False) if b[0] > a[0]]
    usual = statistics.median(steps) if steps else 1.0
    points: list[RatePoint] = []
    for a, b in zip(samples, samples[1:], strict=False):
        dt = b[0] - a[0]
        if dt <= 0:
            continue
        if dt > max(4 * usual, 30.0):
            points.append(RatePoint(a[0] - start, None, a[2]))
            points.append(RatePoint(b[0] - start, None, b[2]))
            continue
        points.append(RatePoint(b[0] - start, max(0.0, (b[1] - a[1]) / dt), b[2]))
    return points


def _scale(peak: float) -> tuple[float, str]:
    for size, unit in ((1e9, "GB/s"), (1e6, "MB/s"), (1e3, "kB/s")):
        if peak >= size:
            return size, unit
    return 1.0, "B/s"


def _time_axis(seconds: float) -> tuple[float, str]:
    if seconds >= 2 * 3600:
        return 3600.0, "hours since start"
    if seconds >= 120:
        return 60.0, "minutes since start"
    return 1.0, "seconds since start"


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.grid(True, color="#e8e8e8", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def throughput_png(title: str, points: Sequence[RatePoint], usable_bps: float | None = None) -> bytes:
    """The rate over time (a line, broken where the run was paused), the cap in force as a step
    line, and the usable bandwidth of the link as a dotted line."""
    fig, ax = _figure()
    drawn = max([p.bytes_per_s or 0 for p in points] + [p.cap_bps or 0 for p in points] + [1.0])
    # A link far faster than the copy would flatten the copy's line to the axis: name it instead.
    usable_on_scale = bool(usable_bps) and (usable_bps or 0) <= OFF_SCALE * drawn
    peak = max(drawn, usable_bps or 0) if usable_on_scale else drawn
    size, unit = _scale(peak)
    span = max([p.t for p in points] + [1.0])
    tdiv, tlabel = _time_axis(span)
    xs = [p.t / tdiv for p in points]
    ys = [p.bytes_per_s / size if p.bytes_per_s is not None else float("nan") for p in points]
    ax.plot(xs, ys, color=COLORS["rate"], linewidth=1.8, label="throughput")
    if any(p.cap_bps for p in points):
        caps = [p.cap_bps / size if p.cap_bps else float("nan") for p in points]
        ax.step(xs, caps, where="post", color=COLORS["cap"], linestyle="--", linewidth=1.4, label="cap")
    if usable_bps and usable_on_scale:
        ax.axhline(usable_bps / size, color=COLORS["usable"], linestyle=":", linewidth=1.4, label="usable bandwidth")
    elif usable_bps:
        ax.text(0.99, 0.98, f"usable bandwidth {usable_bps / _scale(usable_bps)[0]:.3g} {_scale(usable_bps)[1]} "
                f"(off the scale)", transform=ax.transAxes, ha="right", va="top", fontsize=8, color=COLORS["usable"])
    ax.set_ylim(bottom=0, top=peak / size * 1.15)
    ax.set_xlim(left=0)
    ax.set_ylabel(unit)
    ax.set_xlabel(tlabel)
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return _png(fig)


@dataclass(frozen=True)
class DiffPoint:
    at: datetime
    differences: int | None  # None: the check could not run
    state: str  # passed | mismatch | failed


def differences_png(title: str, points: Sequence[DiffPoint]) -> bytes:
    """Rows that differ, run after run: a line through the results, each marked by its outcome
    (failed runs, which found nothing, sit on the axis as grey crosses)."""
    fig, ax = _figure()
    known = [p for p in points if p.differences is not None]
    ax.plot([p.at for p in known], [p.differences for p in known], color="#616061", linewidth=1.2, zorder=1)
    for state, marker in (("passed", "o"), ("mismatch", "o"), ("failed", "x")):
        chosen = [p for p in points if p.state == state]
        if chosen:
            ax.scatter([p.at for p in chosen], [p.differences or 0 for p in chosen], color=COLORS[state],
                       marker=marker, s=36, zorder=2, label=state)
    peak = max([p.differences or 0 for p in points] + [1])
    ax.set_ylim(bottom=0, top=peak * 1.2)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("rows that differ")
    ax.set_xlabel("UTC")
    fig.autofmt_xdate()
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return _png(fig)
