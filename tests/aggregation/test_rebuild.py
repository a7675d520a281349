"""`safemap aggregate --rebuild` re-clusters automatic stage-1 spots, keeps the rest, deletes no history."""

import psycopg2
import pytest

from gis.aggregation.edits import split
from gis.aggregation.rebuild import rebuild
from gis.db import transaction
from gis.demo.district import load_base_areas
from gis.intake.reports import ReportCreate, submit_report
from gis.users import create_user
from tests.cli.test_cli import run
from tests.conftest import query_all, query_one
from tests.intake.conftest import inside

METRE = 1 / 90_400  # a metre of longitude at District 22's latitude


@pytest.fixture
def street(empty_url) -> dict:
    """Reports along a street at 0, 40, 80 m (live: spots A = 0+40, B = 80), 400 and 430 m (C, stage 2)."""
    with transaction(empty_url) as conn:
        load_base_areas(conn)
    lon, lat = inside(empty_url, "2209")
    ids = {}
    with transaction(empty_url) as conn:
        for metres in (0, 40, 80, 400, 430):
            done = submit_report(
                conn,
                ReportCreate(source="mayor", category="vacant_lot", lon=lon + metres * METRE, lat=lat),
                radius_m=50,
            )
            ids[metres] = (done.report_id, done.spot_id)
        conn.cursor().execute("UPDATE spot SET stage = 2 WHERE id = %s", (ids[400][1],))
    assert ids[0][1] == ids[40][1] != ids[80][1] != ids[400][1] == ids[430][1]
    return {
        "url": empty_url,
        "reports": {m: r for m, (r, _) in ids.items()},
        "a": ids[0][1],
        "b": ids[80][1],
        "c": ids[400][1],
    }


