"""Users with roles, shared with the intake tests."""
from tests.intake.conftest import tokens  # noqa: F401
