"""One MapReduce job on one estate's cluster, run from Ferry: submitted on the gateway over SSH,
tagged, tracked and (on cancel) killed through the ResourceManager, its counters read from
JobHistory. Used by `mapreduce_backend` for RowCounter, HashTable and SyncTable.

Submit or re-attach: before submitting, the job's tag (unique to run, table and step) is looked up
in YARN. An application found there is this job, started before Ferry restarted: Ferry follows it
and never submits a second one. Only when none exists is the command run on the gateway.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.gateway import CommandResult, GatewayClient, GatewayError, tail
from connectors.yarn import AppNotFound, YarnApp, YarnClient, YarnError, normalize_tag
from core.errors import OutsideFailure

#: Seconds to wait for a submitted job to show up in YARN before calling the submission lost.
APPEAR_TIMEOUT_S = 120.0
#: Seconds a ResourceManager may stay unreachable while a job runs before the run fails.
YARN_OUTAGE_S = 60.0
#: JobHistory takes a moment to publish a finished job's counters.
COUNTERS_WAIT_S = 30.0


class JobFailed(OutsideFailure):
    """The job ran and ended FAILED or KILLED, or its command exited non-zero."""

    def __init__(self, message: str, *, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


def run_tag(run_id: str) -> str:
    """The tag every job of a run carries (cancel kills by it)."""
    return normalize_tag(f"ferry-run-{hashlib.sha1(run_id.encode()).hexdigest()[:12]}")


def job_tag(run_id: str, table: str, step: str) -> str:
    digest = hashlib.sha1(f"{run_id}\0{table}\0{step}".encode()).hexdigest()[:12]
    return normalize_tag(f"ferry-{step}-{digest}")


@dataclass
class Side:
    """One estate's cluster as the jobs see it."""

    estate: str  # "as-is" | "to-be"
    gateway: GatewayClient
    yarn: YarnClient

    @property
    def label(self) -> str:
        return self.estate.upper()


@dataclass
class JobResult:
    app: YarnApp
    counters: dict[str, int]
    attached: bool  # found in YARN (a restart), not submitted now
    submit: CommandResult | None = None


