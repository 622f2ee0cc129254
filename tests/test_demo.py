"""`make demo` (python -m bot demo): Ferry and the sandbox start, answer, and stop cleanly."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_starts_prints_the_tour_and_stops_on_sigterm(tmp_path):
    # The demo keeps its data in var/sandbox of the folder it runs in: run it in a scratch one.
    # pytest's tmp_path is 0700 under root, as a checkout under /root would be: PostgreSQL (run
    # as nobody) cannot enter it, so the sandbox keeps the warehouse under /var/tmp instead.
    work = tmp_path / "demo"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "demo"], cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            out.append(line)
            if "Ctrl-C (or `quit`)" in line or not line:
                break
        text = "".join(out)
        assert "Open the channel in a browser: http://127.0.0.1:" in text, text
        assert "/migrate status" in text and "Cloudera Manager AS-IS" in text
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    assert code == 0
    assert "Ferry and the sandbox stopped." in proc.stdout.read()
    assert (work / "var" / "sandbox" / "app.yaml").exists()
    if os.geteuid() == 0:
        root = (work / "var" / "sandbox").resolve()
        fallback = Path("/var/tmp") / f"ferry-warehouse-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}"
        assert (fallback / "warehouse").is_dir()
        shutil.rmtree(fallback)
