"""Both clusters' Hadoop side for the sandbox: a YARN stand-in and an SSH gateway per estate over the
two HBase stand-ins, one client key for Ferry and a known_hosts naming both gateways.

    mr = MapReducePair(hbase_asis, hbase_tobe, root / "mapreduce").start()
    mr.gateway["as-is"].port, mr.yarn["to-be"].url, mr.client_key, mr.known_hosts
    mr.settings("as-is") -> the estate's `gateway:` and `yarn:` settings for app.yaml
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.mapreduce.gateway import GatewayStandIn, SandboxCluster
from sandbox.mapreduce.keys import write_known_hosts
from sandbox.mapreduce.yarn import YarnStandIn
from sandbox.ports import reusable

ESTATES = {"as-is": "asis", "to-be": "tobe"}
USER = "ferry"


class MapReducePair:
    def __init__(self, hbase_asis: Any, hbase_tobe: Any, root: Path, *, rows_per_second: float = 50_000,
                 min_seconds: float = 1.0, ports: dict[str, int] | None = None) -> None:
        self.root = Path(root)
        self.wanted_ports = ports or {}  # the last start's ports (sandbox.json), reused when free
        self.hbase = {"as-is": hbase_asis, "to-be": hbase_tobe}
        self.rows_per_second, self.min_seconds = rows_per_second, min_seconds
        self.yarn: dict[str, YarnStandIn] = {}
        self.gateway: dict[str, GatewayStandIn] = {}
        self.clusters: dict[str, SandboxCluster] = {}

    @property
    def key_dir(self) -> Path:
        return self.root / "ssh"

    @property
    def client_key(self) -> Path:
        return self.key_dir / "ferry_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.key_dir / "known_hosts"

    def _port(self, name: str) -> int:
        return reusable(self.wanted_ports.get(name))

    def ports(self) -> dict[str, int]:
        out = {f"yarn_{ESTATES[e]}": y.port for e, y in self.yarn.items()}
        out.update({f"gateway_{ESTATES[e]}": g.port for e, g in self.gateway.items()})
        return out

    def start(self) -> MapReducePair:
        self.key_dir.mkdir(parents=True, exist_ok=True)
        self.key_dir.chmod(0o700)
        try:
            for estate, short in ESTATES.items():
                self.yarn[estate] = YarnStandIn(port=self._port(f"yarn_{short}"), name=short).start()
                self.clusters[short] = SandboxCluster(short, self.hbase[estate], self.root / "hdfs" / short,
                                                      self.yarn[estate])
            for estate, short in ESTATES.items():
                self.gateway[estate] = GatewayStandIn(self.clusters[short], self.clusters, self.key_dir, user=USER,
                                                      rows_per_second=self.rows_per_second,
                                                      min_seconds=self.min_seconds,
                                                      port=self._port(f"gateway_{short}")).start()
            write_known_hosts(self.known_hosts, [(g.host, g.port, g.host_key) for g in self.gateway.values()])
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for part in [*self.gateway.values(), *self.yarn.values()]:
            part.stop()
        self.gateway.clear()
        self.yarn.clear()

    def __enter__(self) -> MapReducePair:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def settings(self, estate: str) -> dict[str, Any]:
        g, y = self.gateway[estate], self.yarn[estate]
        cluster = self.clusters[ESTATES[estate]]
        return {"gateway": {"host": g.host, "port": g.port, "user": USER, "key_file": str(self.client_key),
                            "known_hosts": str(self.known_hosts), "hdfs": cluster.hdfs_url,
                            "zookeeper": cluster.zookeeper},
                "yarn": {"url": y.url, "history_url": y.url}}
