"""The transfers feature as the registry sees it."""

from features.feature import Feature
from features.services import Services
from features.transfers import schema, status


def on_start(services: Services) -> None:
    """Watch again every run that was active when Ferry stopped. Imported here: the watcher
    brings every engine and its client, which a short verb (status, help) must not load."""
    from features.transfers import watcher

    watcher.rearm(services)


FEATURE = Feature(
    name="transfers",
    migrations=schema.MIGRATIONS,
    on_start=on_start,
    status_part=status.status_part,
)
