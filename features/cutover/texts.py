"""What the cutover says to people, in one place."""

REQUESTED = ("Requested step `{step}`: it needs {n} approval(s) from `people.approvers` (not you). "
             "Plan `{hash}`; each approval counts for {ttl}.")
APPROVED = "Approved step `{step}`: {count} of {n}. Your approval counts until {expires}."
QUORUM = "Approved step `{step}`: {count} of {n}, quorum reached. Its action starts now."
ALREADY_APPROVED = "Your approval of step `{step}` is already counted ({count} of {n})."
REJECTED = "Rejected step `{step}`. The reason is on the card and in the audit trail."
COMPLETED = "Marked step `{step}` done."

FOUR_EYES = ("You requested this step, so you cannot approve it (four-eyes): another approver must. "
             "Your click is recorded in the audit trail.")
STALE_BUTTON = "That button is out of date: the runbook moved on. Use the buttons of the latest card (`/migrate cutover`)."
NO_SUCH_STEP = "There is no step `{step}` in the runbook (`cutover:` in app.yaml)."
NOT_NEXT = "Step `{step}` is not next: it {note}."
BLOCKED = "Step `{step}` is blocked: {reasons}."
BLOCKED_APPROVAL = "Approval blocked: {reason}. Earlier approvals of this request are void; it must be requested again."
ALREADY_REQUESTED = "Step `{step}` was just requested by someone else."
ALREADY_REQUESTED_BY = "Step `{step}` is already requested by <@{user}> (at {at}): approve or reject it."
TOO_FEW_APPROVERS = ("Step `{step}` needs {n} approvals, but `people.approvers` has only {m} people besides you "
                     "(the requester never approves their own request). Ask another operator to request it.")
NOT_REQUESTABLE = "Step `{step}` is {state}: there is nothing to request."
REQUEST_VOID = "Request #{seq} of step `{step}` is void: {reason}. Request the step again."
REQUEST_REJECTED = "Request #{seq} of step `{step}` was rejected by <@{user}>: {reason}."
REQUEST_APPROVED = "Request #{seq} of step `{step}` is already approved."
REASON_NEEDED = "A rejection needs a reason of a few words."
NOT_RUNNING_MANUAL = "Step `{step}` is not a manual step in progress: there is nothing to mark done."
VOIDED = "Request #{seq} was voided: {reason}"

REJECT_MODAL = {"title": "Reject step", "label": "Why do you reject step `{step}`?", "submit": "Reject"}
