"""Validation: counts, sample compares and full compares of HBase and warehouse tables,
scheduled checks and alerts. Other features use `features.validation.api` only."""
