"""The cutover feature as the registry sees it."""

from features.cutover import schema, status, watch
from features.feature import Feature

FEATURE = Feature(
    name="cutover",
    migrations=schema.MIGRATIONS,
    on_start=watch.on_start,  # approval expiries, steps whose action was running
    status_part=status.status_part,
)
