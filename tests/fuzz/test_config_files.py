"""Any app.yaml: loaded, or refused with ConfigError naming what is wrong, in time; `check` never
ends in a traceback, and `run --json` prints JSON whatever the file holds."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

import config
from bot.cli import main as cli
from features.registry import vocabulary
from tests.fuzz.properties import FUZZ, NOT_FOR_PEOPLE, timed
from tests.hardening.conftest import app_yaml

VOCABULARY = vocabulary()  # the rules and transfer kinds the features declare
VALID = yaml.safe_load(app_yaml(9))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                   st.text(max_size=30), st.sampled_from(["${NOPE}", "${X:-}", "10MB/s", "every 1h", "-1", "1e999"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                     max_leaves=8)


def paths(node, prefix=()):
    """Every key path of a nested mapping/list, for picking one to change."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


def replaced(node, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: replaced(node[head], rest, value)}
    copy = list(node)
    copy[head] = replaced(node[head], rest, value)
    return copy


ALL_PATHS = list(paths(VALID))


def assert_loads_or_explains(text: str) -> None:
    try:
        timed(lambda: config.load_text(text, env={}, source_path=os.path.join(tempfile.gettempdir(), "app.yaml"),
                                       **VOCABULARY))
    except config.ConfigError as e:
        assert e.errors and all(str(err).strip() for err in e.errors)
        for word in NOT_FOR_PEOPLE:
            assert word not in str(e), str(e)


@FUZZ
@given(text=st.text(max_size=300))
@example(text="?")  # a key YAML reads as None: once a TypeError deep in the "did you mean" hint
@example(text="1: x\nyes: y")
def test_any_text_is_loaded_or_explained(text):
    assert_loads_or_explains(text)


def test_the_unchanged_file_loads():
    config.load_text(yaml.safe_dump(VALID), env={}, **VOCABULARY)  # so the changes below start from valid


@FUZZ
@given(pick=st.integers(0, 10_000), value=VALUE, drop=st.booleans())
def test_any_change_to_a_valid_file_is_loaded_or_explained(pick, value, drop):
    path = ALL_PATHS[pick % len(ALL_PATHS)]
    data = replaced(VALID, path, value)
    if drop and path and isinstance(data, dict) and path[0] in data and len(path) == 1:
        data = {k: v for k, v in data.items() if k != path[0]}
    assert_loads_or_explains(yaml.safe_dump(data, allow_unicode=True))


@FUZZ
@given(text=st.text(max_size=200), as_json=st.booleans())
def test_the_cli_answers_any_file_without_a_traceback(tmp_path_factory, text, as_json):
    path = tmp_path_factory.mktemp("cfg") / "app.yaml"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    argv = ["run", "status", "--config", str(path), "--json"] if as_json else ["check", "--config", str(path)]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = timed(lambda: cli(argv))
    assert code in (0, 1, 2)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if as_json:
        assert "ok" in json.loads(out.getvalue())
    elif code:
        assert "Configuration error" in err.getvalue(), err.getvalue()
