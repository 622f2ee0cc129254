from tests.validation.conftest import vferry, vsetup  # noqa: F401 - the validation suite's Ferry and tables
