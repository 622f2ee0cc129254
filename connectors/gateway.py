"""A cluster's gateway (edge) host over SSH: run a command line there, get its exit status and
(bounded) output. Keys only, and the host key must be in the configured known_hosts file:
an unknown or changed host key is refused, never accepted on first use.

    gw = GatewayClient("edge1.asis", 22, "ferry", "/etc/ferry/id_ed25519", "/etc/ferry/known_hosts")
    result = gw.run(["hbase", "org.apache.hadoop.hbase.mapreduce.RowCounter", "orders"])
    result.exit_status, result.stdout, result.stderr, result.bytes_received

Errors are typed and say what and where: `HostKeyUnknown`, `AuthFailed`, `KeyFileProblem`,
`GatewayUnreachable` (all `GatewayError`). A non-zero exit is a result, not an error
(`result.check()` turns it into `CommandFailed`). asyncssh under a private event loop per call,
so callers stay synchronous.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import stat
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncssh


def _ssh() -> Any:
    """asyncssh, imported on first use: with cryptography it costs ~0.6 s, which a verb that
    never reaches a gateway (status, help, plan) must not pay."""
    with warnings.catch_warnings():  # asyncssh imports cryptography's DSA, which warns on import
        warnings.simplefilter("ignore")
        import asyncssh

    return asyncssh

#: Output kept per stream (the tail): a chatty job's log cannot fill Ferry's memory.
MAX_OUTPUT = 256 * 1024
STDERR_TAIL = 600  # characters of stderr quoted in an error


class GatewayError(RuntimeError):
    """The gateway could not run the command; the message says what, where and what to try."""


class HostKeyUnknown(GatewayError):
    pass


class AuthFailed(GatewayError):
    pass


class KeyFileProblem(GatewayError):
    pass


class GatewayUnreachable(GatewayError):
    pass


class CommandFailed(GatewayError):
    def __init__(self, message: str, exit_status: int, stderr: str) -> None:
        super().__init__(message)
        self.exit_status = exit_status
        self.stderr = stderr


@dataclass
class CommandResult:
    command: str
    exit_status: int
    stdout: str
    stderr: str
    bytes_received: int  # output bytes that reached this process (both streams)
    where: str = ""

    def check(self) -> CommandResult:
        if self.exit_status != 0:
            raise CommandFailed(f"`{_short(self.command)}` exited with status {self.exit_status} on {self.where}: "
                                f"{tail(self.stderr)}", self.exit_status, self.stderr)
        return self


def tail(text: str, limit: int = STDERR_TAIL) -> str:
    text = text.strip()
    return text if len(text) <= limit else "…" + text[-limit:]


def _short(command: str, limit: int = 120) -> str:
    return command if len(command) <= limit else command[:limit - 1] + "…"


def command_line(argv: Sequence[str] | Sequence[Sequence[str]]) -> str:
    """One argv, or a pipeline of argvs, quoted for the remote shell."""
    if argv and not isinstance(argv[0], str):
        return " | ".join(shlex.join(list(a)) for a in argv)  # type: ignore[arg-type]
    return shlex.join(list(argv))  # type: ignore[arg-type]


class GatewayClient:
    def __init__(self, host: str, port: int, user: str, key_file: str, known_hosts: str, *,
                 timeout: float = 15.0, where: str | None = None) -> None:
        self.host, self.port, self.user = host, port, user
        self.key_file, self.known_hosts = key_file, known_hosts
        self.timeout = timeout
        self.where = where or f"gateway {user}@{host}:{port}"

    def _key(self) -> asyncssh.SSHKey:
        asyncssh = _ssh()
        try:
            mode = os.stat(self.key_file).st_mode
        except OSError as e:
            raise KeyFileProblem(f"cannot read the SSH key file {self.key_file} for {self.where}: {e.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileProblem(f"the SSH key file {self.key_file} is readable by others (mode "
                                 f"{stat.S_IMODE(mode):o}): `chmod 600 {self.key_file}`")
        try:
            return asyncssh.read_private_key(self.key_file)
        except (asyncssh.KeyImportError, ValueError) as e:
            raise KeyFileProblem(f"{self.key_file} is not an SSH private key Ferry can use ({e}); Ferry needs an "
                                 "unencrypted key (ed25519 or RSA)") from None

    def _known_hosts(self) -> str:
        if not os.path.isfile(self.known_hosts):
            raise HostKeyUnknown(f"the known_hosts file {self.known_hosts} does not exist, so the host key of "
                                 f"{self.where} cannot be checked (add it: `ssh-keyscan -p {self.port} {self.host} "
                                 f">> {self.known_hosts}`, after checking the fingerprint)")
        return self.known_hosts

    def run(self, argv: Sequence[str] | Sequence[Sequence[str]] | str, *, timeout: float | None = None,
            on_stderr_line: Callable[[str], None] | None = None, stop: threading.Event | None = None,
            max_output: int = MAX_OUTPUT) -> CommandResult:
        """Run one command line and wait for it (at most `timeout` s; None: as long as it runs).
        `on_stderr_line` sees each stderr line as it comes (a job's client log); `stop` set by another
        thread closes the session (the remote job, if any, goes on)."""
        command = argv if isinstance(argv, str) else command_line(argv)
        key, known = self._key(), self._known_hosts()
        return asyncio.run(self._run(command, key, known, timeout, on_stderr_line, stop, max_output))

    async def _run(self, command: str, key: asyncssh.SSHKey, known: str, timeout: float | None,
                   on_line: Callable[[str], None] | None, stop: threading.Event | None,
                   max_output: int) -> CommandResult:
        asyncssh = _ssh()
        try:
            conn = await asyncio.wait_for(asyncssh.connect(
                self.host, self.port, username=self.user, client_keys=[key], known_hosts=known,
                password_auth=False, kbdint_auth=False, agent_path=None, config=None,
                connect_timeout=self.timeout, login_timeout=self.timeout), self.timeout + 1)
        except asyncssh.HostKeyNotVerifiable:
            raise HostKeyUnknown(f"the host key of {self.where} is not in {self.known_hosts} (or has changed): "
                                 "Ferry refuses to connect. Check the gateway's fingerprint, then add its key to "
                                 "that file") from None
        except asyncssh.PermissionDenied:
            raise AuthFailed(f"{self.where} refused the key {self.key_file} for user {self.user}: add its public key "
                             f"to ~{self.user}/.ssh/authorized_keys on the gateway") from None
        except (TimeoutError, OSError, asyncssh.Error) as e:
            raise GatewayUnreachable(f"cannot reach {self.where}: {e or type(e).__name__}") from None
        received = [0]
        async with conn:
            try:
                process = await conn.create_process(command, encoding="utf-8", errors="replace")
            except asyncssh.Error as e:
                raise GatewayUnreachable(f"{self.where} refused to run a command: {e}") from None

            async def drain(stream, keep: list[str], lines: bool) -> None:
                size = 0
                async for chunk in (stream if lines else _chunks(stream)):
                    received[0] += len(chunk.encode())
                    keep.append(chunk)
                    size += len(chunk)
                    while size > max_output and len(keep) > 1:
                        size -= len(keep.pop(0))
                    if lines and on_line:
                        on_line(chunk.rstrip("\n"))

            out: list[str] = []
            err: list[str] = []
            work = asyncio.gather(drain(process.stdout, out, False), drain(process.stderr, err, True),
                                  process.wait_closed())

            async def watch_stop() -> None:
                while stop is not None and not stop.is_set():
                    await asyncio.sleep(0.2)

            stopper = asyncio.ensure_future(watch_stop()) if stop is not None else None
            try:
                waiters = [work] + ([stopper] if stopper else [])
                done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if work not in done:
                    work.cancel()
                    process.close()
                    why = "stopped" if stopper in done else f"did not finish within {timeout:g} s"
                    return CommandResult(command, -1, "".join(out), "".join(err) + f"\n[ferry: session {why}]",
                                         received[0], self.where)
                work.result()
            finally:
                if stopper:
                    stopper.cancel()
            status = process.exit_status if process.exit_status is not None else -1
        return CommandResult(command, status, "".join(out), "".join(err), received[0], self.where)


async def _chunks(stream):
    while True:
        data = await stream.read(65536)
        if not data:
            return
        yield data
