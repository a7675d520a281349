"""Reports attach to spots: near and compatible joins, far or different makes a new spot,
replays are no-ops."""

import uuid

import psycopg2
import pytest

from gis.db import transaction
from gis.errors import InvalidInput
from gis.intake.reports import ReportCreate, submit_report, submit_reports
from gis.settings import get_settings
from tests.conftest import at_once

METRE = 1 / 90_400  # a metre of longitude at District 22's latitude


def _empty_place(conn) -> tuple[float, float]:
    """A point in District 22 more than 150 m from every demo spot."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT ST_X(p), ST_Y(p) FROM (
                SELECT (ST_Dump(ST_GeneratePoints(geom, 200, 7))).geom AS p FROM area WHERE code = '2209') q
            WHERE NOT EXISTS (SELECT 1 FROM spot s WHERE ST_DWithin(s.geom::geography, q.p::geography, 150))
            LIMIT 1
            """
        )
        return cur.fetchone()


def _report(lon: float | None = None, lat: float | None = None, **kwargs) -> ReportCreate:
    return ReportCreate(**{"source": "mayor", "category": "vacant_lot", "lon": lon, "lat": lat, **kwargs})


def test_reports_of_one_place_make_one_spot_with_their_sources(conn):
    lon, lat = _empty_place(conn)
    first = submit_report(conn, _report(lon, lat, time_of_day="night"))
    second = submit_report(
        conn, _report(lon + 30 * METRE, lat, source="focus_group", audit={"lighting": 0, "feeling": 1})
    )
    third = submit_report(conn, _report(lon, lat + 0.0002, source="hotline_137", category="other"))
    assert first.new_spot and not second.new_spot and not third.new_spot
    assert first.spot_id == second.spot_id == third.spot_id
    with conn.cursor() as cur:
        cur.execute(
            "SELECT stage, report_count, source_count, priority FROM spot WHERE id = %s", (first.spot_id,)
        )
        stage, reports, sources, priority = cur.fetchone()
        cur.execute("SELECT kind FROM spot_event WHERE spot_id = %s ORDER BY id", (first.spot_id,))
        kinds = [r[0] for r in cur.fetchall()]
    assert (stage, reports, sources) == (1, 3, 3)
    assert kinds == ["created", "report_attached", "report_attached"]
    # 3·3 sources + 2·ln 4 + 2·(1 night of 1 timed) + (3 − 0.5 audit mean) = 9 + 2.77 + 2 + 2.5
    assert float(priority) == pytest.approx(16.27, abs=0.01)


def test_far_or_incompatible_reports_make_new_spots(conn):
    lon, lat = _empty_place(conn)
    base = submit_report(conn, _report(lon, lat))
    far = submit_report(conn, _report(lon + 70 * METRE, lat))
    other_kind = submit_report(conn, _report(lon + 5 * METRE, lat, category="offender_gathering"))
    assert len({base.spot_id, far.spot_id, other_kind.spot_id}) == 3
    lit = submit_report(conn, _report(lon, lat, category="poor_lighting"))
    alley = submit_report(conn, _report(lon + 10 * METRE, lat, category="dead_end_alley"))
    assert lit.spot_id == alley.spot_id  # a dark alley is one place, whatever the first report called it


def test_a_report_joins_spots_within_the_settings_radius_unless_told_another(conn, monkeypatch):
    """The aggregation radius has one home, the setting: a report 70 m away joins the spot when the
    setting says 100 m, and not when the caller gives 50."""
    lon, lat = _empty_place(conn)
    monkeypatch.setenv("SAFEMAP_AGGREGATION_RADIUS_M", "100")
    get_settings.cache_clear()
    try:
        base = submit_report(conn, _report(lon, lat))
        near = submit_report(conn, _report(lon + 70 * METRE, lat))
        told = submit_report(conn, _report(lon - 70 * METRE, lat), radius_m=50)
        [batched] = submit_reports(conn, [_report(lon, lat + 70 * METRE)])
    finally:
        get_settings.cache_clear()
    assert near.spot_id == base.spot_id == batched.spot_id and told.spot_id != base.spot_id


def test_the_same_uuid_twice_makes_one_report(conn):
    lon, lat = _empty_place(conn)
    key = str(uuid.uuid4())
    first = submit_report(conn, _report(lon, lat, uuid=key))
    again = submit_report(conn, _report(lon, lat, uuid=key, description="replayed"))
    assert (again.report_id, again.spot_id, again.created) == (first.report_id, first.spot_id, False)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM report WHERE uuid = %s", (key,))
        assert cur.fetchone()[0] == 1


def test_a_report_with_only_a_neighbourhood_is_placed_there_to_verify(conn):
    one = submit_report(conn, ReportCreate(source="mayor", category="vacant_lot", area_code="2205"))
    two = submit_report(conn, ReportCreate(source="mayor", category="vacant_lot", area_code="2205"))
    assert one.spot_id != two.spot_id
    with conn.cursor() as cur:
        cur.execute(
            "SELECT location_verified, provenance->>'location_to_verify', a.code FROM report r"
            " JOIN area a ON a.id = r.area_id WHERE r.id = %s",
            (one.report_id,),
        )
        assert cur.fetchone() == (False, "true", "2205")


