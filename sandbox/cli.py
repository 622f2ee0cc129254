"""`python -m bot sandbox`: the embedded estate in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading

from sandbox.stack import SandboxStack


def stop_on_signals() -> threading.Event:
    """An event that Ctrl-C or SIGTERM sets. Call it before saying the sandbox is ready: a
    SIGTERM that comes before the handler is installed kills the process uncleanly."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def print_endpoints(stack: SandboxStack) -> None:
    print(f"Sandbox estate '{stack.estate}' up in {stack.startup_s:.1f} s:")
    width = max(len(k) for k in stack.endpoints())
    for name, where in stack.endpoints().items():
        print(f"  {name.ljust(width)}  {where}")


def run_sandbox(estate: str = "fieldnote", data_dir: str | None = None, write_config: str | None = None) -> int:
    print("Starting the sandbox (Slack stand-in, Cloudera Managers, HBase, PostgreSQL, moto)…", flush=True)
    try:
        stack = SandboxStack(estate=estate, data_dir=data_dir).start()
    except Exception as e:  # a part that would not start: say which and why, no trace
        print(f"The sandbox could not start: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    try:
        stop = stop_on_signals()
        if write_config:
            shutil.copyfile(stack.config_path, write_config)
            os.chmod(write_config, 0o600)
            print(f"Wrote {write_config}")
        print_endpoints(stack)
        print("Environment for Ferry (the secrets app.yaml refers to):")
        for key, value in stack.env.items():
            print(f"  export {key}={value}")
        print("Ctrl-C stops everything.", flush=True)
        stop.wait()
    finally:
        stack.stop()
    print("Sandbox stopped.")
    return 0
