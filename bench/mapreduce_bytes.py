"""Bytes that reach Ferry's process for `count` and `compare --full` of one HBase table, on
`engine: thrift` (every row crosses the wire to Ferry) and `engine: mapreduce` (RowCounter,
HashTable and SyncTable run on the clusters; Ferry reads counters, a few log lines and the rows of
the differing ranges), at two table sizes with the same drift (3 rows missing, 1 changed cell).

    .venv/bin/python bench/mapreduce_bytes.py [--small 20000] [--large 80000]

Every connection Ferry opens (HBase Thrift, SSH to the gateways, HTTP to YARN) goes through a
byte-counting TCP relay on 127.0.0.1: what is counted is what arrived on Ferry's sockets, protocol
overhead included. Targets: with mapreduce, the bytes at the large size are at most 1.5x those at
the small size (they follow the differences and the job's duration, not the table), and mapreduce
moves fewer bytes than thrift at the large size. Prints the ratios; exits 1 if a target is missed.
(The sandbox jobs take a fixed time here, so YARN polling is the same at both sizes; on a cluster
it grows with the job's duration at ~1 KB per poll, not with the data.)
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GROWTH_TARGET = 1.5


class Relay:
    """127.0.0.1:port -> target, counting the bytes that flow back to the client."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.down = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while data := src.recv(65536):
                if count:
                    with self.lock:
                        self.down += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


def measure(rows: int, tmp: Path) -> dict[str, dict[str, int]]:
    from commands.context import Services
    from features.registry import load_config, open_store
    from features.validation import runner
    from sandbox.hbase import HBaseThriftServer, seed_orders
    from sandbox.mapreduce.keys import write_known_hosts
    from sandbox.mapreduce.pair import MapReducePair

    out: dict[str, dict[str, int]] = {}
    with HBaseThriftServer() as asis, HBaseThriftServer() as tobe:
        seed_orders(asis, tobe, rows=rows, regions=8)
        # Jobs of a fixed duration (0.3 s) whatever the rows: see the docstring.
        with MapReducePair(asis, tobe, tmp / f"mr-{rows}", rows_per_second=1e12, min_seconds=0.3) as mr:
            relays = {name: Relay(addr) for name, addr in {
                "hbase-asis": (asis.host, asis.port), "hbase-tobe": (tobe.host, tobe.port),
                "gw-asis": ("127.0.0.1", mr.gateway["as-is"].port), "gw-tobe": ("127.0.0.1", mr.gateway["to-be"].port),
                "yarn-asis": ("127.0.0.1", mr.yarn["as-is"].port), "yarn-tobe": ("127.0.0.1", mr.yarn["to-be"].port),
            }.items()}
            known = write_known_hosts(tmp / f"known-{rows}", [
                ("127.0.0.1", relays["gw-asis"].port, mr.gateway["as-is"].host_key),
                ("127.0.0.1", relays["gw-tobe"].port, mr.gateway["to-be"].host_key)])
            for engine in ("thrift", "mapreduce"):
                path = tmp / f"app-{rows}-{engine}.yaml"
                path.write_text(_config(mr, relays, known, engine, tmp / f"state-{rows}-{engine}.sqlite"))
                cfg = load_config(str(path))
                services = Services(config=cfg, store=open_store(cfg.state.path))
                for check in ("count", "full"):
                    before = sum(r.down for r in relays.values())
                    run = runner.create(services, f"orders:{check}", tables=["orders"], check=check,
                                        started_by=None, origin="bench")
                    done = runner.execute_with(services, run.id)
                    result = done.detail["results"].get("orders") or {}
                    if done.state != "mismatch" or (check == "full" and result.get("n_missing") != 3):
                        raise SystemExit(f"{engine} {check} at {rows:,} rows did not find the drift: "
                                         f"{done.state} {done.error or result.get('summary')}")
                    out.setdefault(engine, {})[check] = sum(r.down for r in relays.values()) - before
            for r in relays.values():
                r.close()
    return out


def _config(mr, relays, known: Path, engine: str, state: Path) -> str:
    def estate(name: str, short: str) -> str:
        g = mr.settings(name)["gateway"]
        return (f"  {name}:\n"
                f"    hbase: {{host: 127.0.0.1, port: {relays['hbase-' + short].port}, timeout: 30}}\n"
                f"    gateway: {{host: 127.0.0.1, port: {relays['gw-' + short].port}, user: ferry, "
                f"key_file: '{g['key_file']}', known_hosts: '{known}', hdfs: '{g['hdfs']}', "
                f"zookeeper: '{g['zookeeper']}'}}\n"
                f"    yarn: {{url: 'http://127.0.0.1:{relays['yarn-' + short].port}'}}\n")

    return (f"slack: {{channel: C0BENCH01}}\npeople: {{operators: [U0BENCH01]}}\nstate: {{path: '{state}'}}\n"
            f"estates:\n{estate('as-is', 'asis')}{estate('to-be', 'tobe')}"
            f"mapreduce: {{poll_every: 0.1s, hashtable_batch_size: 32KB}}\n"
            f"tables:\n  - id: orders\n    as-is: {{hbase: orders}}\n    to-be: {{hbase: orders}}\n"
            f"    engine: {engine}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=80_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ferry-bench-mr-") as tmp:
        figures = {n: measure(n, Path(tmp)) for n in (args.small, args.large)}
    print(f"{'rows':>10} {'engine':<10} {'count':>12} {'compare --full':>16}   (bytes reaching Ferry)")
    for rows, by_engine in figures.items():
        for engine, b in by_engine.items():
            print(f"{rows:>10,} {engine:<10} {b['count']:>12,} {b['full']:>16,}")
    ok = True
    small, large = figures[args.small], figures[args.large]
    for check in ("count", "full"):
        growth_mr = large["mapreduce"][check] / max(1, small["mapreduce"][check])
        growth_thrift = large["thrift"][check] / max(1, small["thrift"][check])
        saving = large["thrift"][check] / max(1, large["mapreduce"][check])
        print(f"{check:<6} table x{args.large / args.small:g}: thrift bytes x{growth_thrift:.2f}, mapreduce bytes "
              f"x{growth_mr:.2f} (target <= {GROWTH_TARGET}); thrift/mapreduce at {args.large:,} rows: {saving:.1f}")
        ok = ok and growth_mr <= GROWTH_TARGET and saving > 1
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
