"""The cutover runbook: plans and their hashes (plan.py), the rules of approval (approvals.py),
running and watching each step's action (actions.py), the jobs the scheduler runs and the
start-up hook (watch.py), and the one door to transfers and validation (peers.py)."""
