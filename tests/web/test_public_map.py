"""The public map in headless Chromium: only spots past mapping (stages 3 and 4), and no staff names."""

import psycopg2
import pytest

from tests.web.test_map import _open_map

pytestmark = pytest.mark.browser


def test_the_public_map_shows_only_spots_past_mapping(page, live_url, db_url):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spot WHERE status <> 'merged' AND stage >= 3")
        public = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM spot WHERE status <> 'merged'")
        everything = cur.fetchone()[0]
    assert 0 < public < everything
    assert _open_map(page, live_url + "/map") == public
    assert page.evaluate("safemap.spots.getLayers().every((m) => m.spot.stage >= 3)")
    assert page.console_errors == [] and page.outside_requests() == []
