"""User-facing text used by more than one verb, in one place."""

WRONG_CHANNEL = "Ferry takes `/migrate` commands only in <#{channel}>, the migration channel, so the whole team sees them."
NOT_ALLOWED = "`/migrate {verb}` is for {role} only (`people.{role}` in app.yaml). Ask one of them, or an admin to add you."
NOT_ALLOWED_BUTTON = ("The *{button}* button of `/migrate {verb}` is for {role} only (`people.{role}` in app.yaml). "
                      "Ask one of them, or an admin to add you.")
UNKNOWN_VERB = "`{verb}` is not a `/migrate` verb."
DID_YOU_MEAN = "Did you mean `/migrate {suggestion}`?"
INTERNAL_ERROR = ("Ferry could not finish `/migrate {verb}`: something unexpected went wrong on its side. "
                  "Try again; if it happens again, whoever runs Ferry finds the details in its log under "
                  "reference `{ref}`.")
ALREADY_HANDLED = "That request was already handled."
TOO_LONG = "That command is {n:,} characters long; `/migrate` reads at most {limit:,}."
