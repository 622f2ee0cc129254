"""Issue 12 item 18: `check` names every configuration error at once, `run --json` prints a
configuration error as JSON, and a YAML error names the file it is in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import config
from features.registry import load_config

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_VARS = ("CM_ASIS_PASSWORD", "CM_TOBE_PASSWORD", "WAREHOUSE_ASIS_PASSWORD", "WAREHOUSE_TOBE_PASSWORD")


def bot(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SHIPPED_VARS and not k.startswith("SLACK_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd,
                          env={**env, "PYTHONPATH": str(ROOT)}, timeout=60)


def test_check_of_the_shipped_app_yaml_names_all_four_missing_variables():
    out = bot("check", "--config", str(ROOT / "app.yaml"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    for name in SHIPPED_VARS:
        assert name in out.stderr, (name, out.stderr)
    assert "4 problems" in out.stderr


def test_every_error_of_several_sections_at_once(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("slack: {channel: 7}\npeople: {operators: U1}\nestates: {as-is: {}, to-be: {}}\n"
                    "state: {path: s.sqlite}\ntransfers: [{id: x, kind: no-such-kind}]\nbogus: 1\n"
                    "cutover: {steps: nope}\n")
    with pytest.raises(config.ConfigError) as e:
        load_config(str(path))
    keys = [err.key for err in e.value.errors]
    assert len(keys) >= 4 and any(k.startswith("slack") for k in keys) and any(k.startswith("people") for k in keys)
    assert any(k.startswith("transfers") for k in keys) and any(k.startswith("cutover") for k in keys), keys


def test_run_json_prints_a_configuration_error_as_json():
    out = bot("run", "status", "--config", str(ROOT / "app.yaml"), "--json")
    assert out.returncode == 2
    doc = json.loads(out.stdout)
    assert doc["ok"] is False and doc["error"] == "configuration"
    assert {p["problem"].split()[2] for p in doc["problems"]} >= set(SHIPPED_VARS), doc
    assert doc["config"].endswith("app.yaml")


def test_a_yaml_error_names_the_real_file(tmp_path):
    path = tmp_path / "ferry-prod.yaml"
    path.write_text("slack:\n  channel: [unclosed\n")
    out = bot("check", "--config", str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "ferry-prod.yaml is not valid YAML at line" in out.stderr and "app.yaml is not" not in out.stderr


def test_a_key_that_is_no_name_is_reported(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text("?\n")
    out = bot("check", "--config", str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "is not a name" in out.stderr and "slack: is required" in out.stderr


def test_check_lists_every_endpoint_of_an_estate_and_where_without_secrets(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text("""
slack: {channel: C0FERRY01}
people: {operators: [U0ALICE01], approvers: [U0BOB0001]}
state: {path: s.sqlite}
estates:
  as-is:
    cloudera: {url: "https://cm.asis.example:7183", username: admin, password: "${CHECK_CM_PASSWORD}"}
    hbase: {host: hbase.asis.example, port: 9090}
    warehouse: {dsn: "postgresql://ferry:${CHECK_WH_PASSWORD}@wh.asis.example:5439/dev"}
    gateway: {host: edge.asis.example, user: ferry, key_file: /tmp/k}
    yarn: {url: "http://rm.asis.example:8088", history_url: "http://jhs.asis.example:19888"}
  to-be: {}
""")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CHECK_CM_PASSWORD": "cm-secret-1", "CHECK_WH_PASSWORD": "wh-secret-2"}
    out = subprocess.run([sys.executable, "-m", "bot", "check", "--config", str(path)], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if "estate as-is" in x)
    for shown in ("cloudera (https://cm.asis.example:7183)", "hbase (hbase.asis.example:9090)",
                  "warehouse (wh.asis.example)", "gateway (ferry@edge.asis.example:22)",
                  "yarn (http://rm.asis.example:8088)"):
        assert shown in line, (shown, line)
    assert "secret" not in out.stdout and "secret" not in out.stderr
    assert "estate to-be: no endpoints" in out.stdout