def test_contact_data_is_kept_apart_from_the_report(conn):
    lon, lat = _empty_place(conn)
    result = submit_report(
        conn, _report(lon, lat, source="hotline_137", contact={"name": "مریم", "phone": "09120000000"})
    )
    with conn.cursor() as cur:
        cur.execute("SELECT phone FROM report_contact WHERE report_id = %s", (result.report_id,))
        assert cur.fetchone() == ("09120000000",)
        cur.execute("SELECT row_to_json(r)::text FROM report r WHERE id = %s", (result.report_id,))
        assert "0912" not in cur.fetchone()[0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "dark"}, "category"),
        ({"source": "rumour"}, "source"),
        ({"time_of_day": "noon"}, "time_of_day"),
        ({"audit": {"lighting": 5}}, "audit.lighting"),
        ({"audit": {"smell": 1}}, "audit.smell"),
        ({"lon": 35.74, "lat": 51.21}, "location"),
        ({"lon": 51.40, "lat": 35.70}, "location"),
        ({"lon": None, "lat": None}, "location"),
        ({"uuid": "not-a-uuid"}, "uuid"),
        (
            {
                "lon": None,
                "lat": None,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[51.20, 35.74], [51.21, 35.75], [51.21, 35.74], [51.20, 35.75], [51.20, 35.74]]
                    ],
                },
            },
            "geometry",
        ),
    ],
)
def test_bad_reports_are_refused_naming_the_field_and_nothing_is_written(conn, changes, field):
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM spot)")
        before = cur.fetchone()
    with pytest.raises(InvalidInput) as caught:
        submit_report(conn, _report(**{"lon": 51.21, "lat": 35.745, **changes}))
    assert caught.value.field == field
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM spot)")
        assert cur.fetchone() == before


def test_twenty_simultaneous_reports_of_a_new_place_make_exactly_one_spot(db_url):
    with psycopg2.connect(db_url) as conn:
        lon, lat = _empty_place(conn)
    results = []

    def report(n: int) -> None:
        with transaction(db_url) as conn:
            results.append(submit_report(conn, _report(lon + (n % 5) * 4 * METRE, lat, source="field")))

    assert at_once(20, report) == []
    assert len({r.spot_id for r in results}) == 1
    assert sum(r.new_spot for r in results) == 1
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT report_count FROM spot WHERE id = %s", (results[0].spot_id,))
        assert cur.fetchone()[0] == 20


@pytest.mark.parametrize("lock_map", [False, True], ids=["cell locks", "map lock"])
def test_batches_and_single_reports_of_a_new_place_at_once_make_exactly_one_spot(db_url, lock_map):
    with psycopg2.connect(db_url) as conn:
        lon, lat = _empty_place(conn)
    results = []

    def report(n: int) -> None:
        with transaction(db_url) as conn:
            if n % 3:
                results.append(submit_report(conn, _report(lon + n * 2 * METRE, lat, source="field")))
            else:
                batch = [_report(lon + (n + k) * 2 * METRE, lat, source="mayor") for k in range(3)]
                results.extend(submit_reports(conn, batch, lock_map=lock_map))

    assert at_once(12, report) == []
    assert len(results) == 20 and len({r.spot_id for r in results}) == 1
    assert sum(r.new_spot for r in results) == 1


def _at(conn, lon: float, lat: float, metres: float, azimuth: int) -> tuple[float, float]:
    """The point `metres` from (lon, lat) on the ellipsoid, towards `azimuth` degrees from north."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p::geometry), ST_Y(p::geometry) FROM ST_Project("
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s, radians(%s)) AS p",
            (lon, lat, metres, azimuth),
        )
        return cur.fetchone()


@pytest.mark.parametrize("azimuth", range(0, 360, 45))
def test_the_radius_holds_in_every_direction_one_by_one_and_in_a_batch(conn, azimuth):
    """The search box around a report is cut to the ellipsoid at its latitude: a spot 49.5 m away in any
    direction is still found, one 50.5 m away is not."""
    lon, lat = _empty_place(conn)
    base = submit_report(conn, _report(lon, lat))
    with conn.cursor() as cur:
        for metres, joins in ((49.5, True), (50.5, False)):
            cur.execute("SAVEPOINT edge")
            one = submit_report(conn, _report(*_at(conn, lon, lat, metres, azimuth)))
            cur.execute("ROLLBACK TO SAVEPOINT edge")
            [batched] = submit_reports(conn, [_report(*_at(conn, lon, lat, metres, azimuth))])
            cur.execute("ROLLBACK TO SAVEPOINT edge")
            assert (one.spot_id == base.spot_id, batched.spot_id == base.spot_id) == (joins, joins), metres
