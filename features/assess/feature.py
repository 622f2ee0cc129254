"""The assessment feature as the registry sees it (it keeps its findings in state.runs)."""

from features.assess import job
from features.feature import Feature

FEATURE = Feature(
    name="assess",
    on_start=job.on_start,  # fail the assessment a restart cut short, run the waiting ones
)
