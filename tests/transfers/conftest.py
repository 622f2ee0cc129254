"""Shared set-up of the transfer tests: an app.yaml for given sandbox endpoints, and Services
built on it the way a running Ferry builds them (without Slack)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from commands.context import Services
from features.registry import load_config, open_store
from features.transfers import kinds as backend_module
from tests.fixtures.slack import APPROVERS, CHANNEL, GROUP, OPERATOR


def env_name(name: str, what: str) -> str:
    return f"FERRY_TEST_{what}_{name.replace('-', '').upper()}"


def estate_yaml(name: str, env: dict[str, str], *, hbase: Any = None, cm: Any = None, aws: Any = None,
                account: str | None = None) -> str:
    parts = []
    if cm is not None:
        env[env_name(name, "CM_PASSWORD")] = cm.password
        parts.append(f"cloudera: {{url: '{cm.url}', username: {cm.username}, "
                     f"password: '${{{env_name(name, 'CM_PASSWORD')}}}', cluster: Cluster 1, timeout: 5}}")
    if hbase is not None:
        parts.append(f"hbase: {{host: '{hbase.host}', port: {hbase.port}, timeout: 5}}")
    if aws is not None:
        kw = aws.connect_kwargs()
        acct = f", account_id: '{account}'" if account else ""
        env[env_name(name, "AWS_SECRET")] = kw["secret_access_key"]
        parts.append(f"aws: {{region: {kw['region']}, endpoint_url: '{kw['endpoint_url']}', "
                     f"access_key_id: '{kw['access_key_id']}', "
                     f"secret_access_key: '${{{env_name(name, 'AWS_SECRET')}}}'{acct}}}")
    if not parts:
        return f"  {name}: {{}}\n"
    return f"  {name}:\n" + "".join(f"    {p}\n" for p in parts)


def config_text(transfers: str, *, asis: dict | None = None, tobe: dict | None = None,
                extra: str = "") -> tuple[str, dict[str, str]]:
    """app.yaml text for these sandbox endpoints, and the environment its ${VAR}s need."""
    env: dict[str, str] = {}
    text = (
        f"slack:\n  channel: {CHANNEL}\n"
        f"people:\n  operators: [{OPERATOR}, {GROUP}]\n  approvers: [{', '.join(APPROVERS)}]\n"
        "state:\n  path: state.sqlite\n"
        "estates:\n" + estate_yaml("as-is", env, **(asis or {})) + estate_yaml("to-be", env, **(tobe or {}))
        + "network:\n  source_bandwidth: 10Gbit/s\n"
        + "transfers:\n" + textwrap.indent(textwrap.dedent(transfers).strip() + "\n", "  ") + extra
    )
    return text, env


@pytest.fixture
def make_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Services]]:
    """make_services(transfers_yaml, asis={...}, tobe={...}) -> Services on a fresh state file,
    stopped after the test (so copy threads end)."""
    made: list[Services] = []

    def make(transfers: str, **kw: Any) -> Services:
        path = tmp_path / f"app{len(made)}.yaml"
        text, env = config_text(transfers, **kw)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        path.write_text(text)
        cfg = load_config(str(path))
        services = Services(config=cfg, store=open_store(cfg.state.path))
        made.append(services)
        return services

    yield make
    for services in made:
        services.stopped.set()
        backend_module.forget(services)