@dataclass
class Job:
    """`Job(side, "RowCounter", argv, tag, tags).run(...)`."""

    side: Side
    tool: str
    argv: list[str]
    tag: str
    poll_every_s: float = 2.0
    on_app: Callable[[YarnApp, bool], None] = lambda app, attached: None
    on_progress: Callable[[float], None] = lambda pct: None
    cancelled: Callable[[], bool] = lambda: False
    #: When this job was submitted by an earlier life of the run (None: never), and how to record it.
    submitted_at: Callable[[], float | None] = lambda: None
    mark_submitted: Callable[[], None] = lambda: None
    _submit: list[CommandResult | BaseException] = field(default_factory=list)

    def _where(self) -> str:
        return f"{self.tool} on {self.side.label}"

    def _find(self) -> YarnApp | None:
        try:
            apps = self.side.yarn.apps_by_tag(self.tag)
        except YarnError as e:
            raise OutsideFailure(f"{self._where()}: {e}") from None
        return apps[0] if apps else None

    def run(self) -> JobResult:
        app = self._find() or self._await_earlier_submission()
        attached = app is not None
        stop = threading.Event()
        thread = None
        if app is None:
            self.mark_submitted()
            thread = threading.Thread(target=self._run_command, args=(stop,), daemon=True,
                                      name=f"gateway-{self.side.estate}-{self.tool}")
            thread.start()
            app = self._wait_for_app(thread)
        self.on_app(app, attached)
        try:
            app = self._follow(app)
        finally:
            if thread is not None:
                thread.join(timeout=10)  # the client exits once the job is final
                stop.set()  # else close the session: the job is done, its counters are in JobHistory
        submit = self._submit[0] if self._submit and isinstance(self._submit[0], CommandResult) else None
        if not app.succeeded:
            exit_note = f" (the `hbase` command exited with status {submit.exit_status})" if submit and submit.exit_status else ""
            why = " ".join(app.diagnostics.split())[:300] or "no reason given"
            raise JobFailed(f"{self._where()} ended {app.state}{exit_note}: {why}. YARN application {app.id}: "
                            f"{app.tracking_url}", stderr=submit.stderr if submit else "")
        return JobResult(app, self._counters(app), attached, submit)

    def _await_earlier_submission(self) -> YarnApp | None:
        """A restart right after a submission: the job may not be in YARN yet (the client is still
        starting). Wait for it, up to APPEAR_TIMEOUT_S after that submission, rather than submit twice."""
        when = self.submitted_at()
        if when is None:
            return None
        while time.time() < when + APPEAR_TIMEOUT_S:
            app = self._find()
            if app is not None:
                return app
            time.sleep(min(1.0, self.poll_every_s))
        return None

    def _run_command(self, stop: threading.Event) -> None:
        try:
            self._submit.append(self.side.gateway.run(self.argv, stop=stop))
        except BaseException as e:  # handed to the waiting thread, which raises it there
            self._submit.append(e)

    def _wait_for_app(self, thread: threading.Thread) -> YarnApp:
        deadline = time.monotonic() + APPEAR_TIMEOUT_S
        while True:
            app = self._find()
            if app is not None:
                return app
            if self._submit:
                done = self._submit[0]
                if isinstance(done, GatewayError):
                    raise OutsideFailure(f"{self._where()} could not be submitted: {done}")
                if isinstance(done, BaseException):
                    raise OutsideFailure(f"{self._where()} could not be submitted: {type(done).__name__}: {done}")
                app = self._find()  # a job that finished between two looks
                if app is not None:
                    return app
                if done.exit_status != 0:
                    raise JobFailed(f"{self._where()} failed before it started (exit status {done.exit_status}): "
                                    f"{tail(done.stderr, 400)}", stderr=done.stderr)
                raise OutsideFailure(f"{self._where()} ended without a YARN application tagged {self.tag}: is "
                                     f"`mapreduce.job.tags` passed on by the gateway's `hbase` command?")
            if time.monotonic() > deadline:
                raise OutsideFailure(f"{self._where()}: no YARN application tagged {self.tag} appeared within "
                                     f"{APPEAR_TIMEOUT_S:g} s of the submission")
            time.sleep(min(0.2, self.poll_every_s))

    def _follow(self, app: YarnApp) -> YarnApp:
        """Poll the application until it is final. A ResourceManager that does not answer for a
        while (a failover, a restart) is waited for up to YARN_OUTAGE_S; if Ferry gives up on a job
        that is still running, it kills it rather than leave it to run for nobody."""
        killed_by_us = False
        unreachable_since: float | None = None
        try:
            while not app.final:
                if not killed_by_us and self.cancelled():
                    self.side.yarn.kill(app.id)
                    killed_by_us = True
                time.sleep(self.poll_every_s)
                try:
                    app = self.side.yarn.app(app.id)
                    unreachable_since = None
                except AppNotFound:
                    raise OutsideFailure(f"{self._where()}: YARN no longer knows application {app.id} "
                                         "(ResourceManager restarted or the application was purged)") from None
                except YarnError as e:
                    unreachable_since = unreachable_since or time.monotonic()
                    if time.monotonic() - unreachable_since > YARN_OUTAGE_S:
                        raise OutsideFailure(f"{self._where()}: {e} (for {YARN_OUTAGE_S:g} s)") from None
                    continue
                self.on_progress(app.progress)
        except BaseException:
            if not app.final:
                self._kill_quietly(app)
            raise
        if killed_by_us or (app.state == "KILLED" and self.cancelled()):
            raise JobFailed(f"{self._where()} was cancelled: YARN application {app.id} KILLED")
        return app

    def _kill_quietly(self, app: YarnApp) -> None:
        try:
            self.side.yarn.kill(app.id)
        except YarnError:
            pass  # unreachable: the start-up sweep (mapreduce_backend.on_start) kills it later

    def _counters(self, app: YarnApp) -> dict[str, int]:
        deadline = time.monotonic() + COUNTERS_WAIT_S
        while True:
            try:
                return self.side.yarn.counters(app.id)
            except AppNotFound:
                if time.monotonic() > deadline:
                    raise OutsideFailure(f"{self._where()}: JobHistory has no counters for {app.job_id} "
                                         f"({COUNTERS_WAIT_S:g} s after it finished)") from None
                time.sleep(min(1.0, self.poll_every_s))
            except YarnError as e:
                raise OutsideFailure(f"{self._where()}: counters of {app.job_id}: {e}") from None
