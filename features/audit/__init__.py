"""The audit trail as people read it: its card (card.py). The trail is written by state/audit.py."""
