"""Vector tiles at zoom 12 and 15 over the densest district through /tiles/{z}/{x}/{y}.pbf, beside the same
ST_AsMVT query run as raw SQL (the physical limit)."""

import math

import httpx
import psycopg2

from gis.publish.tiles import tile_params, tile_sql
from tests.perf.common import Result, bench_headers, densest_district, median, timed

TARGET = 1.3
ZOOMS = (12, 15)
RAW_SQL = tile_sql()


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def run(url: str, base: str, repeat: int = 30) -> list[Result]:
    """API vs raw SQL for the tile over the densest cell at each zoom; both must give the same bytes."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    district, centre = densest_district(conn)
    client = httpx.Client(base_url=base, timeout=60, headers=bench_headers(url))
    results = []
    for z in ZOOMS:
        x, y = tile_of(*centre, z)
        params = tile_params(z, x, y)
        bodies: dict[str, bytes] = {}

        def raw() -> None:
            with conn.cursor() as cur:
                cur.execute(RAW_SQL, params)
                bodies["raw"] = bytes(cur.fetchone()[0])

        def api() -> None:
            response = client.get(f"/tiles/{z}/{x}/{y}.pbf")
            response.raise_for_status()
            bodies["api"] = response.content

        raw_times = timed(raw, repeat)
        api_times = timed(api, repeat)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM spot WHERE status <> 'merged'"
                " AND geom && ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326)",
                (z, x, y),
            )
            spots = cur.fetchone()[0]
        same = bodies["api"] == bodies["raw"]
        result = Result(
            f"tile z{z} ({spots} spots)",
            api_times,
            raw_times,
            target=f"API ≤ {TARGET}× raw ST_AsMVT",
            note=f"tile {z}/{x}/{y} over district {district}; {len(bodies['api']) / 1e3:.0f} kB"
            + ("" if same else "; API and raw tiles DIFFER"),
        )
        result.met = same and median(api_times) <= TARGET * median(raw_times)
        results.append(result)
    conn.close()
    client.close()
    return results
