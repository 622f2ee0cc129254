"""Benchmark: inventory of a generated 200-host estate through the Cloudera connector.

    .venv/bin/python bench/cm_scan.py [--hosts 200] [--latency-ms 50] [--repeat 3]

The CM simulator runs in its own process (its own interpreter, as a remote CM is), with
`--latency-ms` added to every request (a CM across a VPN or another VPC answers in tens of ms;
0 measures raw CPU cost). Figures, best of `--repeat`:
  - wall time and HTTP calls of `ClouderaManager.inventory()` with concurrent calls (8 workers)
  - the same with calls one after another (sequential=True)
  - ratio = sequential time / concurrent time (> 1: concurrency pays). Target: concurrent < 5 s.
Nothing is left running.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connectors.cloudera import ClouderaManager  # noqa: E402
from sandbox.cloudera.process import spawn_simulator  # noqa: E402


def scan(url: str, *, sequential: bool, repeat: int) -> tuple[float, int, int]:
    """(best wall time s, HTTP calls, hosts) of a full inventory, version detection included."""
    best, calls, hosts = float("inf"), 0, 0
    for _ in range(repeat):
        with ClouderaManager(url, "admin", "admin", sequential=sequential) as cm:
            t0 = time.perf_counter()
            inv = cm.inventory()
            best = min(best, time.perf_counter() - t0)
            calls, hosts = inv.http_calls, len(inv.hosts)
    return best, calls, hosts


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", type=int, default=200)
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    for latency in sorted({0.0, args.latency_ms}):
        with spawn_simulator(generate=args.hosts, latency_ms=latency) as url:
            conc, calls, hosts = scan(url, sequential=False, repeat=args.repeat)
            seq, calls_seq, _ = scan(url, sequential=True, repeat=args.repeat)
        print(f"inventory of {hosts} hosts, CM latency {latency:.0f} ms/call: "
              f"concurrent {conc:.3f} s ({calls} HTTP calls), sequential {seq:.3f} s ({calls_seq} calls), "
              f"ratio {seq / conc:.2f}x  [target: concurrent < 5 s: {'ok' if conc < 5 else 'MISSED'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
