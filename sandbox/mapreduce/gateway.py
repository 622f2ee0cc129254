"""An SSH gateway (edge host) stand-in on 127.0.0.1: a real SSH server (asyncssh) that accepts
one user by public key only and runs the command lines Ferry sends to a Hadoop gateway:

    hbase org.apache.hadoop.hbase.mapreduce.RowCounter [-Dk=v] <table> [--range=a,b] [columns...]
    hbase org.apache.hadoop.hbase.mapreduce.HashTable [-Dk=v] [--batchsize=N] [--startrow=..]
          [--stoprow=..] [--families=a,b] <table> <outputpath>
    hbase org.apache.hadoop.hbase.mapreduce.SyncTable [-Dk=v] --dryrun=true [--sourcezkcluster=..]
          <sourcehashdir> <sourcetable> <targettable>
    yarn logs -applicationId <id> [-log_files syslog] [| grep -F <text>] [| head -n N]

Each job is registered in the cluster's YARN stand-in (tags from -Dmapreduce.job.tags), runs for a
time that grows with the rows it reads, prints Hadoop's client log to stderr (application id,
tracking URL, "map N% reduce 0%", the counters) and exits 0, or 1 when the job fails or is killed,
as the real tools do. The job goes on when the SSH session drops (YARN does not care).
"""

from __future__ import annotations

import asyncio
import fnmatch
import shlex
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.mapreduce import tools
from sandbox.mapreduce.keys import ensure_key
from sandbox.mapreduce.yarn import YarnStandIn

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import asyncssh

PKG = "org.apache.hadoop.hbase.mapreduce."
MAX_COMMAND = 8192


@dataclass
class SandboxCluster:
    """What a job on one cluster can reach: its HBase data, its HDFS (a folder), its YARN."""

    name: str  # "asis" | "tobe"
    hbase: Any  # sandbox.hbase.HBaseThriftServer (its tables, read in-process)
    hdfs_root: Path
    yarn: YarnStandIn

    @property
    def hdfs_url(self) -> str:
        return f"hdfs://{self.name}-nn.sandbox:8020"

    @property
    def zookeeper(self) -> str:
        return f"{self.name}-zk.sandbox:2181:/hbase"


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _unescape(text: str) -> bytes:
    """Bytes.toStringBinary's inverse: `\\xNN` escapes, the rest as UTF-8."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text.startswith("\\x", i) and i + 4 <= len(text):
            try:
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            except ValueError:
                pass
        out.extend(text[i].encode())
        i += 1
    return bytes(out)


def parse_tool_args(args: list[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(-D properties, --options, positional) as GenericOptionsParser and the tools read them."""
    props: dict[str, str] = {}
    opts: dict[str, str] = {}
    pos: list[str] = []
    it = iter(args)
    for a in it:
        if a == "-D":
            a = "-D" + next(it, "")
        if a.startswith("-D") and "=" in a:
            k, _, v = a[2:].partition("=")
            props[k] = v
        elif a.startswith("--"):
            k, _, v = a[2:].partition("=")
            opts[k] = v if "=" in a else "true"
        else:
            pos.append(a)
    return props, opts, pos


