"""Keeps the layout honest: only bot/ imports Slack (DESIGN.md, 'Rules that keep it easy to change')."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SLACK_IMPORT = re.compile(r"^\s*(from|import)\s+slack_(bolt|sdk)\b", re.M)


def test_only_bot_imports_slack():
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("commands", "connectors", "jobs", "state")
        for p in (ROOT / folder).rglob("*.py")
        if SLACK_IMPORT.search(p.read_text())
    ]
    assert offenders == []


def test_required_layout_exists():
    for name in ("bot", "commands", "connectors", "jobs", "state", "sandbox", "bench", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("app.yaml", "requirements.txt", "requirements-dev.txt", "Makefile", "manifest.yaml", "README.md"):
        assert (ROOT / name).is_file(), name
