"""The assessment feature as the registry sees it (it keeps its findings in state.runs)."""

from features.feature import Feature
from features.services import Services


def on_start(services: Services) -> None:
    """Fail the assessment a restart cut short, run the waiting ones. The job is imported here:
    it brings the Cloudera Manager client (cm-client), which a short verb must not load."""
    from features.assess import job

    job.on_start(services)


FEATURE = Feature(name="assess", on_start=on_start)
