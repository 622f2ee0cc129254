"""Shared pytest set-up. Fixtures for each sandbox part live in tests/fixtures/ and are
registered here, so a test file only names the fixture it needs."""

pytest_plugins = [
    "tests.fixtures.hbase",
    "tests.fixtures.warehouse",
    "tests.fixtures.slack",
    "tests.fixtures.aws",
    "tests.fixtures.cloudera",
]
