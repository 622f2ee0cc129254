"""A validation's history (its chart, its report section) sums each run's differences in SQLite
(|count difference| for a count, the compare's differences otherwise; none for a failed run),
without reading the run's detail whole (a full compare's
lists up to 10,000 keys of each kind)."""

from __future__ import annotations

import os
import re

from features.registry import load_config, open_store
from features.services import Services
from features.validation import api
from features.validation.runner import KIND
from state import runs
from tests.fixtures.slack import write_config


def test_history_counts_each_runs_differences_without_reading_whole_details(tmp_path):
    services = Services(config=load_config(str(write_config(tmp_path)), os.environ),
                        store=open_store(str(tmp_path / "state.sqlite")))
    listed = [f"k-{i}" for i in range(10_000)]
    details = [
        ("passed", {"summary": "all equal", "results": {"a": {"check": "count", "difference": 0}}}),
        ("mismatch", {"summary": "counts differ", "results": {"a": {"check": "count", "difference": -7},
                                                               "b": {"check": "count", "difference": 3}}}),
        ("mismatch", {"summary": "900 differ", "results": {"a": {"check": "full", "differences": 900,
                                                                 "missing": listed, "extra": listed}}}),
        ("failed", {"summary": "could not run", "results": {}}),
        ("passed", {"summary": "no results"}),
        ("running", {"summary": "not finished"}),
    ]
    made = []
    for state, detail in details:
        run = runs.create(services.store, KIND, "nightly", state=state, detail=detail)
        if state != "running":
            runs.update(services.store, run.id, state=state)
        made.append(runs.get(services.store, run.id))
    statements: list[str] = []
    services.store.db.conn.set_trace_callback(statements.append)
    points = api.history(services, "nightly")
    services.store.db.conn.set_trace_callback(None)
    finished = [r for r in made if r.state != "running" and r.finished_at]
    expected = [(r.id, r.state, d, r.detail["summary"]) for r, d in zip(finished, [0, 10, 900, None, 0], strict=True)]
    assert [(p.run_id, p.state, p.differences, p.summary) for p in points] == expected
    whole = re.compile(r"SELECT \*|\bdetail\b(?!\s*->|, '\$\.results')")
    assert not [s for s in statements if "FROM runs" in s and whole.search(s)], statements
