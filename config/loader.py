"""Read app.yaml: check that secrets come from the environment, substitute `${VAR}`, parse."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from typing import Any

import yaml

from config import core
from config.assess import RuleNames
from config.errors import ConfigError, raise_all
from config.model import Config
from config.reader import Reader, join
from config.sections import SECTIONS
from config.transfers import TransferKind

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load(path: str, env: Mapping[str, str] | None = None, *, rules: RuleNames | None = None,
         kinds: Mapping[str, TransferKind] | None = None) -> Config:
    """Load and validate the configuration file at `path`. `rules`: the assessment's rule ids and
    threshold names, to check `assess:` against; `kinds`: the transfer kinds and how to read their
    keys (features.registry.load_config passes both)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError("", f"configuration file {path} does not exist") from None
    except OSError as e:
        raise ConfigError("", f"cannot read {path}: {e.strerror}") from None
    return load_text(text, env=env, source_path=os.path.abspath(path), rules=rules, kinds=kinds)


def load_text(text: str, env: Mapping[str, str] | None = None, source_path: str | None = None, *,
              rules: RuleNames | None = None, kinds: Mapping[str, TransferKind] | None = None) -> Config:
    env = os.environ if env is None else env
    name = os.path.basename(source_path) if source_path else "app.yaml"
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError("", f"{source_path or name} is not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    if not isinstance(raw, dict):
        raise ConfigError("", f"{name} must be a mapping of sections (slack, people, state, estates, ...)")
    # Every problem is collected and reported at once: fixing app.yaml one error per run is slow.
    errors: list[ConfigError] = []
    _check_secrets(raw, "", errors)
    data = _substitute(raw, "", env, errors)
    base_dir = os.path.dirname(source_path) if source_path else os.getcwd()

    r = Reader(data)

    def part(fn, *a):
        try:
            return fn(*a)
        except ConfigError as e:
            errors.append(e)
            return None

    slack = part(lambda: core.parse_slack(r.section("slack", required=True)))
    people = part(lambda: core.parse_people(r.section("people", required=True)))
    state = part(lambda: core.parse_state(r.section("state"), base_dir))
    estates = part(lambda: core.parse_estates(r.section("estates", required=True)))
    network = part(lambda: core.parse_network(r.section("network")))
    parsed: dict[str, Any] = {"estates": estates, "network": network, "people": people, "rules": rules,
                              "kinds": dict(kinds or {})}
    sections: dict[str, Any] = {}
    for section, parser in SECTIONS.items():
        value = r.raw(section, None)
        try:
            sections[section] = parser(value, section, parsed)
        except ConfigError as e:
            errors.append(e)
            sections[section] = None
        except (AttributeError, TypeError, KeyError):
            if not errors:
                raise
            sections[section] = None  # it leans on a section that failed: that error is reported
        parsed[section] = sections[section]
    part(r.done)
    raise_all(errors)
    return Config(
        slack=slack,
        people=people,
        state=state,
        estates=estates,
        network=network,
        source_path=source_path,
        version=hashlib.sha256(text.encode()).hexdigest()[:16],
        **sections,
    )


def _check_secrets(node: Any, path: str, errors: list[ConfigError]) -> None:
    """A secret written into app.yaml would end up in git: only `${VAR}` is accepted."""
    if isinstance(node, dict):
        for key, value in node.items():
            key_path = join(path, str(key))
            if not isinstance(key, str):  # `?`, `1:`, `yes:` in YAML: a key that is no name
                errors.append(ConfigError(key_path, f"is not a name: a key is text (YAML read {key!r})"))
            if isinstance(value, str) and core.SECRET_KEYS.search(str(key)) and not core.ENV_ONLY.match(value):
                errors.append(ConfigError(key_path, "is a secret: write it as ${ENV_VAR} and set the variable, "
                                                    "never the value itself in app.yaml"))
            if isinstance(value, str) and str(key) == "dsn":
                m = core.DSN_PASSWORD.match(value)
                if m and m.group("pw") and not core.ENV_ONLY.match(m.group("pw")):
                    errors.append(ConfigError(key_path, "holds a password: write it as "
                                                        "postgresql://user:${ENV_VAR}@host/db"))
            _check_secrets(value, key_path, errors)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _check_secrets(item, join(path, i), errors)


def _substitute(node: Any, path: str, env: Mapping[str, str], errors: list[ConfigError]) -> Any:
    if isinstance(node, dict):
        # Keys as text from here on (a non-text key was reported above), so the rest can be checked.
        return {str(k): _substitute(v, join(path, str(k)), env, errors) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, join(path, i), env, errors) for i, v in enumerate(node)]
    if isinstance(node, str) and "${" in node:
        def repl(m: re.Match) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            # Reported with the others; the text stays as written, so the rest can be checked.
            errors.append(ConfigError(path, f"environment variable {name} is not set"))
            return m.group(0)
        return _VAR.sub(repl, node)
    return node