class GatewayStandIn:
    """`GatewayStandIn(cluster, clusters, key_dir).start()`; `.host`, `.port`, `.host_key`."""

    def __init__(self, cluster: SandboxCluster, clusters: dict[str, SandboxCluster], key_dir: Path, *,
                 user: str = "ferry", client_key_path: Path | None = None, rows_per_second: float = 50_000,
                 min_seconds: float = 1.0, host: str = "127.0.0.1", port: int = 0) -> None:
        self.cluster, self.clusters = cluster, clusters
        self.user = user
        self.host, self.port = host, port
        self.rows_per_second, self.min_seconds = rows_per_second, min_seconds
        self.host_key = ensure_key(Path(key_dir) / f"ssh_host_ed25519_key-{cluster.name}", f"gateway-{cluster.name}")
        self.client_key_path = client_key_path or Path(key_dir) / "ferry_ed25519"
        self.authorized = ensure_key(self.client_key_path, "ferry@sandbox").convert_to_public().public_data
        self.commands: list[str] = []  # every command line run (tests count submissions)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._tasks: set[asyncio.Task] = set()

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> GatewayStandIn:
        if self._loop:
            return self
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"ssh-gateway-{self.cluster.name}",
                                        daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _listen(self) -> Any:
        gateway = self

        class _Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True  # every user must authenticate

            def password_auth_supported(self) -> bool:
                return False

            def kbdint_auth_supported(self) -> bool:
                return False

            def public_key_auth_supported(self) -> bool:
                return True

            def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
                return username == gateway.user and key.public_data == gateway.authorized

        return await asyncssh.create_server(_Server, self.host, self.port, server_host_keys=[self.host_key],
                                            process_factory=self._process, allow_scp=False,
                                            sftp_factory=None, agent_forwarding=False, x11_forwarding=False,
                                            login_timeout=30)

    def stop(self) -> None:
        if not self._loop:
            return

        async def close() -> None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(timeout=5)
        self._loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> GatewayStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- commands ---------------------------------------------------------------------------
    async def _process(self, process: asyncssh.SSHServerProcess) -> None:
        task = asyncio.current_task()
        if task:
            self._tasks.add(task)
        try:
            command = process.command or ""
            self.commands.append(command)
            code = await self._run(command, process)
        except CommandError as e:
            _write(process.stderr, str(e).rstrip("\n") + "\n")
            code = e.exit_code
        except Exception as e:  # a bug of the stand-in: say it, as a shell would
            _write(process.stderr, f"sandbox gateway: {type(e).__name__}: {e}\n")
            code = 255
        finally:
            if task:
                self._tasks.discard(task)
        try:
            process.exit(code)
        except Exception:
            pass  # the client went away

    async def _run(self, command: str, process: Any) -> int:
        if not command or len(command) > MAX_COMMAND:
            raise CommandError("sandbox gateway: give one command line (no interactive shell)", 2)
        try:
            stages = [shlex.split(part) for part in _split_pipes(command)]
        except ValueError as e:
            raise CommandError(f"bash: syntax error: {e}", 2) from None
        if not stages or not stages[0]:
            raise CommandError("bash: syntax error", 2)
        head = stages[0]
        if head[0] == "hbase":
            if len(stages) > 1:
                raise CommandError("sandbox gateway: pipes only after `yarn logs`", 2)
            return await self._hbase(head[1:], process)
        if head[:2] == ["yarn", "logs"]:
            lines = self._yarn_logs(head[2:])
            for stage in stages[1:]:
                lines = _filter(stage, lines)
            _write(process.stdout, "".join(line + "\n" for line in lines))
            return 0
        raise CommandError(f"bash: {head[0]}: command not found", 127)

    def _yarn_logs(self, args: list[str]) -> list[str]:
        app_id = None
        for i, a in enumerate(args):
            if a == "-applicationId" and i + 1 < len(args):
                app_id = args[i + 1]
        app = self.cluster.yarn.apps.get(app_id or "")
        if app is None:
            raise CommandError(f"Unable to get ApplicationState. Application {app_id} does not exist", 255)
        state = app.status(time.time())[0]
        if state not in ("FINISHED", "FAILED", "KILLED"):
            raise CommandError(f"Application {app_id} is running: logs are aggregated once it finishes", 255)
        head = [f"Container: container_{app.id[12:]}_01_000002 on {self.cluster.name}-worker-1.sandbox:8041",
                "LogAggregationType: AGGREGATED", "LogType:syslog",
                "INFO [main] org.apache.hadoop.mapred.MapTask: Processing split"]
        return head + list(app.outcome.task_log if app.outcome else [])

    async def _hbase(self, args: list[str], process: Any) -> int:
        if not args:
            raise CommandError("Usage: hbase [<options>] <command> [<args>]", 1)
        tool, rest = args[0], args[1:]
        props, opts, pos = parse_tool_args(rest)
        local = self.cluster
        name = tool.removeprefix(PKG)
        if name == "RowCounter":
            if not pos:
                raise CommandError("ERROR: Wrong number of parameters: 0\nUsage: RowCounter [options] <tablename> "
                                   "[--starttime=<start> --endtime=<end>] [--range=[startKey],[endKey]] "
                                   "[<column1> <column2>...]", 1)
            table = self._table(local, pos[0])
            start = stop = b""
            if "range" in opts:
                lo, sep, hi = opts["range"].partition(",")
                if not sep:
                    raise CommandError("Please specify range in such format as \"--range=a,b\" or, with only one "
                                       "boundary, \"--range=,b\" or \"--range=a,\"", 1)
                start, stop = _unescape(lo), _unescape(hi)
            estimate = table.row_count()
            return await self._job(process, props, f"rowcounter_{pos[0]}", estimate,
                                   lambda: tools.row_counter(table, start, stop))
        if name == "HashTable":
            if len(pos) != 2:
                raise CommandError("ERROR: Invalid arguments\nUsage: HashTable [options] <tablename> <outputpath>", 1)
            table = self._table(local, pos[0])
            out = self._hdfs_path(pos[1])
            try:
                batch = int(opts.get("batchsize", tools.DEFAULT_BATCH_SIZE))
            except ValueError:
                raise CommandError(f"ERROR: Invalid batchsize: {opts['batchsize']}", 1) from None
            fams = {f.encode() for f in opts["families"].split(",")} if opts.get("families") else None
            start, stop = _unescape(opts.get("startrow", "")), _unescape(opts.get("stoprow", ""))
            if (out[0].hdfs_root / out[1]).exists():
                raise CommandError(f"org.apache.hadoop.mapred.FileAlreadyExistsException: Output directory "
                                   f"{out[0].hdfs_url}/{out[1]} already exists", 1)
            return await self._job(process, props, f"hashtable_{pos[0]}", table.row_count(),
                                   lambda: tools.hash_table(table, Path(out[1]), batch_size=max(1, batch),
                                                            start=start, stop=stop, families=fams))
        if name == "SyncTable":
            if len(pos) != 3:
                raise CommandError("ERROR: Invalid arguments\nUsage: SyncTable [options] <sourcehashdir> "
                                   "<sourcetable> <targettable>", 1)
            if opts.get("dryrun", "false").lower() != "true":
                raise CommandError("sandbox gateway: SyncTable runs here with --dryrun=true only", 1)
            source_cluster = self._by_zk(opts.get("sourcezkcluster")) if opts.get("sourcezkcluster") else local
            target_cluster = self._by_zk(opts.get("targetzkcluster")) if opts.get("targetzkcluster") else local
            hash_cluster, hash_dir = self._hdfs_path(pos[0])
            manifest, batches = await asyncio.to_thread(tools.read_hashes, hash_cluster.hdfs_root / hash_dir)
            source = self._table(source_cluster, pos[1])
            target = self._table(target_cluster, pos[2])
            return await self._job(process, props, f"synctable_{pos[1]}-{pos[2]}", target.row_count(),
                                   lambda: tools.sync_table(source, target, manifest, batches))
        raise CommandError(f"Error: Could not find or load main class {tool}", 1)

    def _table(self, cluster: SandboxCluster, name: str) -> Any:
        if not cluster.hbase.has_table(name):
            raise CommandError(f"org.apache.hadoop.hbase.TableNotFoundException: {name}", 1)
        return cluster.hbase.table(name)

    def _by_zk(self, quorum: str) -> SandboxCluster:
        for c in self.clusters.values():
            if c.zookeeper == quorum or quorum.split(":")[0] == c.zookeeper.split(":")[0]:
                return c
        raise CommandError(f"java.net.UnknownHostException: {quorum.split(':')[0]}: Name or service not known", 1)

    def _hdfs_path(self, path: str) -> tuple[SandboxCluster, str]:
        """(cluster, relative path) of `hdfs://nn:8020/a/b` or `/a/b` (this cluster's HDFS)."""
        cluster = self.cluster
        if path.startswith("hdfs://"):
            authority, _, rest = path[7:].partition("/")
            match = [c for c in self.clusters.values() if c.hdfs_url == "hdfs://" + authority]
            if not match:
                raise CommandError(f"java.net.UnknownHostException: {authority}", 1)
            cluster, path = match[0], "/" + rest
        parts = [p for p in path.split("/") if p]
        if not path.startswith("/") or not parts or any(p in (".", "..") for p in parts):
            raise CommandError(f"java.lang.IllegalArgumentException: Pathname {path} is not a valid DFS filename", 1)
        return cluster, "/".join(parts)

    async def _job(self, process: Any, props: dict[str, str], name: str, estimate: int, work: Any) -> int:
        yarn = self.cluster.yarn
        tags = [t for t in props.get("mapreduce.job.tags", "").split(",") if t]
        duration = max(self.min_seconds, estimate / self.rows_per_second)
        app = yarn.submit(props.get("mapreduce.job.name", name), self.user, tags, duration,
                          props.get("mapreduce.job.queuename", "default"))
        err = process.stderr
        log = "INFO  [main] mapreduce.Job: "
        _write(err, f"INFO  [main] client.RMProxy: Connecting to ResourceManager at {yarn.url}\n"
                    f"INFO  [main] impl.YarnClientImpl: Submitted application {app.id}\n"
                    f"{log}The url to track the job: {yarn.url}/proxy/{app.id}/\n{log}Running job: {app.job_id}\n")

        def run_it() -> tools.Outcome | None:
            # In the thread, to the end: the job completes even if the SSH session (and the task
            # awaiting this) goes away, as a YARN job outlives its client.
            try:
                outcome = work()
            except Exception as e:
                app.failed_reason = f"Job setup failed: {e}"
                app.fail_at = 0.0
                return None
            for path, text in outcome.files.items():  # committed before the app reports success
                target = self.cluster.hdfs_root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
            app.outcome = outcome
            return outcome

        outcome = await asyncio.to_thread(run_it)
        last = -1
        while True:
            state, final, progress = app.status(time.time())
            if int(progress) // 10 != last and state == "RUNNING":
                last = int(progress) // 10
                _write(err, f"{log} map {last * 10}% reduce 0%\n")
            if state in ("FINISHED", "FAILED", "KILLED"):
                break
            await asyncio.sleep(0.05)
        if state != "FINISHED":
            diag = yarn.app_json(app)["diagnostics"]
            _write(err, f"{log}Job {app.job_id} failed with state {state} due to: {diag}\n")
            return 1
        counters = outcome.counters
        lines = [f"{log} map 100% reduce 100%\n", f"{log}Job {app.job_id} completed successfully\n",
                 f"{log}Counters: {sum(len(c) for c in counters.values())}\n"]
        for group, values in counters.items():
            lines.append(f"\t{group}\n")
            lines.extend(f"\t\t{k}={v}\n" for k, v in values.items())
        _write(err, "".join(lines))
        return 0


