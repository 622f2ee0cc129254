"""Run the CM simulator on its own: `python -m sandbox.cloudera [--estate fieldnote | --generate 200]`.

Prints one line `CM_URL=http://127.0.0.1:PORT API=vNN` (flushed, for a parent process to read),
then serves until SIGINT/SIGTERM or until its standard input closes (so it dies with its parent).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from sandbox.cloudera.generate import generate_estate
from sandbox.cloudera.server import CMSimulator


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sandbox.cloudera", description=__doc__)
    p.add_argument("--estate", default="fieldnote", help="estate name (file in sandbox/estates/)")
    p.add_argument("--generate", type=int, metavar="HOSTS", help="serve a generated estate of HOSTS hosts instead")
    p.add_argument("--latency-ms", type=float, default=None, help="delay added to every request")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--username", default="admin")
    p.add_argument("--password", default="admin")
    p.add_argument("--watch-stdin", action="store_true", help="exit when standard input closes")
    args = p.parse_args(argv)
    estate = generate_estate(hosts=args.generate) if args.generate else args.estate
    sim = CMSimulator(estate, port=args.port, username=args.username, password=args.password)
    if args.latency_ms is not None:
        sim.set_latency(args.latency_ms / 1000.0)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    if args.watch_stdin:
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    with sim:
        print(f"CM_URL={sim.url} API={sim.api_version}", flush=True)
        done.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
