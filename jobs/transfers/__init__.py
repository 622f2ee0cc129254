"""Transfers: start, pause, resume, throttle, cancel and watch the copies (issue 5).

    api.py                 what verbs and other features call (CONTRACTS.md)
    backend.py             the interface every engine implements, and Progress
    cloudera_replication.py, datasync.py, redshift_snapshot.py, hbase_copy.py   the engines
    watcher.py             the APScheduler jobs: launch a run, poll it, re-arm after a restart
    card.py                the progress card (a commands.message.Message)
"""
