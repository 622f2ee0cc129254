"""A short verb loads only what it needs (issue 14): `run status` imports none of the clients of
outside systems nor the scheduler. How fast it starts is bench/cli_startup.py's to measure."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("boto3", "botocore", "cm_client", "apscheduler", "sqlalchemy", "asyncssh", "happybase", "matplotlib")


def test_run_status_imports_no_client_of_an_outside_system(tmp_path):
    config = tmp_path / "app.yaml"
    config.write_text("slack: {channel: C0TEST0001}\npeople: {operators: [U0ALICE01], approvers: [U0BOB0001]}\n"
                      "state: {path: state.sqlite}\nestates: {as-is: {}, to-be: {}}\n")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", "run", "status", "--config", str(config)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "features.registry" in imported  # the check looked at a real run
    assert sorted(m for m in imported if m.split(".")[0] in HEAVY) == []
