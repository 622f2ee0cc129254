"""Secrets Manager: where app.yaml may say a password comes from instead of the environment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from connectors.aws.service import AwsService


@dataclass(frozen=True)
class SecretValue:
    """A secret's current value. The value is left out of repr() so that logging the object,
    or an assertion message showing it, never prints the secret."""

    name: str
    arn: str
    version_id: str | None
    string: str | None = field(default=None, repr=False)
    binary: bytes | None = field(default=None, repr=False)

    def json_field(self, key: str) -> str:
        """One field of a JSON secret ({"username": ..., "password": ...}), as a string.
        Raises KeyError naming the key (not the value) when it is missing or not JSON."""
        try:
            data = json.loads(self.string or "")
        except ValueError:
            raise KeyError(f"secret {self.name!r} is not a JSON object, so it has no field {key!r}") from None
        if not isinstance(data, dict) or key not in data:
            raise KeyError(f"secret {self.name!r} has no field {key!r}")
        return str(data[key])


class Secrets(AwsService):
    SERVICE = "secretsmanager"
    LABEL = "Secrets Manager"

    def get_secret_value(self, secret_id: str, *, version_stage: str | None = None) -> SecretValue:
        """The secret's value (AWSCURRENT unless `version_stage` says otherwise); AwsNotFound
        when it does not exist."""
        params = {"SecretId": secret_id}
        if version_stage:
            params["VersionStage"] = version_stage
        r = self._call("get_secret_value", **params)
        return SecretValue(
            name=r.get("Name", secret_id),
            arn=r.get("ARN", ""),
            version_id=r.get("VersionId"),
            string=r.get("SecretString"),
            binary=r.get("SecretBinary"),
        )
