"""Transfers: start, pause, resume, throttle, cancel and watch the copies (issue 5).

    api.py                 what verbs and other features call
    backend.py             the interface every engine implements (start, pause, resume, throttle,
                           cancel, poll -> Progress), the kind's facts, and its errors
    kinds.py               kind -> backend class (the one list of kinds), the live backends
    cloudera_replication.py, datasync.py, redshift_snapshot.py, hbase_copy.py   the engines
    watcher.py             the APScheduler jobs: start a run, poll it, stall/alert, finish; re-arm at start-up
    card.py                the progress card (a core.message.Message), coalesced, one per run
    checkpoints.py         hbase-copy's per-region checkpoints and the one-worker lease
    ratelimit.py           the bytes-per-second cap
    schema.py              the tables of checkpoints.py (migrations, listed in feature.py)
    status.py              the part of /migrate status; feature.py what the registry sees
"""
