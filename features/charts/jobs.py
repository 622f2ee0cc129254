"""The chart jobs, queued by the features whose runs they draw (by reference, so neither imports
this package): `transfer_chart` when a transfer run ends (features/transfers/watcher.py), and
`validation_chart` when a configured validation's run ends (features/validation/runner.py).

Why these moments: a transfer's throughput is worth a look once, when the run is over (while it
runs the card's figures say enough, and a chart per poll would flood the thread); a validation's
chart only when its result changed (passed ↔ mismatch, or a different number of differences),
since a scheduled validation that keeps giving the same answer every 15 minutes adds nothing.
`/migrate report` carries every chart too, for whoever wants them on demand.

Each upload has a dedupe key per run: a job re-run after a restart uploads nothing twice.
"""

from __future__ import annotations

import logging

from config.units import human_bytes, human_duration, human_rate
from core.message import Message
from features.charts import render
from features.services import Services
from features.transfers import api as transfers
from features.transfers.card import card_key as transfer_card_key
from features.validation import api as validations
from state import runs

log = logging.getLogger(__name__)

MIN_SAMPLES = 3  # fewer polls draw no useful line (a run over in seconds)
HISTORY = 60  # validation results on the chart


def transfer_png(services: Services, run_id: str) -> bytes | None:
    """The run's throughput chart, or None when it has too few samples to draw."""
    run = runs.get(services.store, run_id)
    samples = transfers.throughput(services, run_id)
    if run is None or len(samples) < MIN_SAMPLES:
        return None
    points = render.rate_points([(s.t, s.bytes_done, s.cap_bps) for s in samples])
    if not points:
        return None
    return render.throughput_png(f"Transfer {run.subject}: throughput ({run.state})", points,
                                 services.config.network.usable_bandwidth)


def transfer_chart(services: Services, run_id: str) -> None:
    """Job: upload the run's throughput chart to its card's thread."""
    png = transfer_png(services, run_id)
    run = runs.get(services.store, run_id)
    if png is None or run is None:
        log.info("no throughput chart for %s (too few samples)", run_id)
        return
    samples = transfers.throughput(services, run_id)
    moved = samples[-1].bytes_done - samples[0].bytes_done
    took = samples[-1].t - samples[0].t
    mean = f", mean {human_rate(moved / took)}" if took > 0 else ""
    caption = f"Throughput of `{run.subject}`: {human_bytes(moved)} in {human_duration(took)}{mean}."
    services.upload(f"throughput-{run.subject}.png", png, title=f"Throughput of {run.subject}",
                    comment=Message(caption), alt=caption, thread_of=transfer_card_key(run_id),
                    dedupe_key=f"chart:{run_id}")


def validation_png(services: Services, validation_id: str) -> bytes | None:
    points = [render.DiffPoint(p.finished_at, p.differences, p.state)
              for p in validations.history(services, validation_id, limit=HISTORY)]
    if len(points) < 2:
        return None
    return render.differences_png(f"Validation {validation_id}: rows that differ", points)


def result_changed(history: list[validations.HistoryPoint], run_id: str) -> bool:
    """Did `run_id` give another answer than the run before it?"""
    index = next((i for i, p in enumerate(history) if p.run_id == run_id), None)
    if index is None or index == 0:
        return False  # not finished, or the first result: nothing to compare with
    now, before = history[index], history[index - 1]
    return (now.state, now.differences) != (before.state, before.differences)


def validation_chart(services: Services, run_id: str) -> None:
    """Job: when the validation's result changed, upload its differences chart to the run's card's thread."""
    run = runs.get(services.store, run_id)
    if run is None or not run.detail.get("validation_id"):
        return
    validation_id = run.detail["validation_id"]
    history = validations.history(services, validation_id, limit=HISTORY)
    if not result_changed(history, run_id):
        return
    png = validation_png(services, validation_id)
    if png is None:
        return
    now, before = next((history[i], history[i - 1]) for i, p in enumerate(history) if p.run_id == run_id)
    caption = (f"`{validation_id}` changed: {_outcome(before)} → {_outcome(now)} "
               f"(the last {len(history)} results).")
    services.upload(f"differences-{validation_id}.png", png, title=f"Differences of {validation_id}",
                    comment=Message(caption), alt=caption, thread_of=validations.card_key_of(run),
                    dedupe_key=f"chart:{run_id}")


def _outcome(point: validations.HistoryPoint) -> str:
    if point.differences is None:
        return point.state
    return f"{point.state}, {point.differences:,} differing"
