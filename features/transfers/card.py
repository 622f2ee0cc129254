"""The progress card of a transfer run: one Slack message per run, updated in place.

    ┌ Transfer hbase-orders ─────────────────────────────┐
    │ hbase-copy · as-is → to-be · orders                │
    │ :arrows_counterclockwise: running  ▓▓▓▓▓▓░░░░ 61%  │
    │ Bytes 1.2 GB of 2.0 GB   Rate now 6 MB/s · avg 5   │
    │ ETA 2m 10s               Elapsed 4m 02s            │
    │ [Pause] [Cancel]                                   │
    └────────────────────────────────────────────────────┘

Progress updates are coalesced to at most one per `card_interval()` seconds (5 by default;
FERRY_CARD_INTERVAL overrides it) per card; a change of state (paused, stalled, done...) is
posted at once. The card's key is `transfer-card:<run id>`, so a restarted Ferry keeps updating
the same Slack message, and completion and failure go in its thread.
"""

from __future__ import annotations

import os
import time
from typing import Any

from config.transfers import Transfer
from config.units import human_bytes, human_duration, human_rate
from core.message import Actions, Button, Confirm, Context, Header, Message, Section, escape, progress_bar
from features.services import Services
from state import runs
from state.runs import Run

DEFAULT_CARD_INTERVAL_S = 5.0
ICONS = {
    "pending": ":hourglass_flowing_sand:", "running": ":arrows_counterclockwise:", "paused": ":double_vertical_bar:",
    "stalled": ":warning:", "done": ":white_check_mark:", "failed": ":x:", "cancelled": ":no_entry_sign:",
}


def card_interval() -> float:
    try:
        return float(os.environ.get("FERRY_CARD_INTERVAL", DEFAULT_CARD_INTERVAL_S))
    except ValueError:
        return DEFAULT_CARD_INTERVAL_S


def card_key(run_id: str) -> str:
    return f"transfer-card:{run_id}"


def state_line(run: Run) -> str:
    """`running`, `stalled: HBase … unreachable`, `failed: …`."""
    d = run.detail
    if run.state in ("stalled", "pending") and d.get("stall"):  # pending: could not start yet
        return f"stalled: {d['stall'].get('reason', 'unknown')}"
    if run.state == "failed" and run.error:
        return f"failed: {run.error}"
    return run.state


def _what(transfer: Transfer) -> str:
    name = _kind_of(transfer).describe(transfer)
    return f"*{transfer.kind}* · {transfer.source} → {transfer.target}" + (f" · `{name}`" if name else "")


def render(transfer: Transfer, run: Run, *, now: float | None = None) -> Message:
    now = time.time() if now is None else now
    d = run.detail
    pr: dict[str, Any] = d.get("progress") or {}
    share = pr.get("fraction")
    if share is None and run.state == "done":
        share = 1.0
    bar = progress_bar(share) if share is not None else "progress unknown yet"
    line = state_line(run)
    bytes_done, bytes_total = pr.get("bytes_done"), pr.get("bytes_total")
    if bytes_done is None:
        bytes_text = "—"
    else:
        bytes_text = human_bytes(bytes_done) + (f" of {human_bytes(bytes_total)}" if bytes_total else "")
    # "now" is a moving copy's rate: a paused, stalled or finished copy moves nothing, so its
    # last sample would mislead. Right after a throttle the watcher shows none until it has a
    # sample taken wholly under the new cap (watcher.record).
    current, average = pr.get("rate_bps"), pr.get("avg_bps")
    if float(pr.get("rate_at") or 0) < float(d.get("throttled_at") or 0):
        current = None  # measured before the latest cap: it would show the copy above it
    moving = run.state == "running"
    rate_text = "now " + (human_rate(current) if current is not None and moving else "—") + " · avg " + (
        human_rate(average) if average else "—")
    eta = pr.get("eta_s")
    active = run.state in ("running", "stalled", "pending")
    eta_text = human_duration(eta) if eta is not None and active else ("—" if active else "")
    elapsed = elapsed_text(run, now)
    cap = d.get("rate")
    fields = [f"*Bytes*\n{bytes_text}", f"*Rate*\n{rate_text}", f"*ETA*\n{eta_text or '—'}",
              f"*Elapsed*\n{elapsed}", f"*Cap*\n{human_rate(cap) if cap else 'none'}",
              f"*Started by*\n<@{run.started_by}>" if run.started_by else "*Started by*\n—"]
    blocks: list[Any] = [
        Header(f"Transfer {transfer.id}"),
        Section(_what(transfer) + (f"\n{escape(transfer.description)}" if transfer.description else "")),
        Section(f"{ICONS.get(run.state, '•')} *{line}*\n`{bar}`" + (f"\n{pr['step']}" if pr.get("step") else "")),
        Section(fields=fields),
    ]
    buttons = _buttons(transfer, run)
    if buttons:
        blocks.append(Actions(buttons))
    blocks.append(Context([f"run `{run.id}` · updated {time.strftime('%H:%M:%S', time.gmtime(now))} UTC"]))
    pct = f" {share * 100:.0f}%" if share is not None else ""
    return Message(f"Transfer {transfer.id}: {line}{pct}", blocks)


