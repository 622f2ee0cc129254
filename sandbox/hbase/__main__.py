"""Run one sandbox HBase Thrift server in the foreground: `python -m sandbox.hbase [--port N]
[--data-path FILE] [--seed-rows N]`. Prints `READY <host> <port>` once it accepts connections,
then serves until Ctrl-C, SIGTERM or end of stdin (`--until-stdin-closes`, for a parent process)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from sandbox.hbase.seed import seed_orders
from sandbox.hbase.server import HBaseThriftServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.hbase", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-path", default=None)
    parser.add_argument("--seed-rows", type=int, default=0, help="seed `orders` (AS-IS side) and `customers`")
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--scan-rows-per-second", type=float, default=None,
                        help="simulated read rate of one scanner (a region server reading from disk)")
    parser.add_argument("--until-stdin-closes", action="store_true")
    args = parser.parse_args(argv)

    server = HBaseThriftServer(args.host, args.port, args.data_path, scan_rows_per_second=args.scan_rows_per_second).start()
    if args.seed_rows:
        seed_orders(server, HBaseThriftServer(), rows=args.seed_rows, regions=args.regions)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"READY {server.host} {server.port}", flush=True)
    try:
        if args.until_stdin_closes:
            threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
