"""The validation feature as the registry sees it."""

from features.feature import Feature
from features.services import Services
from features.validation import schedule, status, store


def on_start(services: Services) -> None:
    schedule.arm(services)  # (re-)arm the configured schedules
    # Kill cluster jobs still running for runs that are over. Imported here: it brings the SSH
    # and warehouse clients, which a short verb must not load.
    from features.validation import mapreduce_backend

    mapreduce_backend.on_start(services)


FEATURE = Feature(
    name="validation",
    migrations=store.MIGRATIONS,
    on_start=on_start,
    status_part=status.status_part,
    after_transfer=schedule.after_transfer,  # run the validations of the transfer's tables
)
