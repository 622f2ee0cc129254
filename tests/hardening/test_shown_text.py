"""Issue 12 items 4 and 5: text people typed comes back inert. In Slack no `<!channel>`, mention
or disguised link, no bidi override reordering what is read; in a CSV export no formula."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from commands.dispatch import run_action, run_command
from core.message import escape, shown
from core.who import Who
from state import audit
from tests.hardening.conftest import OPS

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<!channel> <@U0BOB0001> <https://evil.example|Approve here> & \u202eexe.txt\u2066x\u2069\u200f"
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def live(text: str) -> list[str]:
    """What Slack would turn into a mention, a broadcast or a link, and bidi controls."""
    return re.findall(r"<[!@#][^>]*>|<https?:[^>]*>", text) + BIDI.findall(text)


def every_text(reply) -> str:
    msg = reply.message
    return msg.text + repr([b for b in msg.blocks])


def test_escape_and_shown_make_text_inert():
    assert live(escape(HOSTILE)) == [] and "&lt;!channel&gt;" in escape(HOSTILE)
    assert live(shown(HOSTILE)) == []
    assert escape("a & b") == "a &amp; b"


def test_audit_shows_a_stored_reason_inert(services):
    audit.append(services.store, Who("U0CAROL01", channel_id="C1"), "cutover:reject", "rejected",
                 target="freeze-writes#1 <!here>", reason=HOSTILE)
    audit.append(services.store, Who("<!channel>", channel_id="C1"), "x", "refused")
    reply = run_command(services, OPS, "audit")
    text = every_text(reply)
    assert "evil.example" in text and live(text) == ["<@U0CAROL01>"], live(text)  # only who acted


@pytest.mark.parametrize("line", [f"start {HOSTILE}", f"count {HOSTILE}", f"compare orders {HOSTILE}",
                                  f"{HOSTILE}", f"audit {HOSTILE}", f"throttle hbase-orders {HOSTILE}"])
def test_command_words_echoed_back_are_inert(services, line):
    reply = run_command(services, OPS, line)
    assert live(every_text(reply)) == [], every_text(reply)


def test_button_values_echoed_back_are_inert(services):
    for action in ("ferry:start:dismiss", "ferry:cancel:press", "ferry:compare:rerun", "ferry:cutover:approve"):
        reply = run_action(services, OPS, action, f"{HOSTILE}|{HOSTILE}|1")
        assert live(every_text(reply)) == [], (action, every_text(reply))


def test_the_csv_export_holds_no_formula(services, tmp_path):
    for reason in ("=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "fine"):
        audit.append(services.store, Who("U0BOB0001", channel_id="C1"), "cutover:reject", "rejected",
                     target=reason, reason=reason)
    config_path = services.config.source_path
    out = subprocess.run([sys.executable, "-m", "bot", "audit", "--config", str(config_path), "--format", "csv"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    cells = [row[k] for row in rows for k in ("reason", "target")]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    assert "'=HYPERLINK(\"https://evil.example\",\"x\")" in cells and "fine" in cells


def test_names_and_texts_from_app_yaml_are_shown_inert(tmp_path):
    from commands.context import Services
    from features.registry import load_config, open_store
    from tests.hardening.conftest import app_yaml, closed_port

    text = app_yaml(closed_port()).replace(
        "title: Freeze writes on AS-IS",
        'title: "<!channel> Freeze \u202ewrites"\n      description: "<https://evil.example|Read me> & go"').replace(
        "    table: orders\n", '    table: orders\n    description: "<!here> copies \u2066orders"\n', 1)
    (tmp_path / "app.yaml").write_text(text)
    cfg = load_config(str(tmp_path / "app.yaml"))
    services = Services(config=cfg, store=open_store(cfg.state.path))
    shown_all = ""
    for line in ("cutover", "start hbase-orders", "status"):
        reply = run_command(services, OPS, line)
        shown_all += every_text(reply)
    assert "evil.example" in shown_all and "copies" in shown_all and "Freeze" in shown_all
    assert live(shown_all) == [], live(shown_all)
