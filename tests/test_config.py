"""app.yaml loading: typed objects, ${VAR} from the environment, errors that name the key."""

import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import ConfigError
from features.registry import load_config
from tests.fixtures.slack import BASE_CONFIG

ROOT = Path(__file__).resolve().parent.parent


def load(text: str, env=None):
    return config.load_text(text, env=env or {}, source_path="/tmp/x/app.yaml")


def test_example_app_yaml_loads():
    env = {k: "pw" for k in ("CM_ASIS_PASSWORD", "CM_TOBE_PASSWORD", "WAREHOUSE_ASIS_PASSWORD",
                             "WAREHOUSE_TOBE_PASSWORD")}
    cfg = load_config(str(ROOT / "app.yaml"), env=env)  # with the transfer kinds and rule names
    assert cfg.slack.channel == "C0FERRY01"
    assert cfg.as_is.cloudera.password == "pw"
    assert "pw" not in repr(cfg.as_is)  # secrets are left out of reprs (and so of logs)
    assert cfg.network.usable_bandwidth == pytest.approx(10e9 / 8 * 0.7)


def test_minimal_config():
    cfg = load(BASE_CONFIG)
    assert cfg.people.operators == ("U0ALICE01", "S0DATAENG1")
    assert cfg.state.path == "/tmp/x/state.sqlite"


@pytest.mark.parametrize(
    "patch, key, words",
    [
        ("slack:\n  channel: general\n", "slack.channel", "not a Slack channel ID"),
        ("slack:\n  channel: C0FERRY01\n  chanel: C1\n", "slack.chanel", "unknown key"),
        ("people:\n  operators: [alice]\n", "people.operators[0]", "not a Slack user ID"),
        ("estates:\n  as-is: {}\n", "estates.to-be", "is required"),
        ("estates:\n  as-is: {hbase: {host: h, port: '90x'}}\n  to-be: {}\n", "estates.as-is.hbase.port",
         "whole number"),
        ("network:\n  source_bandwidth: fast\n", "network.source_bandwidth", "not a rate"),
        ("extra: 1\n", "extra", "unknown key"),
    ],
)
def test_errors_name_the_key(patch, key, words):
    base = {k: v for k, v in _sections(BASE_CONFIG).items()}
    base.update(_sections(patch))
    with pytest.raises(ConfigError) as err:
        load("".join(base.values()))
    assert err.value.key == key
    assert words in str(err.value)


def test_id_lists_refuse_duplicates():
    from config.entries import each_entry

    with pytest.raises(ConfigError) as err:
        list(each_entry([{"id": "a"}, {"id": "a"}], "things"))
    assert err.value.key == "things[1].id" and "duplicate id" in str(err.value)


def test_secret_literal_is_refused():
    text = BASE_CONFIG.replace("  as-is: {}", "  as-is:\n    cloudera: {url: 'http://cm:7180', username: a, password: hunter2}")
    with pytest.raises(ConfigError) as err:
        load(text)
    assert err.value.key == "estates.as-is.cloudera.password"
    assert "hunter2" not in str(err.value)


def test_password_in_dsn_is_refused_but_env_is_fine():
    bad = BASE_CONFIG.replace("  as-is: {}", "  as-is:\n    warehouse: {dsn: 'postgresql://u:secret@h/db'}")
    with pytest.raises(ConfigError, match="estates.as-is.warehouse.dsn"):
        load(bad)
    good = BASE_CONFIG.replace("  as-is: {}", "  as-is:\n    warehouse: {dsn: 'postgresql://u:${PW}@h/db'}")
    assert load(good, env={"PW": "s3"}).as_is.warehouse.dsn == "postgresql://u:s3@h/db"


def test_missing_environment_variable_is_named():
    text = BASE_CONFIG.replace("  as-is: {}", "  as-is:\n    warehouse: {dsn: 'postgresql://u:${NOPE}@h/db'}")
    with pytest.raises(ConfigError, match="NOPE is not set"):
        load(text)


def test_invalid_yaml_says_where():
    with pytest.raises(ConfigError, match="line [23]"):
        load("slack:\n  channel: C1\n   bad: [\n")


def test_check_command(tmp_path):
    good = tmp_path / "app.yaml"
    good.write_text(BASE_CONFIG)
    ok = subprocess.run([sys.executable, "-m", "bot", "check", "--config", str(good)], capture_output=True,
                        text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE_CONFIG.replace("C0FERRY01", "general"))
    err = subprocess.run([sys.executable, "-m", "bot", "check", "--config", str(bad)], capture_output=True,
                         text=True, cwd=ROOT)
    assert err.returncode == 2
    assert "slack.channel" in err.stderr and "Traceback" not in err.stderr


def _sections(text: str) -> dict[str, str]:
    """Split top-level YAML sections so a test can replace one."""
    out, current = {}, None
    for line in text.strip("\n").splitlines(keepends=True):
        if line and not line[0].isspace():
            current = line.split(":")[0]
            out[current] = ""
        out[current] += line if line.endswith("\n") else line + "\n"
    return out
