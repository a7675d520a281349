"""Shared by the reliability tests: one user of every role, with a bearer token each."""

import pytest

from gis.db import transaction
from gis.users import create_user, issue_token

ROLES = ("gis_office", "deputy", "facilitator", "agency", "viewer")


def make_role_tokens(db_url: str, prefix: str = "rel") -> dict[str, str]:
    """role -> bearer token; facilitator of the first neighbourhood, agency user of urban_services."""
    tokens = {}
    with transaction(db_url) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT code FROM area WHERE level = 'neighbourhood' ORDER BY code LIMIT 1")
            first_hood = cur.fetchone()[0]
        for role in ROLES:
            user = create_user(
                conn,
                username=f"{prefix}-{role.replace('_', '-')}",
                password="long enough password",
                role=role,
                areas=[first_hood] if role == "facilitator" else (),
                agency="urban_services" if role == "agency" else None,
            )
            tokens[role], _ = issue_token(conn, user.id)
    return tokens


@pytest.fixture
def role_tokens(db_url: str) -> dict[str, str]:
    """A bearer token per role over the test's own demo database."""
    return make_role_tokens(db_url)
