"""The validation feature as the registry sees it."""

from features.feature import Feature
from features.validation import schedule, status, store

FEATURE = Feature(
    name="validation",
    migrations=store.MIGRATIONS,
    on_start=schedule.arm,  # (re-)arm the configured schedules
    status_part=status.status_part,
    after_transfer=schedule.after_transfer,  # run the validations of the transfer's tables
)
