"""The one error type configuration problems raise."""


class ConfigError(ValueError):
    """A problem in app.yaml. `key` is the dotted path of the offending key."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}" if key else problem)
