"""Ack latency of `serve --http` under load.

32 concurrent clients send signed `/migrate status` requests over HTTP while the bot's poster
is busy sending a stream of channel messages (background work). Prints p50, p99, max and the
ratio p99 / 3000 ms (Slack's ack deadline). Target: p99 under 50 ms on a 2-core machine.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.message import Message, Section  # noqa: E402
from features.registry import open_store  # noqa: E402
from sandbox.slack import SlackDriver, SlackStandIn  # noqa: E402
from state import outbox  # noqa: E402

CLIENTS = 32
REQUESTS_PER_CLIENT = int(os.environ.get("FERRY_BENCH_REQUESTS", "25"))
SECRET = "bench-secret"
TOKEN = "xoxb-bench"
CHANNEL = "C0FERRY01"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ferry-bench-"))
    (tmp / "app.yaml").write_text(f"""
slack: {{channel: {CHANNEL}}}
people: {{operators: [U0ALICE01], approvers: [U0BOB0001]}}
state: {{path: state.sqlite}}
estates: {{as-is: {{}}, to-be: {{}}}}
""")
    standin = SlackStandIn(token=TOKEN).start()
    env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": standin.api_url, "FERRY_POST_INTERVAL": "0.02"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config",
                             str(tmp / "app.yaml")], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split("listening on ")[1].split("/slack/events")[0]
        driver = SlackDriver(url, SECRET, standin)
        for _ in range(20):  # warm up
            driver.command("status", user="U0ALICE01", channel=CHANNEL)

        stop = threading.Event()
        store = open_store(str(tmp / "state.sqlite"))

        def background() -> None:  # keeps the poster and the database busy during the run
            i = 0
            while not stop.is_set():
                outbox.enqueue(store, CHANNEL, Message(f"bg {i}", [Section(f"background {i}")]).to_dict(),
                               card_key=f"bg:{i % 5}")
                i += 1
                time.sleep(0.01)

        bg = threading.Thread(target=background, daemon=True)
        bg.start()

        def client(n: int) -> list[float]:
            out = []
            for _ in range(REQUESTS_PER_CLIENT):
                t0 = time.perf_counter()
                d = driver.command("status", user="U0ALICE01", channel=CHANNEL)
                out.append((time.perf_counter() - t0) * 1000)
                assert d.status == 200, d
            return out

        t0 = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            latencies = sorted(x for xs in pool.map(client, range(CLIENTS)) for x in xs)
        wall = time.perf_counter() - t0
        stop.set()
        bg.join()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        standin.stop()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"ack latency over {len(latencies)} signed /migrate status requests, {CLIENTS} concurrent clients, "
          f"{wall:.1f} s ({len(latencies) / wall:.0f} req/s)")
    print(f"  p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {latencies[-1]:.1f} ms")
    print(f"  p99 / 3000 ms (Slack's deadline) = {p99 / 3000:.4f}   target p99 < 50 ms: "
          f"{'met' if p99 < 50 else 'NOT met'}")
    return 0 if p99 < 50 else 1


if __name__ == "__main__":
    raise SystemExit(main())
