"""Start-up of a short verb: `python -m bot run status` against the bare interpreter loading what
any verb needs (the configuration and the state database: yaml and sqlite_utils).

Both are timed as whole processes, alternating, best of N (the machine's noise only adds).
Target: Ferry's `run status` at most 2.5 × that floor; and none of boto3, cm-client, APScheduler,
asyncssh or matplotlib is imported (`-X importtime`): a short verb must not pay for the clients
of systems it never calls.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("boto3", "cm_client", "apscheduler", "asyncssh", "matplotlib")
TARGET = 2.5
CONFIG = """
slack: {channel: C0BENCH001}
people: {operators: [U0ALICE01], approvers: [U0BOB0001]}
state: {path: state.sqlite}
estates:
  as-is: {}
  to-be: {}
"""


def timed(argv: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t0


def imported(config: Path) -> set[str]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", "run", "status", "--config", str(config)],
                         cwd=ROOT, capture_output=True, text=True, check=True).stderr
    return {line.rsplit("|", 1)[-1].strip() for line in out.splitlines() if line.startswith("import time:")}


def main(rounds: int = 7) -> int:
    with tempfile.TemporaryDirectory(prefix="ferry-bench-startup-") as tmp:
        config = Path(tmp) / "app.yaml"
        config.write_text(CONFIG)
        ferry_argv = [sys.executable, "-m", "bot", "run", "status", "--config", str(config)]
        floor_argv = [sys.executable, "-c", "import yaml, sqlite_utils"]
        timed(ferry_argv, ROOT)  # the first run writes the state database and warms the file cache
        ferry, floor = [], []
        for _ in range(rounds):
            ferry.append(timed(ferry_argv, ROOT))
            floor.append(timed(floor_argv, ROOT))
        heavy = sorted(m for m in imported(config) if m.split(".")[0] in HEAVY)
    ratio = min(ferry) / min(floor)
    print(f"run status: best {min(ferry) * 1000:.0f} ms, median {sorted(ferry)[rounds // 2] * 1000:.0f} ms; "
          f"floor (python + yaml + sqlite_utils): best {min(floor) * 1000:.0f} ms")
    print(f"ratio run status / floor = {ratio:.2f} (target ≤ {TARGET}); heavy modules imported: {heavy or 'none'}")
    return 0 if ratio <= TARGET and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
