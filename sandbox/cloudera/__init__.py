"""The Cloudera Manager API simulator: `CMSimulator`, its estates and the estate generator."""

from sandbox.cloudera.estate import Estate, EstateError, load_estate
from sandbox.cloudera.generate import generate_estate
from sandbox.cloudera.server import CMSimulator

__all__ = ["CMSimulator", "Estate", "EstateError", "generate_estate", "load_estate"]
