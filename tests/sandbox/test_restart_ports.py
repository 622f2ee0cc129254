"""A restarted sandbox keeps its ports, and so writes the same app.yaml (issue 12, item 13):
the config's version is in every cutover plan hash, so a changed port voided pending approvals.
A saved port that is taken meanwhile is given up for a free one."""

import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

import config
from features.registry import load_config, vocabulary
from sandbox.aws import AwsSeedSpec
from sandbox.stack import SandboxStack, SeedSizes

SIZES = SeedSizes(hbase_orders=200, warehouse_events=200)
SPEC = AwsSeedSpec(asis_bucket="ferry-asis-ports", tobe_bucket="ferry-tobe-ports")


@pytest.fixture
def data_dir():
    root = Path(tempfile.mkdtemp(prefix="ferry-test-"))
    root.chmod(0o755)  # PostgreSQL's unprivileged user must enter it
    yield root / "data"
    shutil.rmtree(root, ignore_errors=True)


def start(data_dir: Path) -> tuple[str, dict[str, str], str]:
    with SandboxStack(data_dir=str(data_dir), sizes=SIZES, aws_spec=SPEC) as stack:
        return stack.config_path.read_text(), dict(stack.env), stack.cm_asis.url


def test_a_restart_writes_the_same_config_and_gives_up_a_taken_port(data_dir, monkeypatch):
    first, env, cm_url = start(data_dir)
    second, env2, _ = start(data_dir)
    assert second == first
    assert env2["SLACK_API_URL"] == env["SLACK_API_URL"]  # the channel page's address too
    for key, value in env2.items():
        monkeypatch.setenv(key, value)
    assert load_config(str(data_dir / "app.yaml")).version == config.load_text(first, **vocabulary()).version

    squatter = socket.socket()
    squatter.bind(("127.0.0.1", urlparse(cm_url).port))
    squatter.listen()
    try:
        third, _, cm_url3 = start(data_dir)
    finally:
        squatter.close()
    assert cm_url3 != cm_url
    changed = [(a, b) for a, b in zip(first.splitlines(), third.splitlines(), strict=True) if a != b]
    assert changed == [(f"      url: {cm_url}", f"      url: {cm_url3}")]
