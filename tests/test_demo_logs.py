"""`make demo` keeps its logs out of the chat (issue 12, item 14): log lines and stray
tracebacks (a browser tab closed during a long poll) go to var/demo.log, whose path is printed
once; the terminal shows only the chat. A real demo process."""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_logs_and_tracebacks_go_to_a_file_not_the_chat(tmp_path):
    work = tmp_path / "demo"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "demo"], cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            out.append(line)
            if "Ctrl-C (or `quit`)" in line or not line:
                break
        page = re.search(r"Open the channel in a browser: http://127\.0\.0\.1:(\d+)", "".join(out))
        assert page, "".join(out)
        for _ in range(3):  # a tab closed while its long poll waits: the answer meets a reset socket
            s = socket.create_connection(("127.0.0.1", int(page.group(1))))
            s.sendall(b"GET /channel/api/state?user=U0ALICE01&since=0 HTTP/1.1\r\nHost: x\r\n\r\n")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    text = "".join(out) + proc.stdout.read()
    assert text.count("var/demo.log") == 1, text
    assert "Traceback" not in text and "Error" not in text, text
    assert not re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (INFO|WARNING|ERROR)", text, re.M), text
    log = (work / "var" / "demo.log").read_text()
    assert (work / "var" / "demo.log").stat().st_mode & 0o077 == 0
    assert " INFO " in log
    assert "ConnectionResetError" in log or "BrokenPipeError" in log  # the traceback landed here
    if os.geteuid() == 0:  # the warehouse kept under /var/tmp (see tests/test_demo.py)
        import hashlib

        root = (work / "var" / "sandbox").resolve()
        shutil.rmtree(Path("/var/tmp") / f"ferry-warehouse-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}",
                      ignore_errors=True)