def _split_pipes(command: str) -> list[str]:
    """Split a command line on `|` outside quotes."""
    parts, cur, quote = [], [], None
    for ch in command:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "|":
            parts.append("".join(cur))
            cur = []
            continue
        elif ch in ";&`$<>":
            raise CommandError(f"sandbox gateway: `{ch}` is not supported here", 2)
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def _filter(stage: list[str], lines: list[str]) -> list[str]:
    if stage[:1] == ["grep"]:
        args = [a for a in stage[1:] if a not in ("-F", "--fixed-strings")]
        if len(args) != 1:
            raise CommandError("sandbox gateway: grep [-F] PATTERN", 2)
        fixed = "-F" in stage or "--fixed-strings" in stage
        return [ln for ln in lines if (args[0] in ln if fixed else fnmatch.fnmatch(ln, f"*{args[0]}*"))]
    if stage[:1] == ["head"]:
        try:
            n = int(stage[2]) if stage[1:2] == ["-n"] and len(stage) == 3 else int(stage[1].lstrip("-"))
        except (IndexError, ValueError):
            raise CommandError("sandbox gateway: head -n N", 2) from None
        return lines[:max(0, n)]
    raise CommandError(f"bash: {stage[0] if stage else ''}: not supported after a pipe here", 2)


def _write(stream: Any, text: str) -> None:
    try:
        stream.write(text)
    except Exception:
        pass  # the SSH session is gone; the job goes on
