"""Bbox items: about 2,000 spots of a dense viewport through /ogc/collections/spots/items, beside the raw SQL
that builds the same GeoJSON FeatureCollection in one statement (the physical limit)."""

import httpx
import psycopg2

from gis.spots import SPOT_PROPERTIES
from tests.perf.common import Result, bench_headers, densest_district, median, timed, viewport

TARGET = 1.5
RAW_SQL = """
    SELECT json_build_object('type', 'FeatureCollection',
                             'features', coalesce(json_agg(f.feature ORDER BY f.id), '[]'))::text
    FROM (
        SELECT s.id, json_build_object('type', 'Feature', 'id', s.id,
                                       'geometry', ST_AsGeoJSON(s.geom, 6)::json,
                                       'properties', {properties}) AS feature
        FROM spot s
        JOIN category c ON c.code = s.category
        JOIN stage st ON st.number = s.stage
        LEFT JOIN area a ON a.id = s.area_id
        WHERE s.status <> 'merged' AND s.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)
          AND ST_Intersects(s.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))
    ) f
""".format(properties=SPOT_PROPERTIES)


def run(url: str, base: str, repeat: int = 30) -> list[Result]:
    """API vs raw SQL for one dense viewport; both must return the same number of features."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    _, centre = densest_district(conn)
    bbox = viewport(conn, centre)
    sizes: dict[str, int] = {}

    def raw() -> None:
        with conn.cursor() as cur:
            cur.execute(RAW_SQL, bbox + bbox)
            sizes["raw"] = len(cur.fetchone()[0])

    client = httpx.Client(base_url=base, timeout=60, headers=bench_headers(url))
    params = {"bbox": ",".join(map(str, bbox)), "limit": "10000", "f": "json"}

    def api() -> None:
        response = client.get("/ogc/collections/spots/items", params=params)
        response.raise_for_status()
        sizes["api"] = len(response.content)
        sizes["returned"] = (
            response.json()["numberReturned"] if "returned" not in sizes else sizes["returned"]
        )

    raw_times = timed(raw, repeat)
    api_times = timed(api, repeat)
    with conn.cursor() as cur:
        cur.execute(f"SELECT json_array_length(({RAW_SQL})::json -> 'features')", bbox + bbox)
        expected = cur.fetchone()[0]
    conn.close()
    client.close()
    result = Result(
        f"OGC bbox items ({sizes['returned']} features)",
        api_times,
        raw_times,
        target=f"API ≤ {TARGET}× raw SQL",
        note=f"bbox {params['bbox']}; body {sizes['api'] / 1e6:.2f} MB (raw {sizes['raw'] / 1e6:.2f} MB)",
    )
    result.met = sizes["returned"] == expected and median(api_times) <= TARGET * median(raw_times)
    if sizes["returned"] != expected:
        result.note += f"; API returned {sizes['returned']} features, raw SQL {expected}"
    return [result]
