"""Shared by the reliability tests: one user of every role, with a bearer token each."""

import subprocess
from collections.abc import Iterator

import pytest

from gis.access import ROLE_CODES, Scope, bound
from gis.db import transaction
from gis.users import create_user, issue_token


def make_role_tokens(db_url: str, prefix: str = "rel") -> dict[str, str]:
    """role -> bearer token; facilitator of the first neighbourhood, agency user of urban_services."""
    tokens = {}
    with transaction(db_url) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT code FROM area WHERE level = 'neighbourhood' ORDER BY code LIMIT 1")
            first_hood = cur.fetchone()[0]
        for role in ROLE_CODES:
            user = create_user(
                conn,
                username=f"{prefix}-{role.replace('_', '-')}",
                password="long enough password",
                role=role,
                areas=[first_hood] if bound(role) is Scope.AREAS else (),
                agency="urban_services" if bound(role) is Scope.AGENCY else None,
            )
            tokens[role], _ = issue_token(conn, user.id)
    return tokens


@pytest.fixture
def role_tokens(db_url: str) -> dict[str, str]:
    """A bearer token per role over the test's own demo database."""
    return make_role_tokens(db_url)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen]]:
    """The processes a test started; any still running at the end are stopped (by their own pid)."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
