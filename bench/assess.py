"""Benchmark: `/migrate assess` of a generated 200-host estate in the CM simulator.

    .venv/bin/python bench/assess.py [--hosts 200] [--latency-ms 30] [--repeat 3]

Each Cloudera Manager simulator runs in its own process (as a remote CM is) and adds
`--latency-ms` to every request (a CM across a VPN or another VPC answers in tens of ms).
One assessment = the inventory (every CM call), the 22 rules, the AS-IS vs TO-BE comparison
(to-be), and the report card and complete report rendered for Slack. Figures, best of `--repeat`:
  - as-is: wall time and HTTP calls, concurrent calls (the connector's pool) vs one after another
  - to-be: both CMs read at once (concurrent) vs one CM after the other, calls one after another
  - ratio = sequential / concurrent (> 1: concurrency pays). Target: concurrent < 5 s.
Nothing is left running.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from bot import blocks as block_kit  # noqa: E402
from config.assess import AssessSettings  # noqa: E402
from features.assess import report  # noqa: E402
from features.assess.assessment import assess  # noqa: E402
from features.assess.history import Changes  # noqa: E402
from features.plan.eta import Link, Plan  # noqa: E402
from sandbox.cloudera.process import spawn_simulator  # noqa: E402

CONFIG = """
slack: {{channel: C0BENCH01}}
people: {{operators: [U0BENCH01], approvers: [U0BENCH02]}}
state: {{path: /tmp/ferry-bench-assess.sqlite}}
estates:
  as-is: {{cloudera: {{url: "{asis}", username: admin, password: "${{CM_PASSWORD}}", cluster: generated}}}}
  to-be: {{cloudera: {{url: "{tobe}", username: admin, password: "${{CM_PASSWORD}}", cluster: generated}}}}
network: {{source_bandwidth: 10Gbit/s, usable_fraction: 0.7}}
"""


def one(cfg: config.Config, side: str, sequential: bool) -> tuple[float, int, int, int]:
    """(wall s, HTTP calls, findings, Slack blocks) of one assessment, report rendered."""
    t0 = time.perf_counter()
    a = assess(cfg, side, AssessSettings(), sequential=sequential)
    plan = Plan(link=Link.of(cfg.network))
    message = report.card(a, "bench", Changes(), plan, AssessSettings(), report.estimate(a, plan.link))
    payload = block_kit.render(message)
    return time.perf_counter() - t0, a.http_calls, len(a.findings), len(payload["blocks"])


def best(cfg: config.Config, side: str, sequential: bool, repeat: int) -> tuple[float, int, int, int]:
    runs = [one(cfg, side, sequential) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", type=int, default=200)
    p.add_argument("--latency-ms", type=float, default=30.0)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with contextlib.ExitStack() as stack:
        asis = stack.enter_context(spawn_simulator(generate=args.hosts, latency_ms=args.latency_ms))
        tobe = stack.enter_context(spawn_simulator(generate=args.hosts, latency_ms=args.latency_ms))
        cfg = config.load_text(CONFIG.format(asis=asis, tobe=tobe), env={"CM_PASSWORD": "admin"})
        print(f"assessment of a generated {args.hosts}-host estate, CM latency {args.latency_ms:.0f} ms per call, "
              f"best of {args.repeat}")
        for side in ("as-is", "to-be"):
            conc, calls, found, blocks = best(cfg, side, False, args.repeat)
            seq, calls_seq, _, _ = best(cfg, side, True, args.repeat)
            cms = "1 CM" if side == "as-is" else "2 CMs"
            print(f"  assess {side:5} ({cms}): concurrent {conc:.3f} s ({calls} HTTP calls, {found} findings, "
                  f"{blocks} blocks), sequential {seq:.3f} s ({calls_seq} calls), ratio {seq / conc:.2f}x  "
                  f"[target: concurrent < 5 s: {'ok' if conc < 5 else 'MISSED'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
