"""`/migrate assess [as-is|to-be]`: inventory a cluster through Cloudera Manager, report the risks
that matter for the migration, and estimate how long the copy takes.

    verb.py        the verb: parse, queue the job, answer at once
    job.py         the scheduler job: assess, store the findings with the run, post the card
    assessment.py  inventory (both sides for TO-BE) + rules + AS-IS vs TO-BE comparison, no state
    rules/         one small function per rule
    history.py     what is new and what was fixed since the previous assessment
    report.py      the card and the complete report; hostmap.py the host × role map
"""

from __future__ import annotations

from typing import Any

__all__ = ["VERB"]


def __getattr__(name: str) -> Any:
    # VERB is loaded on first use: app.yaml's `assess:` section imports the rules package (to check
    # rule ids), and loading the configuration must not pull in the connector and cm-client.
    if name == "VERB":
        from commands.assess.verb import VERB

        return VERB
    raise AttributeError(name)