def _spots(url: str) -> dict[int, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, spot_id FROM report")
        return dict(cur.fetchall())


def _spot(url: str, spot_id: int) -> tuple:
    return query_one(
        url,
        "SELECT status, merged_into, report_count, (SELECT array_agg(kind ORDER BY id)"
        " FROM spot_event WHERE spot_id = s.id) FROM spot s WHERE id = %s",
        (spot_id,),
    )


def test_the_same_radius_changes_nothing(street):
    url = street["url"]
    before = _spots(url)
    with transaction(url) as conn:
        result = rebuild(conn, radius_m=50)
    assert (result.reports, result.unchanged, result.changed, result.new, result.merged) == (3, 2, 0, 0, 0)
    assert _spots(url) == before
    assert _spot(url, street["a"])[3] == ["created", "report_attached"]


VERSIONS = "SELECT id, version FROM spot ORDER BY id"


def test_a_wider_radius_merges_stage_1_spots_and_keeps_stage_2(street):
    url, a, b, c = street["url"], street["a"], street["b"], street["c"]
    versions = dict(query_all(url, VERSIONS))
    result = run("aggregate", "--rebuild", "--radius", "100", database=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "rebuilt with a radius of 100 m: 3 reports of automatic stage-1 spots re-clustered (1 spots kept as "
        "they are: past stage 1, closed or edited by hand); 0 spots unchanged, 1 changed, 0 new, "
        "1 merged away"
    )
    assert "SAFEMAP_AGGREGATION_RADIUS_M=100" in result.stdout
    assert _spot(url, b)[:3] == ("merged", a, 0) and _spot(url, b)[3][-1] == "rebuilt"
    assert _spot(url, a)[2:] == (3, ["created", "report_attached", "rebuilt"])
    assert _spot(url, c)[2:] == (2, ["created", "report_attached"])  # stage 2: nobody's decision is undone
    # The changed spot and the merged one take their next version once; the kept one keeps its own.
    assert dict(query_all(url, VERSIONS)) == versions | {a: versions[a] + 1, b: versions[b] + 1}
    assert query_all(
        url,
        "SELECT spot_id, actor_name, payload FROM spot_event WHERE kind = 'rebuilt' ORDER BY id",
    ) == [
        (
            a,
            "safemap aggregate --rebuild",
            {"radius_m": 100.0, "added": [street["reports"][80]], "removed": []},
        ),
        (
            b,
            "safemap aggregate --rebuild",
            {"radius_m": 100.0, "merged_into": a, "removed": [street["reports"][80]]},
        ),
    ]


def test_a_narrower_radius_splits_and_hand_edits_are_kept(street):
    url, reports = street["url"], street["reports"]
    with transaction(url) as conn:
        gis = create_user(conn, username="gis", password="s3cret-gis", role="gis_office")
        result = rebuild(conn, radius_m=30)
    assert (result.changed, result.new, result.merged) == (1, 1, 0)
    spots = _spots(url)
    assert len({spots[reports[0]], spots[reports[40]], spots[reports[80]]}) == 3
    with transaction(url) as conn:
        result = rebuild(conn, radius_m=100)
        moved = split(conn, user=gis, report_id=reports[80], note="another lot")
        again = rebuild(conn, radius_m=100)
    assert _spots(url)[reports[80]] == moved["spot"]  # the split stays split
    assert again.changed == 0


REBUILT_STATE = (
    "SELECT id, spot_id FROM report ORDER BY id",
    "SELECT id, status, merged_into, ST_AsText(geom), category, report_count, source_count, priority, version"
    " FROM spot ORDER BY id",
    "SELECT spot_id, kind, payload::text FROM spot_event ORDER BY id",
)


def _rebuilt_state(url: str, radius_m: float) -> list[list[tuple]]:
    """The reports' spots, the spots and the events after a rebuild, which is then rolled back."""
    conn = psycopg2.connect(url)
    try:
        rebuild(conn, radius_m=radius_m)
        with conn.cursor() as cur:
            state = []
            for query in REBUILT_STATE:
                cur.execute(query)
                state.append(cur.fetchall())
        return state
    finally:
        conn.rollback()
        conn.close()


def test_points_as_coordinates_cluster_as_shapely_points_do(empty_url, monkeypatch):
    """The benchmark's seed, small (3,000 reports around 600 spots) plus a few street-long reports: the
    rebuild's points as plain (x, y), paired by k-d trees, end exactly as with every report a shapely
    geometry, paired through the grid."""
    from shapely import wkb
    from shapely.geometry import Point

    from gis.aggregation import rebuild as rebuilding
    from tests.perf.common import seed_spots_and_reports

    with transaction(empty_url) as conn:
        load_base_areas(conn)
        seed_spots_and_reports(conn, reports=3000, spots=600)
        conn.cursor().execute(
            "INSERT INTO report (uuid, source, geom, category, area_id) SELECT gen_random_uuid(), 'mayor',"
            " ST_MakeLine(geom, ST_Translate(geom, 0.0004, 0.0001)), category, area_id"
            " FROM spot WHERE stage = 1 ORDER BY id LIMIT 8"
        )
    fast = _rebuilt_state(empty_url, 80)
    monkeypatch.setattr(
        rebuilding, "_shape", lambda x, y, other: Point(x, y) if other is None else wkb.loads(bytes(other))
    )
    assert _rebuilt_state(empty_url, 80) == fast
    assert sum(status == "merged" for _, status, *_ in fast[1]) > 10


def test_moving_a_large_share_without_the_indexes_ends_as_with_them(street, monkeypatch):
    """A rebuild moving more than SET_ASIDE_SHARE of the reports (here 1 of 5) drops the report table's
    secondary indexes around the move: it ends as the plain UPDATE does, with the same indexes after it."""
    from gis.aggregation import rebuild as rebuilding

    url = street["url"]
    indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'report' ORDER BY indexname"
    dropped = []
    set_aside = rebuilding._indexes_set_aside
    monkeypatch.setattr(
        rebuilding,
        "_indexes_set_aside",
        lambda conn, table, column: dropped.append(table) or set_aside(conn, table, column),
    )
    monkeypatch.setattr(f"{__name__}.REBUILT_STATE", (*REBUILT_STATE, indexes))
    plain = _rebuilt_state(url, 100)
    assert dropped == ["report"]
    monkeypatch.setattr(rebuilding, "SET_ASIDE_SHARE", 0.25)
    assert _rebuilt_state(url, 100) == plain and dropped == ["report"]
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(indexes)
        assert plain[3] == cur.fetchall() and len(plain[3]) == 8
    conn.close()
    assert sorted(_spots(url).items()) != plain[0]


def test_a_large_move_stays_on_its_pages_and_builds_again_only_the_indexes_on_spot_id(street):
    """Report's pages keep room (migration 0028), so a large move's new row versions are heap-only tuples
    with no entry in the other indexes: the rebuild builds again only the two indexes on spot_id."""
    url = street["url"]
    files = (
        "SELECT i.relname, i.relfilenode FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = 'report'::regclass"
    )
    before = dict(query_all(url, files))
    conn = psycopg2.connect(url)
    try:
        rebuild(conn, radius_m=100)
        with conn.cursor() as cur:
            cur.execute(files)
            after = dict(cur.fetchall())
            cur.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'report'"
            )
            updated, in_place = cur.fetchone()
    finally:
        conn.rollback()
        conn.close()
    assert sorted(after) == sorted(before) and len(before) == 8
    assert {name for name in before if after[name] != before[name]} == {
        "report_spot_idx",
        "report_spot_source_idx",
    }
    assert updated > 0 and in_place >= 0.8 * updated, (updated, in_place)
    assert query_one(url, "SELECT reloptions FROM pg_class WHERE oid = 'report'::regclass") == (
        ["fillfactor=80"],
    )
