"""What a reader outside a record's scope learns of it: nothing. Out-of-scope ids answer exactly like ids that
do not exist, a client UUID replayed from another neighbourhood returns no ids, and Open311 shows the public
neither the staff's due dates nor a change date moved by the staff's work."""

import psycopg2
import pytest

from tests.api.channels import api_key_env, point_in  # noqa: F401 (fixtures)
from tests.reliability.test_public_leaks import V2, hotline, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.dated


def test_open311_shows_the_public_no_due_date_and_only_public_changes(hotline, world, db_url):
    mapped, spot_id, gis = world["mapped"], world["spot"], world["people"]["gis"]
    [before] = hotline.get(f"{V2}/requests/{mapped}.json").json()
    assert "expected_datetime" not in before
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        # The staff work on the spot tomorrow: a staff note, an action with a due date, the spot touched.
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, note, at)"
            " VALUES (%s, 'coordination_note', 'پیگیری با پلیس', now() + interval '1 day')",
            (spot_id,),
        )
        cur.execute(
            "INSERT INTO spot_action (spot_id, agency_id, what, due_on)"
            " SELECT %s, id, 'نصب روشنایی', '2030-01-15' FROM agency WHERE code = 'police'",
            (spot_id,),
        )
        cur.execute("UPDATE spot SET updated_at = now() + interval '1 day' WHERE id = %s", (spot_id,))
    [after] = hotline.get(f"{V2}/requests/{mapped}.json").json()
    assert after["updated_datetime"] == before["updated_datetime"]
    assert "expected_datetime" not in after
    assert "expected_datetime" not in hotline.get(f"{V2}/requests/{mapped}.xml").text
    [staff] = hotline.get(f"{V2}/requests/{mapped}.json", headers=gis).json()
    assert staff["expected_datetime"].startswith("2030-01-15")
    assert staff["updated_datetime"] > after["updated_datetime"]
