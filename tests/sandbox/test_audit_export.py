"""The audit card's export hint works as printed (issue 12, item 17): the sandbox writes the
environment its app.yaml needs to var/sandbox/env (0600), and the hint names this Ferry's
config, Python and that file, so pasting it into a shell prints this Ferry's trail."""

import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from bot.runtime import Runtime
from commands import dispatch
from core.who import Who
from sandbox.aws import AwsSeedSpec
from sandbox.stack import SandboxStack, SeedSizes
from state import audit


def test_the_hint_of_the_audit_card_runs_as_printed(monkeypatch):
    root = Path(tempfile.mkdtemp(prefix="ferry-test-"))
    root.chmod(0o755)  # PostgreSQL's unprivileged user must enter it
    spec = AwsSeedSpec(asis_bucket="ferry-asis-hint", tobe_bucket="ferry-tobe-hint")
    try:
        with SandboxStack(data_dir=str(root / "data"), sizes=SeedSizes(hbase_orders=100, warehouse_events=100),
                          aws_spec=spec) as stack:
            env_file = root / "data" / "env"
            assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
            for key, value in stack.env.items():
                monkeypatch.setenv(key, value)
            rt = Runtime(str(stack.config_path), with_scheduler=False)
            try:
                audit.append(rt.store, Who("U0ALICE01"), "hint-test", "ok", target="marker-7f3a")
                reply = dispatch.run_command(rt.services, Who("U0ALICE01", "T1", channel_id="C0FERRY01"), "audit")
            finally:
                rt.stop()
            hint = re.search(r"Everything \(or `--format json`\): `([^`]+)`", str(reply.message.blocks))
            assert hint, reply.message.blocks
            command = hint.group(1)
            assert str(env_file.name) in command and "app.yaml" in command
            clean = {k: v for k, v in os.environ.items() if k not in stack.env}  # a fresh shell
            done = subprocess.run(["bash", "-c", command], env=clean, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("id,at,user_id") and "marker-7f3a" in done.stdout
    finally:
        shutil.rmtree(root, ignore_errors=True)
