"""Shared by the reliability tests: one user of every role, with a bearer token each; `safemap serve` as a
process of its own."""

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gis.access import ROLE_CODES, Scope, bound
from gis.db import transaction
from gis.users import create_user, issue_token
from tests.servers import start_uvicorn

SAFEMAP = Path(sys.executable).with_name("safemap")


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


@pytest.fixture
def start_server(
    db_url: str, tmp_path: Path, processes: list[subprocess.Popen]
) -> Callable[[], tuple[subprocess.Popen, str]]:
    """A factory: `safemap serve` as its own process on 127.0.0.1 over the test's database."""

    def start() -> tuple[subprocess.Popen, str]:
        # TMPDIR: the upload's temporary copy, which a SIGKILL leaves behind, stays in the test's folder.
        process, url = start_uvicorn(
            db_url,
            command=[str(SAFEMAP), "serve"],
            env={"TMPDIR": str(tmp_path)},
            cwd=tmp_path,
            log=tmp_path / "serve.log",
        )
        processes.append(process)
        return process, url

    return start
