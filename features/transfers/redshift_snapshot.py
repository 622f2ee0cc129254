"""redshift-snapshot: move a Redshift warehouse by snapshot and restore.

    snapshot   a manual snapshot of the AS-IS cluster, named after the run (so a restart finds
               it instead of taking a second one), or with `from_automated` the latest automated
               snapshot copied to that manual one (CopyClusterSnapshot); wait until it is available
    authorize  when the sides are different AWS accounts: let the TO-BE account restore it
    copy       when `copy_to_region` is set: cross-region copy is a property of the source
               cluster (EnableSnapshotCopy, turned on before the snapshot is taken); wait for
               the copy to be available in that region
    restore    RestoreFromClusterSnapshot into the TO-BE cluster; progress from its RestoreStatus

Each poll advances at most one step and records it in the run's handle, so a kill -9 between
two steps resumes at the step it was on. Pause and throttle are impossible: AWS has neither
for a snapshot or a restore.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from config.reader import Reader
from config.transfers import Transfer
from connectors.aws import AwsError, AwsNotFound, Redshift
from features.services import Services
from features.transfers.backend import Backend, EngineFailed, Progress, Unsupported
from features.transfers.datasync import aws_kwargs, call
from state.runs import Run

# Share of the whole transfer each step stands for, for one progress bar across the steps.
WEIGHTS = {"snapshot": (0.0, 0.3), "authorize": (0.3, 0.3), "copy": (0.3, 0.4), "restore": (0.4, 1.0)}
NO_PAUSE = ("A Redshift snapshot or restore cannot be paused: AWS has no pause for either. "
            "`/migrate cancel` stops Ferry's next steps; a restore already running finishes in AWS.")
NO_THROTTLE = "A Redshift snapshot or restore runs at the speed AWS gives it; it cannot be throttled."


def snapshot_id_for(transfer_id: str, run_id: str) -> str:
    """A valid Redshift snapshot identifier, the same for the same run (letters, digits, single hyphens)."""
    raw = f"ferry-{transfer_id}-{run_id.rsplit(':', 1)[-1]}".lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", raw)).strip("-")[:255]


class _NotYet(Exception):
    """The cross-region copy has not appeared yet."""



# -- its keys in app.yaml (`transfers:` entries of this kind) ------------------------------------

@dataclass(frozen=True)
class RedshiftSnapshotParams:
    source_cluster: str  # on the `from` side's AWS account
    target_cluster: str  # created on the `to` side by the restore
    copy_to_region: str | None = None  # copy the snapshot to this region before restoring
    node_type: str | None = None  # default: the snapshot's
    nodes: int | None = None
    from_automated: bool = False  # copy the latest automated snapshot instead of taking a new one


def parse_params(r: Reader) -> RedshiftSnapshotParams:
    return RedshiftSnapshotParams(
        source_cluster=r.str("source_cluster"), target_cluster=r.str("target_cluster"),
        copy_to_region=r.str("copy_to_region", default=None), node_type=r.str("node_type", default=None),
        nodes=r.int("nodes", default=None, minimum=1), from_automated=r.bool("from_automated", default=False),
    )


class RedshiftSnapshot(Backend):
    Params = RedshiftSnapshotParams
    parse_params = staticmethod(parse_params)  # its keys in app.yaml
    needs = (("aws", "source"), ("aws", "target"))  # estate endpoints, checked at load
    kind = "redshift-snapshot"
    REFUSALS = {"pause": NO_PAUSE, "throttle": NO_THROTTLE}
    cancel_note = "A restore already running in AWS finishes there (delete the TO-BE cluster to stop it)."

    def __init__(self, services: Services, transfer: Transfer) -> None:
        super().__init__(services, transfer)
        assert isinstance(transfer.params, RedshiftSnapshotParams)
        self.params: RedshiftSnapshotParams = transfer.params
        self._clients: dict[str, Redshift] = {}

    def client(self, which: str) -> Redshift:
        """'source', 'target', or 'copy' (the target account in `copy_to_region`)."""
        if which not in self._clients:
            side = self.transfer.source if which == "source" else self.transfer.target
            kwargs = aws_kwargs(self.services, side)
            if which == "copy":
                kwargs["region"] = self.params.copy_to_region
            self._clients[which] = Redshift(**kwargs)
        return self._clients[which]

    def _accounts(self) -> tuple[str | None, str | None]:
        estates = self.services.config.estates
        src, dst = estates[self.transfer.source].aws, estates[self.transfer.target].aws
        return (src.account_id if src else None), (dst.account_id if dst else None)

    def start(self, run: Run) -> dict[str, Any]:
        handle = dict(run.detail.get("handle") or {})
        snap = handle.get("snapshot_id") or snapshot_id_for(self.transfer.id, run.id)
        source = self.client("source")
        if self.params.copy_to_region and not handle.get("copy_enabled"):
            try:
                call(source.enable_snapshot_copy, self.params.source_cluster, self.params.copy_to_region)
            except EngineFailed as e:
                if "alreadyenabled" not in str(e).lower().replace(" ", ""):
                    raise
        try:
            if self.params.from_automated:
                # The latest automated snapshot, copied to a manual one (only manual snapshots can be
                # shared): no new snapshot load on a busy cluster, data as of that snapshot.
                automated = call(source.describe_cluster_snapshots, cluster_id=self.params.source_cluster,
                                 snapshot_type="automated")
                usable = sorted((s for s in automated if s.available and s.create_time),
                                key=lambda s: s.create_time)
                if not usable:
                    raise EngineFailed(f"{self.params.source_cluster} has no available automated snapshot "
                                       "(set from_automated: false to take a new one)")
                call(source.copy_cluster_snapshot, usable[-1].identifier, snap,
                     source_cluster_id=self.params.source_cluster)
                handle["copied_from"] = usable[-1].identifier
            else:
                call(source.create_cluster_snapshot, snap, self.params.source_cluster)
        except EngineFailed as e:
            if "AlreadyExists" not in str(e):  # a restart: the snapshot of this run exists already
                raise
        return {**handle, "snapshot_id": snap, "step": handle.get("step") or "snapshot",
                "copy_enabled": bool(self.params.copy_to_region)}

    def pause(self, run: Run) -> dict[str, Any] | None:
        raise Unsupported(NO_PAUSE)

    def throttle(self, run: Run, bytes_per_s: float) -> str:
        raise Unsupported(NO_THROTTLE)

    def cancel(self, run: Run) -> dict[str, Any] | None:
        return {"step": "cancelled"}

    def poll(self, run: Run) -> Progress:
        handle = dict(run.detail.get("handle") or {})
        step = handle.get("step", "snapshot")
        snap = handle.get("snapshot_id") or snapshot_id_for(self.transfer.id, run.id)
        src_account, dst_account = self._accounts()
        if step == "snapshot":
            s = call(self.client("source").describe_cluster_snapshot, snap)
            if s.status in ("failed", "deleted"):
                return Progress("failed", message=f"snapshot {snap} of {self.params.source_cluster} is {s.status}")
            if not s.available:
                frac = (s.backup_progress_mb / s.total_size_mb) if s.total_size_mb and s.backup_progress_mb else 0.0
                return self._progress("snapshot", frac, f"taking snapshot {snap}", handle,
                                      size_mb=s.total_size_mb, done_mb=s.backup_progress_mb,
                                      eta=s.estimated_seconds_to_completion)
            handle["size_mb"] = s.total_size_mb
            handle["step"] = "authorize" if src_account and dst_account and src_account != dst_account else (
                "copy" if self.params.copy_to_region else "restore")
            # one step per poll: each call is its own, and a restart resumes at the recorded step
            return self._progress("snapshot", 1.0, f"snapshot {snap} is available", handle)
        if step == "authorize":
            try:
                call(self.client("source").authorize_snapshot_access, snap, dst_account,
                     snapshot_cluster_id=self.params.source_cluster)
            except EngineFailed as e:
                if "AlreadyExists" not in str(e):
                    raise
            step = handle["step"] = "copy" if self.params.copy_to_region else "restore"
            return self._progress("authorize", 1.0, f"TO-BE account {dst_account} may restore {snap}", handle)
        if step == "copy":
            try:
                s = call(self._find_copy, snap)
            except _NotYet:
                return self._progress("copy", 0.0, f"waiting for the copy of {snap} in {self.params.copy_to_region}",
                                      handle)
            if not s.available:
                frac = (s.backup_progress_mb / s.total_size_mb) if s.total_size_mb and s.backup_progress_mb else 0.0
                return self._progress("copy", frac, f"copying {snap} to {self.params.copy_to_region}", handle)
            handle["step"] = "restore"
            return self._progress("copy", 1.0, f"{snap} is available in {self.params.copy_to_region}", handle)
        if step == "restore":
            restorer = self.client("copy" if self.params.copy_to_region else "target")
            if not handle.get("restore_started"):
                try:
                    call(restorer.restore_from_cluster_snapshot, self.params.target_cluster, snap,
                         snapshot_cluster_id=self.params.source_cluster,
                         owner_account=src_account if src_account != dst_account else None,
                         node_type=self.params.node_type, number_of_nodes=self.params.nodes)
                except EngineFailed as e:
                    if "AlreadyExists" not in str(e):
                        raise
                handle["restore_started"] = True
            r = call(restorer.restore_progress, self.params.target_cluster)
            if r.failed:
                return Progress("failed", message=f"restore of {self.params.target_cluster} failed "
                                                  f"(cluster {r.cluster_status}, restore {r.restore_status})",
                                handle=handle)
            if r.done:
                handle["step"] = "done"
                size = int((r.snapshot_size_mb or handle.get("size_mb") or 0) * 1e6) or None
                return Progress("done", bytes_done=size, bytes_total=size, fraction=1.0,
                                step=f"{self.params.target_cluster} restored", handle=handle)
            return self._progress("restore", r.fraction or 0.0, f"restoring {self.params.target_cluster} "
                                  f"({r.restore_status or r.cluster_status})", handle, size_mb=r.snapshot_size_mb,
                                  done_mb=r.progress_mb, eta=r.estimated_remaining_s,
                                  rate=r.rate_mb_per_s)
        if step == "done":
            return Progress("done", fraction=1.0, step=f"{self.params.target_cluster} restored", handle=handle)
        return Progress("cancelled", step=step, handle=handle)

    def _find_copy(self, snap: str) -> Any:
        try:
            return self.client("copy").describe_cluster_snapshot(snap)
        except AwsNotFound:
            raise _NotYet() from None

    def _progress(self, step: str, frac: float, text: str, handle: dict[str, Any], *, size_mb: float | None = None,
                  done_mb: float | None = None, eta: float | None = None, rate: float | None = None) -> Progress:
        lo, hi = WEIGHTS[step]
        return Progress("running", bytes_done=int(done_mb * 1e6) if done_mb is not None else None,
                        bytes_total=int(size_mb * 1e6) if size_mb else None,
                        rate_bps=rate * 1e6 if rate else None, eta_s=float(eta) if eta else None,
                        fraction=lo + (hi - lo) * max(0.0, min(1.0, frac)), step=text, handle=handle)

    def estimate(self) -> int | None:
        if self.transfer.size:
            return self.transfer.size
        try:
            snaps = self.client("source").describe_cluster_snapshots(cluster_id=self.params.source_cluster)
        except AwsError:
            return None
        sizes = [s.total_size_mb for s in snaps if s.total_size_mb]
        return int(max(sizes) * 1e6) if sizes else None

    def close(self) -> None:
        for c in self._clients.values():
            c.client.close()

