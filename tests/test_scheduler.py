"""The scheduler: jobs persist in the state database and are seen by the serving process even
when another process (`python -m bot run`) added them."""

import time
from pathlib import Path

from jobs.scheduler import JobScheduler


def touch(services, path: str) -> None:
    Path(path).write_text("ran")


def test_a_job_added_by_another_process_runs_in_the_serving_one(tmp_path):
    db = str(tmp_path / "state.sqlite")
    serving = JobScheduler(db)
    serving.start()
    other = JobScheduler(db)  # as `python -m bot run` does: stores jobs, runs none
    other.start(paused=True)
    try:
        time.sleep(0.5)  # the serving scheduler is asleep: it knows of no job
        marker = tmp_path / "ran"
        other.run_soon("tests.test_scheduler:touch", job_id="from-elsewhere", kwargs={"path": str(marker)})
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.read_text() == "ran"
    finally:
        other.shutdown()
        serving.shutdown()


def test_jobs_survive_a_restart(tmp_path):
    db = str(tmp_path / "state.sqlite")
    first = JobScheduler(db)
    first.start(paused=True)
    first.every("tests.test_scheduler:touch", job_id="every", seconds=3600, kwargs={"path": "/dev/null"})
    first.shutdown()
    second = JobScheduler(db)
    second.start(paused=True)
    try:
        assert second.job_ids() == ["every"]
    finally:
        second.shutdown()
