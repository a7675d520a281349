"""Bbox items: about 2,000 spots of a dense viewport through /ogc/collections/spots/items, beside the raw SQL
that builds the same GeoJSON FeatureCollection in one statement (the physical limit) and tipg's items of the
spot table for the same bbox, taken in turns on the same database."""

import httpx
import psycopg2

from gis.spots import SPOT_PROPERTIES
from tests.perf.common import Result, bench_headers, densest_district, interleaved, median, p95, viewport
from tests.perf.tipg import SPOTS, VERSION, tipg_server

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


def run(url: str, base: str, repeat: int = 20) -> list[Result]:
    """API vs raw SQL vs tipg for one dense viewport; all must return the same number of features."""
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

    def other(tipg: httpx.Client) -> None:
        response = tipg.get(f"/collections/{SPOTS}/items", params={**params, "f": "geojson"})
        response.raise_for_status()
        sizes["tipg"] = len(response.content)
        sizes["tipg_returned"] = response.json()["numberReturned"]

    with tipg_server(url) as (tipg_base, _), httpx.Client(base_url=tipg_base, timeout=60) as tipg:
        times = interleaved({"raw": raw, "api": api, "tipg": lambda: other(tipg)}, repeat)
    raw_times, api_times = times["raw"], times["api"]
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
        note=f"tipg {VERSION} {median(times['tipg']):.1f} ms (p95 {p95(times['tipg']):.1f}),"
        f" {sizes['tipg_returned']} features, {sizes['tipg'] / 1e6:.2f} MB;"
        f" Safemap/tipg {median(api_times) / median(times['tipg']):.2f}; bbox {params['bbox']};"
        f" body {sizes['api'] / 1e6:.2f} MB (raw {sizes['raw'] / 1e6:.2f} MB)",
    )
    result.met = sizes["returned"] == expected and median(api_times) <= TARGET * median(raw_times)
    if sizes["returned"] != expected:
        result.note += f"; API returned {sizes['returned']} features, raw SQL {expected}"
    return [result]