def active_seconds(run: Run, now: float) -> float | None:
    """Time the copy was running or trying to (pauses left out): what the watcher counted up to
    its last poll, plus the time since when it is still moving. None before it started."""
    d = run.detail
    started = d.get("started_at")
    if not started:
        return None
    if "active_s" not in d:  # a run recorded before the watcher counted active time
        return (d.get("ended_at") or now) - started
    active = float(d.get("active_s") or 0.0)
    last = (d.get("last_poll") or {}).get("t")
    if run.state in ("running", "stalled") and last:
        active += max(0.0, now - float(last))
    return active


def elapsed_text(run: Run, now: float) -> str:
    """`4m 02s`, or `4m 02s (+1m 10s paused)` when the run spent time paused."""
    active = active_seconds(run, now)
    if active is None:
        return "—"
    d = run.detail
    wall = (d.get("ended_at") or now) - d["started_at"]
    paused = wall - active
    return human_duration(active) + (f" (+{human_duration(paused)} paused)" if paused >= 1 and "active_s" in d else "")


def _buttons(transfer: Transfer, run: Run) -> list[Button]:
    seq = run.detail.get("seq", 0)
    value = f"{transfer.id}|{run.id}|{seq}"  # a new value after each change: a double click acts once
    out = []
    if run.state in ("running", "stalled") and _kind_of(transfer).cannot("pause") is None:
        out.append(Button("Pause", "ferry:pause:press", value))
    if run.state == "paused":
        out.append(Button("Resume", "ferry:resume:press", value, style="primary"))
    if run.active:
        out.append(Button("Cancel transfer", "ferry:cancel:press", value, style="danger",
                          confirm=Confirm("Cancel this transfer?", f"Stop `{transfer.id}` for good. What was copied stays on "
                                          "the target; a new start begins a new run.", "Cancel it", "Keep it running")))
    return out


def post(services: Services, transfer: Transfer, run: Run, *, force: bool = False) -> Run:
    """Queue the card if it is due (or `force`); returns the run with `card_at` updated."""
    now = time.time()
    last = run.detail.get("card_at") or 0.0
    if not force and now - last < card_interval():
        return run
    services.post(render(transfer, run, now=now), card_key=card_key(run.id))
    return runs.update(services.store, run.id, merge={"card_at": now})


def thread(services: Services, run: Run, text: str, *, dedupe_key: str | None = None) -> None:
    """A message in the card's thread (completion, failure, pause, ...)."""
    services.post(Message(text, [Section(text)]), thread_of=card_key(run.id), dedupe_key=dedupe_key)


def _kind_of(transfer: Transfer) -> Any:
    # Imported here: kinds imports the engines, and an engine (cloudera_replication) posts to this card.
    from features.transfers.kinds import kind_of

    return kind_of(transfer)
