"""The shell command that exports the whole audit trail of the Ferry that is running, as it
can be pasted: this Ferry's config and Python, and, when the config has an `env` file beside it
(the sandbox writes one: the secrets `make demo` set), that environment too."""

from __future__ import annotations

import os
import shlex
import sys


def _shown(path: str) -> str:
    """Relative to the current folder when inside it (shorter, and what was typed), else absolute."""
    rel = os.path.relpath(path)
    return shlex.quote(path if rel.startswith("..") else rel)


def export_command(config_path: str | None, fmt: str = "csv") -> str:
    config = _shown(config_path or "app.yaml")
    python = _shown(sys.executable) if sys.executable and os.path.isabs(sys.executable) else "python"
    command = f"{python} -m bot audit --config {config} --format {fmt}"
    env_file = os.path.join(os.path.dirname(config_path), "env") if config_path else None
    if env_file and os.path.isfile(env_file):
        return f"(set -a; . {_shown(env_file)}; {command})"
    return command
