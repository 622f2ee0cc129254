"""SSH keys of a sandbox: one client key for Ferry, one host key per gateway, and the
known_hosts file that names each gateway's host key at its address. Generated once under the
sandbox's data dir and kept (a restarted sandbox keeps its keys; known_hosts is rewritten with the
new ports)."""

from __future__ import annotations

import warnings
from pathlib import Path

with warnings.catch_warnings():  # asyncssh still imports cryptography's DSA, which warns
    warnings.simplefilter("ignore")
    import asyncssh


def ensure_key(path: Path, comment: str) -> asyncssh.SSHKey:
    """The ed25519 private key at `path` (created 0600, with `path.pub`, if absent)."""
    if path.exists():
        return asyncssh.read_private_key(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519", comment=comment)
    key.write_private_key(str(path))
    path.chmod(0o600)
    key.write_public_key(str(path) + ".pub")
    return key


def known_hosts_line(host: str, port: int, key: asyncssh.SSHKey) -> str:
    name = host if port == 22 else f"[{host}]:{port}"
    return f"{name} {key.export_public_key().decode().split()[0]} {key.export_public_key().decode().split()[1]}"


def write_known_hosts(path: Path, entries: list[tuple[str, int, asyncssh.SSHKey]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(known_hosts_line(h, p, k) + "\n" for h, p, k in entries))
    return path
