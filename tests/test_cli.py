"""Without Slack: `python -m bot run` for scripts and the terminal console."""

import io
import json
import subprocess
import sys
from pathlib import Path

from bot.console import Console
from commands import registry
from commands.context import Reply
from commands.registry import Action, Permission, Verb
from core.message import Actions, Button, Message, Section

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_run_json_parses(ferry_config):
    out = run_cli("run", "status", "--config", str(ferry_config), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["ok"] is True and result["result"]["empty"] is True


def test_run_help_text(ferry_config):
    out = run_cli("run", "help", "--config", str(ferry_config))
    assert out.returncode == 0
    assert "/migrate status" in out.stdout


def test_run_unknown_verb_exits_2_with_usage(ferry_config):
    out = run_cli("run", "stats", "--config", str(ferry_config), "--json")
    assert out.returncode == 2
    result = json.loads(out.stdout)
    assert result["ok"] is False and result["result"]["did_you_mean"] == "status"


def test_run_with_a_broken_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "app.yaml"
    bad.write_text("slack: {channel: nope}\n")
    out = run_cli("run", "status", "--config", str(bad))
    assert out.returncode == 2 and "slack.channel" in out.stderr and "Traceback" not in out.stderr


def test_console_renders_cards_and_presses_buttons(ferry_config):
    pressed = []

    def handle(inv):
        message = Message("pick", [Section("Start the copy?"),
                                   Actions([Button("Start", "ferry:pick:go", "n1", "primary")])])
        return Reply(message, ephemeral=False, card_key="pick")

    def go(inv):
        pressed.append(inv.value)
        return Reply(Message("started", [Section("started :rocket:")]))

    registry.verbs()["pick"] = Verb("pick", "pick", "test", handle, Permission.OPERATE,
                                    actions={"go": Action(go)})
    try:
        out = io.StringIO()
        console = Console(str(ferry_config), out=out)
        console.loop(["/migrate pick", "/migrate status", "9", "1", "1"])
        text = out.getvalue()
    finally:
        registry.verbs().pop("pick")
    assert "Start the copy?" in text and "[1] Start" in text
    assert "No button 9" in text
    assert pressed == ["n1"]  # pressing twice acts once
    assert "started" in text and "already handled" in text
