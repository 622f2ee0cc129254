"""The validation feature as the registry sees it."""

from features.feature import Feature
from features.services import Services
from features.validation import mapreduce_backend, schedule, status, store


def on_start(services: Services) -> None:
    schedule.arm(services)  # (re-)arm the configured schedules
    mapreduce_backend.on_start(services)  # kill cluster jobs still running for runs that are over


FEATURE = Feature(
    name="validation",
    migrations=store.MIGRATIONS,
    on_start=on_start,
    status_part=status.status_part,
    after_transfer=schedule.after_transfer,  # run the validations of the transfer's tables
)
