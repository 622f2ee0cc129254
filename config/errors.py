"""The one error type configuration problems raise."""

from __future__ import annotations


class ConfigError(ValueError):
    """A problem in app.yaml. `key` is the dotted path of the offending key. `errors` lists every
    problem found (this one alone, or all of a ConfigErrors), so a caller can show them all."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}" if key else problem)

    @property
    def errors(self) -> list[ConfigError]:
        return [self]


class ConfigErrors(ConfigError):
    """Several problems at once: a person fixing app.yaml sees them all in one `check`."""

    def __init__(self, errors: list[ConfigError]) -> None:
        flat = [one for e in errors for one in e.errors]
        self._errors = flat
        super().__init__(flat[0].key, flat[0].problem)
        self.args = (f"{len(flat)} problems:\n" + "\n".join(f"  - {e}" for e in flat),)

    @property
    def errors(self) -> list[ConfigError]:
        return list(self._errors)

    def __str__(self) -> str:
        return str(self.args[0])


def raise_all(errors: list[ConfigError]) -> None:
    """Raise what was collected: nothing, the one error, or all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ConfigErrors(errors)
