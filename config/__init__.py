"""Ferry's configuration: app.yaml loaded into typed, validated objects.

`load(path)` reads the file, replaces `${VAR}` from the environment and hands each top-level
section to the parser registered for it (one module per section, next to its schema).
Every error is a `ConfigError` that names the key and says what is wrong.
"""

from config.errors import ConfigError
from config.loader import load, load_text
from config.model import Config

__all__ = ["Config", "ConfigError", "load", "load_text"]
