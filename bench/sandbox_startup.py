"""Sandbox start-up time and memory (targets: under 10 s, under 500 MB).

Starts the whole embedded estate with default sizes (HBase orders 100,000 rows, warehouse
events 50,000 rows) in a fresh folder, then measures the memory of this process (the
simulators, HBase and moto run in it) plus PostgreSQL's processes (PSS) and its files in RAM.
The ratio is start-up time / 10 s and memory / 500 MB.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.stack import SandboxStack  # noqa: E402
from sandbox.warehouse import procs  # noqa: E402


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="ferry-bench-sandbox-"))
    root.chmod(0o755)
    t0 = time.monotonic()
    stack = SandboxStack(data_dir=str(root / "data")).start()
    wall = time.monotonic() - t0
    try:
        own = procs.pss_bytes([__import__("os").getpid()])
        pg = stack.warehouse.memory()
        total = own + pg["pss"] + pg.get("tmpfs", 0)
    finally:
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)
    mb = 1024 * 1024
    print(f"sandbox start-up: {wall:.1f} s (target < 10 s, ratio {wall / 10:.2f})")
    print(f"memory: {total / mb:.0f} MB = this process {own / mb:.0f} MB + PostgreSQL {pg['pss'] / mb:.0f} MB"
          f" + PostgreSQL files in RAM {pg.get('tmpfs', 0) / mb:.0f} MB (target < 500 MB, ratio {total / mb / 500:.2f})")
    return 0 if wall < 10 and total < 500 * mb else 1


if __name__ == "__main__":
    raise SystemExit(main())
