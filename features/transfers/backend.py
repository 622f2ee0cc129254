"""The small interface every transfer engine implements, and what it reports.

    backend = backend_for(services, transfer)     # one object per transfer and process
    handle = backend.start(run)                   # dict merged into run.detail["handle"]
    backend.pause(run); backend.resume(run)       # dict (or None) merged into the handle too
    backend.throttle(run, bytes_per_s); backend.cancel(run)
    progress = backend.poll(run)                  # Progress; progress.handle, if set, is merged too

Every method must be idempotent: after a kill -9 Ferry may call `start` again for a run whose
engine already started (a CM command already running, a DataSync execution in flight, a
snapshot that exists), and it must pick that up rather than start a second copy.

Failures: `Transient` (the engine or its API is unreachable, throttled...: the watcher retries
with backoff and shows "stalled: <reason>"), `Gone` (the engine lost the copy: stalled, then
failed after stall_alert_after), `Unsupported` (this engine cannot do that, said
plainly to the user), anything else fails the run with its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config.transfers import Transfer
from features.services import Services
from state.runs import Run

RUN_KIND = "transfer"  # the state.runs kind of transfer runs


class Transient(Exception):
    """The engine could not be reached or asked us to wait: try again later."""


class Gone(Transient):
    """The engine no longer knows the copy it was running (a CM command lost in a restart or
    purged): the run shows stalled with this reason, then fails with it after stall_alert_after."""


class Unsupported(Exception):
    """The engine cannot do this (e.g. pause a Redshift restore). The message says why."""


class EngineFailed(Exception):
    """The engine reports the copy itself failed (not worth retrying as is)."""


@dataclass
class Progress:
    """One look at a running copy. `state` is the engine's view: running, paused, done, failed,
    cancelled. Byte counts cover the whole transfer (earlier runs' work included), so a resumed
    copy keeps its progress bar."""

    state: str
    bytes_done: int | None = None
    bytes_total: int | None = None
    rate_bps: float | None = None  # the engine's own current rate, when it reports one
    eta_s: float | None = None  # the engine's own estimate, when it reports one
    fraction: float | None = None  # when the engine measures progress in something else (rows, steps)
    step: str | None = None  # a word on where it is ("restoring", "region 3/8", ...)
    message: str | None = None  # the engine's message (failure reason, ...)
    extra: dict[str, Any] = field(default_factory=dict)
    handle: dict[str, Any] | None = None  # engine state to keep in run.detail["handle"] (step, ids)

    @property
    def share(self) -> float | None:
        if self.fraction is not None:
            return max(0.0, min(1.0, self.fraction))
        if self.state == "done":
            return 1.0
        if self.bytes_done is not None and self.bytes_total:
            return max(0.0, min(1.0, self.bytes_done / self.bytes_total))
        return None


@dataclass
class Preview:
    """What the engine says a start would do (e.g. CM's dry run), for the confirmation card."""

    text: str
    bytes: int | None = None


class Backend:
    """Base class: one engine for one configured transfer."""

    # -- the kind's facts: what the rest of Ferry may know of an engine without asking it ---------
    kind = ""
    #: Its keys in app.yaml: `parse_params(reader) -> Params` (config.transfers.TransferKind), and
    #: the estate endpoints it needs ((attribute, "source" | "target" | "via"), checked at load).
    Params: type = object
    needs: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def parse_params(r: Any) -> Any:
        raise NotImplementedError

    #: Why this engine cannot do an action ("pause", "throttle"), said to the user as is. The card
    #: shows no button for a refused action.
    REFUSALS: dict[str, str] = {}
    #: True when the copy reads from the AS-IS cluster over its network: such transfers share the
    #: source's usable bandwidth in /migrate plan.
    uses_source_link = False
    #: Said in the thread when a run is cancelled (what the engine still does on its own).
    cancel_note = ""
    #: Cancel the engine's leftovers when a run fails (a copy running in Ferry's own threads).
    stop_on_failure = False

    @classmethod
    def describe(cls, transfer: Transfer) -> str:
        """What the card names as the thing copied (a table, a schedule, a task)."""
        p = transfer.params
        return str(getattr(p, "table", None) or getattr(p, "source_cluster", None) or getattr(p, "task_arn", None) or "")

    def __init__(self, services: Services, transfer: Transfer) -> None:
        self.services = services
        self.transfer = transfer

    @classmethod
    def cannot(cls, action: str) -> str | None:
        """None if the engine can `action`, else the sentence that says why not."""
        return cls.REFUSALS.get(action)

    def start(self, run: Run) -> dict[str, Any]:
        raise NotImplementedError

    def pause(self, run: Run) -> dict[str, Any] | None:
        raise Unsupported(f"{self.kind} transfers cannot be paused.")

    def resume(self, run: Run) -> dict[str, Any]:
        raise Unsupported(f"{self.kind} transfers cannot be resumed.")

    def throttle(self, run: Run, bytes_per_s: float) -> str:
        """Apply a cap to the running copy; returns a sentence on how it applies."""
        raise Unsupported(f"{self.kind} transfers cannot be throttled.")

    def cancel(self, run: Run) -> dict[str, Any] | None:
        raise NotImplementedError

    def poll(self, run: Run) -> Progress:
        raise NotImplementedError

    def estimate(self) -> int | None:
        """Bytes the transfer will move, if the engine can tell cheaply (for the confirmation card)."""
        return None

    def preview(self) -> Preview | None:
        """The engine's own account of what a start would copy (slower than estimate), or None."""
        return None

    def close(self) -> None:
        """Free connections."""
