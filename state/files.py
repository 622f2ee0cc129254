"""The state database's files are private: the database, its -wal and -shm (approvals, the
audit trail, message text) are 0600, in a folder that Ferry creates 0700.

SQLite creates -wal and -shm with the permissions of the database file, so a database created
0600 keeps its companions 0600 too; files left readable by an older Ferry are tightened.
"""

from __future__ import annotations

import os

COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # makedirs' mode passes through the umask
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for suffix in COMPANIONS:
        try:
            if os.stat(path + suffix).st_mode & 0o077:
                os.chmod(path + suffix, 0o600)
        except FileNotFoundError:
            pass
