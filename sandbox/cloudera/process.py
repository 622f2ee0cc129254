"""The CM simulator in a child process: a real server with its own interpreter (and GIL), as a
remote Cloudera Manager is. Used by the benchmarks, so client and server do not share one CPU lock.

    with spawn_simulator(generate=200, latency_ms=50) as url:
        ClouderaManager(url, "admin", "admin").inventory()
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def spawn_simulator(estate: str = "fieldnote", *, generate: int | None = None, latency_ms: float | None = None,
                    username: str = "admin", password: str = "admin", timeout: float = 20.0) -> Iterator[str]:
    """Start `python -m sandbox.cloudera` and yield its base URL; the child is stopped on exit
    (and exits by itself if this process dies: it watches its standard input)."""
    cmd = [sys.executable, "-m", "sandbox.cloudera", "--watch-stdin", "--estate", estate,
           "--username", username, "--password", password]
    if generate:
        cmd += ["--generate", str(generate)]
    if latency_ms is not None:
        cmd += ["--latency-ms", str(latency_ms)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("CM_URL="):
            raise RuntimeError(f"CM simulator did not start (exit code {proc.poll()}): {line!r}")
        yield line.split()[0].split("=", 1)[1]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream:
                stream.close()
