"""Server tests: the shared fixtures plus the protocol-speaking ``Desk`` client (tests/desk_client.py)."""

from tests.desk_client import desk  # noqa: F401
from tests.server_fixtures import *  # noqa: F403
