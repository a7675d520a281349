"""Who may read the deputy's and the agencies' new routes (council report, routing rules and proposals,
inbox, follow-ups, reporters' answers): each role as gis/access.py says, the anonymous never; a refusal
carries no data."""

import psycopg2
import pytest

from gis.access import ROLE_CODES, roles_for

SIGNED_IN = ROLE_CODES
# path → the roles that may read it
READS = {
    "/api/routing-rules": roles_for("routing.read"),
    "/api/spots/{spot}/routing": roles_for("action.assign"),
    "/dashboard/report.pdf?period=1399": roles_for("dashboard.read"),
    "/api/inbox": SIGNED_IN,
    "/api/inbox/count": SIGNED_IN,
    "/api/programme/follow-ups": ("agency", *roles_for("programme.read")),
    "/routing": roles_for("routing.read"),
    "/programme": roles_for("programme.read"),
    "/inbox": SIGNED_IN,
    "/api/reporter-calls": roles_for("report.contact"),
    "/api/reporter-calls/answers": roles_for("dashboard.read"),
    "/calls": roles_for("report.contact"),
}
PAGES = ("/routing", "/programme", "/inbox", "/calls")


@pytest.fixture
def spot(db_url: str) -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT min(id) FROM spot WHERE stage = 3")
        return cur.fetchone()[0]


@pytest.mark.parametrize("path", READS)
def test_each_role_reads_what_the_access_table_gives_it(client, role_tokens, spot, path):
    url = path.format(spot=spot)
    anonymous = client.get(url, follow_redirects=False)
    if path in PAGES:  # a page sends the anonymous to sign in
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    else:
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"]
    for role in ROLE_CODES:
        response = client.get(url, headers={"Authorization": f"Bearer {role_tokens[role]}"})
        if role in READS[path]:
            assert response.status_code == 200, (role, response.text[:200])
        else:
            assert response.status_code == 403, (role, response.text[:200])
            if path not in PAGES:
                assert set(response.json()) == {"error"}, role
