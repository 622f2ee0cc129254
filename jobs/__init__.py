"""Long-running work, run by APScheduler with its job store in the state database."""
