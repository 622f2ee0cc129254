"""The assessment: inventory a cluster through Cloudera Manager, report the risks that matter for
the migration, and estimate how long the copy takes. The verb is commands/assess.py.

    job.py         the scheduler job: assess, store the findings with the run, post the card
    assessment.py  inventory (both sides for TO-BE) + rules + AS-IS vs TO-BE comparison, no state
    rules/         one small function per rule
    history.py     what is new and what was fixed since the previous assessment
    report.py      the card and the complete report; hostmap.py the host × role map
"""
