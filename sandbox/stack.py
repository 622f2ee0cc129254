"""The whole embedded estate in one object: Slack stand-in, two Cloudera Managers, two HBase
Thrift servers, the warehouse (PostgreSQL with `asis` and `tobe`) and AWS (moto), seeded with
deliberate drift, plus the app.yaml that points Ferry at them.

    with SandboxStack(data_dir="var/sandbox") as stack:
        stack.config_path, stack.env, stack.endpoints()
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shlex
import shutil
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.aws import AwsSandbox, AwsSeedSpec
from sandbox.cloudera import CMSimulator
from sandbox.hbase import HBaseThriftServer, seed_orders
from sandbox.mapreduce.pair import MapReducePair
from sandbox.ports import reusable
from sandbox.slack import SlackStandIn
from sandbox.warehouse import Warehouse
from sandbox.warehouse import seed as seed_warehouse
from sandbox.warehouse.seed import is_seeded

log = logging.getLogger(__name__)

TEMPLATE = Path(__file__).with_name("app.yaml.template")
TWINS = {"fieldnote": "fieldnote-tobe"}  # an estate's TO-BE twin; others migrate to themselves
SANDBOX_BOT_TOKEN = "xoxb-sandbox"
SANDBOX_SIGNING_SECRET = "sandbox-signing-secret"
CM_PASSWORD = "admin"

# The people of the sandbox workspace, for the local channel's user switcher.
USERS = [
    {"id": "U0ALICE01", "name": "alice", "role": "operator"},
    {"id": "U0BOB0001", "name": "bob", "role": "operator and approver"},
    {"id": "U0CAROL01", "name": "carol", "role": "approver"},
    {"id": "U0DAVE001", "name": "dave", "role": "approver"},
    {"id": "U0VIEWER1", "name": "victor", "role": "viewer"},
]


@dataclass
class SeedSizes:
    hbase_orders: int = 100_000
    hbase_regions: int = 8
    warehouse_events: int = 50_000


@dataclass
class SandboxStack:
    estate: str = "fieldnote"
    data_dir: str | None = None
    sizes: SeedSizes = field(default_factory=SeedSizes)
    aws_spec: AwsSeedSpec | None = None  # bucket names are global per process: two stacks need two

    def __post_init__(self) -> None:
        self._temp = self.data_dir is None
        self.root = Path(self.data_dir or tempfile.mkdtemp(prefix="ferry-sandbox-")).resolve()
        self.started: list[Any] = []
        self._extra_dirs: list[Path] = []
        self.startup_s: float | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> SandboxStack:
        t0 = time.monotonic()
        self.root.mkdir(parents=True, exist_ok=True)
        # PostgreSQL runs as an unprivileged user when we are root: it must enter this folder.
        self.root.chmod(0o755)
        saved = self._load_identity()
        ports = saved.get("ports", {})
        try:
            # Each part on the port it had last time when that port is free: the written config
            # (whose hash is in every cutover plan) and the channel page's address stay the same.
            self.slack = self._on_port(ports.get("slack"), lambda p: SlackStandIn(port=p, token=SANDBOX_BOT_TOKEN))
            self.cm_asis = self._on_port(ports.get("cm_asis"),
                                         lambda p: CMSimulator(self.estate, port=p, password=CM_PASSWORD))
            self.cm_tobe = self._on_port(ports.get("cm_tobe"), lambda p: CMSimulator(
                TWINS.get(self.estate, self.estate), port=p, password=CM_PASSWORD))
            self.hbase_asis = self._on_port(ports.get("hbase_asis"), lambda p: HBaseThriftServer(
                port=p, data_path=self.root / "hbase-asis.data"))
            self.hbase_tobe = self._on_port(ports.get("hbase_tobe"), lambda p: HBaseThriftServer(
                port=p, data_path=self.root / "hbase-tobe.data"))
            self.warehouse = self._on_port(ports.get("warehouse"),
                                           lambda p: Warehouse(port=p, data_dir=self.warehouse_dir()))
            # The clusters' Hadoop side: SSH gateways and YARN over the HBase data. 20,000 rows/s per
            # job: the 100,000 seeded orders take 5 s, long enough to watch the progress on the card.
            self.mapreduce = self._keep(MapReducePair(self.hbase_asis, self.hbase_tobe, self.root / "mapreduce",
                                                      rows_per_second=20_000, min_seconds=2.0,
                                                      ports=ports.get("mapreduce")).start())
            # About 30 s for the seeded landing files: long enough to watch the progress card move.
            self.aws = self._on_port(ports.get("aws"), lambda p: AwsSandbox(
                port=p, account_id=saved.get("aws_account"), spec=self.aws_spec,
                datasync_bytes_per_second=64 * 1024))
            self._save_identity()
            self.aws_seed = self.aws.seed()
            self._seed()
            self.config_path = self.write_config(self.root / "app.yaml")
            self.env_path = self.write_env(self.root / "env")
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - t0
        return self

    # -- the same ports and account on every start ------------------------------------------
    @property
    def _identity_path(self) -> Path:
        return self.root / "sandbox.json"

    def _load_identity(self) -> dict[str, Any]:
        try:
            data = json.loads(self._identity_path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_identity(self) -> None:
        ports = {name: _port_of(getattr(self, name)) for name in
                 ("slack", "cm_asis", "cm_tobe", "hbase_asis", "hbase_tobe", "warehouse", "aws")}
        ports["mapreduce"] = self.mapreduce.ports()
        self._identity_path.write_text(json.dumps({"ports": ports, "aws_account": self.aws.account_id}, indent=2))

    def _on_port(self, port: Any, make) -> Any:
        """make(port).start() on the saved port if it is still free, else on a free one."""
        wanted = reusable(port)
        try:
            part = make(wanted).start()
        except OSError:  # taken between the check and the bind
            if not wanted:
                raise
            part = make(0).start()
        return self._keep(part)

    def warehouse_dir(self) -> Path:
        """Where PostgreSQL keeps its data: beside the rest, unless that folder is one an
        unprivileged user cannot enter (PostgreSQL refuses to run as root, so as root it runs as
        `nobody`; a checkout under /root is 0700). Then a folder of its own under /var/tmp, named
        after this data dir so a restarted sandbox finds its tables again."""
        wanted = self.root / "warehouse"
        if os.geteuid() != 0 or _enterable_by_others(self.root):
            return wanted
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        fallback = Path(tempfile.gettempdir() if self._temp else "/var/tmp") / f"ferry-warehouse-{digest}"
        fallback.mkdir(parents=True, exist_ok=True)
        fallback.chmod(0o755)
        if self._temp:
            self._extra_dirs.append(fallback)
        return fallback / "warehouse"

    def stop(self) -> None:
        for part in reversed(self.started):
            try:
                part.stop()
            except Exception:  # stop everything we can, PostgreSQL above all
                log.exception("stopping %s failed", type(part).__name__)
        self.started.clear()
        if self._temp:
            shutil.rmtree(self.root, ignore_errors=True)
            for extra in self._extra_dirs:
                shutil.rmtree(extra, ignore_errors=True)

    def __enter__(self) -> SandboxStack:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _keep(self, part: Any) -> Any:
        self.started.append(part)
        return part

    def _seed(self) -> None:
        # A persistent data dir is seeded once; a restarted sandbox keeps its tables.
        if not self.hbase_asis.has_table("orders"):
            self.hbase_report = seed_orders(self.hbase_asis, self.hbase_tobe, rows=self.sizes.hbase_orders,
                                            regions=self.sizes.hbase_regions)
        else:
            self.hbase_report = None
        if not is_seeded(self.warehouse):
            self.warehouse_report = seed_warehouse(self.warehouse, events_rows=self.sizes.warehouse_events)
        else:
            self.warehouse_report = None

    # -- configuration ----------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        """The secrets app.yaml refers to, and Slack's settings for `serve`."""
        return {
            "FERRY_SANDBOX_CM_PASSWORD": CM_PASSWORD,
            "FERRY_SANDBOX_WAREHOUSE_PASSWORD": self.warehouse.password,
            # The key pair is minted anew by each start's moto, so the key id is in the environment
            # with its secret, and app.yaml stays the same from one start to the next.
            "FERRY_SANDBOX_AWS_ACCESS_KEY": self.aws.credentials.access_key_id,
            "FERRY_SANDBOX_AWS_SECRET": self.aws.credentials.secret_access_key,
            "SLACK_BOT_TOKEN": SANDBOX_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SANDBOX_SIGNING_SECRET,
            "SLACK_API_URL": self.slack.api_url,
        }

    def values(self) -> dict[str, str]:
        return {
            "state_path": str(self.root / "state" / "ferry.sqlite"),  # a 0700 folder (state/files.py)
            "cm_asis_url": self.cm_asis.url,
            "cm_tobe_url": self.cm_tobe.url,
            "hbase_asis_port": str(self.hbase_asis.port),
            "hbase_tobe_port": str(self.hbase_tobe.port),
            **self._mapreduce_values(),
            "warehouse_user": self.warehouse.user,
            "warehouse_port": str(self.warehouse.port),
            "aws_region": self.aws.region,
            "aws_url": self.aws.endpoint_url,
            "aws_account": self.aws.account_id,
            "aws_asis_bucket": self.aws_seed.asis_bucket.name,
            "aws_tobe_bucket": self.aws_seed.tobe_bucket.name,
            "aws_datasync_task": self.aws_seed.datasync_task_arn,
            "aws_asis_cluster": self.aws_seed.asis_cluster,
            "aws_tobe_cluster": self.aws_seed.tobe_cluster,
            "aws_snapshot": self.aws_seed.snapshot_id,
        }

    def _mapreduce_values(self) -> dict[str, str]:
        out = {"gateway_key": str(self.mapreduce.client_key), "known_hosts": str(self.mapreduce.known_hosts)}
        for estate, short in (("as-is", "asis"), ("to-be", "tobe")):
            s = self.mapreduce.settings(estate)
            out[f"gateway_{short}_port"] = str(s["gateway"]["port"])
            out[f"hdfs_{short}"] = s["gateway"]["hdfs"]
            out[f"zookeeper_{short}"] = s["gateway"]["zookeeper"]
            out[f"yarn_{short}_url"] = s["yarn"]["url"]
        return out

    def write_config(self, path: Path) -> Path:
        text = TEMPLATE.read_text()
        for key, value in self.values().items():
            text = text.replace(f"@@{key}@@", value)
        # 0600 from its first byte (the umask would give 0644): it names every endpoint and user.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path

    def write_env(self, path: Path) -> Path:
        """The environment app.yaml needs, as a shell file (`set -a; . env`): what `make demo`
        sets for its own Ferry, so `python -m bot audit --config …/app.yaml` can be run beside
        it. Secrets, so 0600."""
        text = "# Written by the sandbox at each start: the environment its app.yaml needs.\n" + "".join(
            f"{key}={shlex.quote(value)}\n" for key, value in sorted(self.env.items()))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path

    def endpoints(self) -> dict[str, str]:
        return {
            "Slack Web API stand-in": self.slack.api_url,
            "Cloudera Manager AS-IS": f"{self.cm_asis.url} (admin/{CM_PASSWORD})",
            "Cloudera Manager TO-BE": f"{self.cm_tobe.url} (admin/{CM_PASSWORD})",
            "HBase Thrift AS-IS": f"127.0.0.1:{self.hbase_asis.port}",
            "HBase Thrift TO-BE": f"127.0.0.1:{self.hbase_tobe.port}",
            "SSH gateway AS-IS": f"ferry@127.0.0.1:{self.mapreduce.gateway['as-is'].port} (key {self.mapreduce.client_key})",
            "SSH gateway TO-BE": f"ferry@127.0.0.1:{self.mapreduce.gateway['to-be'].port}",
            "YARN ResourceManager AS-IS": self.mapreduce.yarn["as-is"].url,
            "YARN ResourceManager TO-BE": self.mapreduce.yarn["to-be"].url,
            "Warehouse (PostgreSQL)": f"127.0.0.1:{self.warehouse.port} databases asis, tobe (user {self.warehouse.user})",
            "AWS (moto)": f"{self.aws.endpoint_url} account {self.aws.account_id}",
            "Ferry config": str(self.config_path),
            "Its environment": f"{self.env_path} (set -a; . {self.env_path})",
        }


def _port_of(part: Any) -> int:
    port = getattr(part, "port", None)
    return port if isinstance(port, int) and port else urllib.parse.urlparse(part.url).port


def _enterable_by_others(path: Path) -> bool:
    """Whether a user with no special rights may traverse every folder down to `path`."""
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents] if p.exists())


def apply_env(env: dict[str, str]) -> None:
    for key, value in env.items():
        os.environ[key] = value
