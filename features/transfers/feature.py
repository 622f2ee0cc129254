"""The transfers feature as the registry sees it."""

from features.feature import Feature
from features.transfers import schema, status, watcher

FEATURE = Feature(
    name="transfers",
    migrations=schema.MIGRATIONS,
    on_start=watcher.rearm,  # watch again every run that was active when Ferry stopped
    status_part=status.status_part,
)
