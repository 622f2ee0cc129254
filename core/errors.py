"""Errors a verb raises to give the user a clear answer instead of a stack trace."""


class UsageError(Exception):
    """Bad arguments. The dispatcher replies (ephemeral) with the message and the verb's usage."""


class Refused(Exception):
    """Not allowed: wrong channel, not an operator, ... The reply explains; the audit records it."""


class OutsideFailure(Exception):
    """An outside system (Cloudera Manager, HBase, the warehouse, AWS) failed. The message says
    what failed, where, and what to try; the bot keeps running."""


class TooSlowForAck(Exception):
    """An answer given inside Slack's ack ran past its time (the state database was locked or a
    read ran long). Nothing is reported: the answer is computed again after the ack and follows
    through the response_url."""
