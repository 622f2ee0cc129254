"""State files are private (issue 12, item 9): the SQLite database, its WAL and shared-memory
files and a written config are 0600, in a 0700 folder Ferry creates."""

import os
import stat

from sandbox.stack import SandboxStack
from state import Store, outbox


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_state_database_is_private(tmp_path):
    old = os.umask(0o022)  # the usual umask: it would give 0644 files
    try:
        store = Store(str(tmp_path / "var" / "ferry.sqlite"))
        outbox.enqueue(store, "C1", {"text": "x", "blocks": []})  # something in the WAL
    finally:
        os.umask(old)
    assert mode(tmp_path / "var") == 0o700
    for name in ("ferry.sqlite", "ferry.sqlite-wal", "ferry.sqlite-shm"):
        assert (tmp_path / "var" / name).exists(), name
        assert mode(tmp_path / "var" / name) == 0o600, name
    store.close()


def test_an_existing_readable_database_is_made_private(tmp_path):
    db = tmp_path / "ferry.sqlite"
    Store(str(db)).close()
    for suffix in ("", "-wal", "-shm"):
        if (tmp_path / f"ferry.sqlite{suffix}").exists():
            os.chmod(tmp_path / f"ferry.sqlite{suffix}", 0o644)
    store = Store(str(db))
    outbox.enqueue(store, "C1", {"text": "x", "blocks": []})
    for suffix in ("", "-wal", "-shm"):
        assert mode(tmp_path / f"ferry.sqlite{suffix}") == 0o600, suffix
    store.close()


def test_the_written_config_is_private(tmp_path):
    stack = SandboxStack.__new__(SandboxStack)  # only write_config is under test: no servers
    stack.values = lambda: {}
    old = os.umask(0o022)
    try:
        path = SandboxStack.write_config(stack, tmp_path / "app.yaml")
    finally:
        os.umask(old)
    assert mode(path) == 0o600
