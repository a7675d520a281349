"""Vector tiles of spots at zooms 10–16 over the densest district: Safemap's /tiles/{z}/{x}/{y}.pbf (as the
GIS office, so never from the cache), a lean raw ST_AsMVT of every spot with only what a tile needs (the
physical limit of shipping every point) and tipg's tile of the spot table, taken in turns on the same
database; then a public tile asked again (from the cache)."""

import math

import httpx
import psycopg2

from gis.access import PUBLIC_SPOTS
from gis.publish.tiles import tile
from tests.perf.common import Result, bench_headers, densest_district, interleaved, median, p95, timed
from tests.perf.tipg import SPOTS, VERSION, tipg_server

TARGET_RAW = 1.3
TARGET_TIPG = 1.0
TARGET_CACHED_MS = 2.0
ZOOMS = tuple(range(10, 17))
RAW_SQL = """
    SELECT ST_AsMVT(q, 'spots', 4096, 'geom', 'id') FROM (
        SELECT id, stage, category,
               ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true)
                   AS geom
        FROM spot
        WHERE status <> 'merged'
          AND geom && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096), 4326)
    ) q WHERE geom IS NOT NULL
"""


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def run(url: str, base: str, repeat: int = 20) -> list[Result]:
    """Safemap vs raw SQL vs tipg for the tile over the densest cell at each zoom, then the cache."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET jit = off")  # the limit at its best: no query compiled for a few ms of work
    district, centre = densest_district(conn)
    client = httpx.Client(base_url=base, timeout=60, headers=bench_headers(url))
    results = []
    with tipg_server(url) as (tipg_base, _), httpx.Client(base_url=tipg_base, timeout=60) as tipg:
        for z in ZOOMS:
            x, y = tile_of(*centre, z)
            sizes: dict[str, int] = {}

            def raw(z: int = z, x: int = x, y: int = y) -> None:
                with conn.cursor() as cur:
                    cur.execute(RAW_SQL, {"z": z, "x": x, "y": y})
                    sizes["raw"] = len(cur.fetchone()[0])

            def api(z: int = z, x: int = x, y: int = y) -> None:
                response = client.get(f"/tiles/{z}/{x}/{y}.pbf", params={"layers": "spots"})
                response.raise_for_status()
                sizes["api"] = len(response.content)

            def other(z: int = z, x: int = x, y: int = y) -> None:
                response = tipg.get(f"/collections/{SPOTS}/tiles/WebMercatorQuad/{z}/{x}/{y}")
                response.raise_for_status()
                sizes["tipg"] = len(response.content)

            times = interleaved({"raw": raw, "api": api, "tipg": other}, repeat)
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM spot WHERE status <> 'merged'"
                    " AND geom && ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326)",
                    (z, x, y),
                )
                spots = cur.fetchone()[0]
            versus_tipg = median(times["api"]) / median(times["tipg"])
            result = Result(
                f"tile z{z} ({spots:,} spots)",
                times["api"],
                times["raw"],
                target=f"≤ {TARGET_TIPG}× tipg, ≤ {TARGET_RAW}× raw",
                note=f"tipg {VERSION} {median(times['tipg']):.1f} ms (p95 {p95(times['tipg']):.1f}),"
                f" Safemap/tipg {versus_tipg:.2f}; kB Safemap {sizes['api'] / 1e3:.0f}, raw"
                f" {sizes['raw'] / 1e3:.0f}, tipg {sizes['tipg'] / 1e3:.0f}; tile {z}/{x}/{y} over district"
                f" {district}" + ("; cells" if z <= 13 else ""),
            )
            result.met = versus_tipg <= TARGET_TIPG and result.ratio <= TARGET_RAW
            results.append(result)
    results.append(cached_tile(base, centre, conn))
    conn.close()
    client.close()
    return results


def cached_tile(base: str, centre: list[float], conn, z: int = 12, repeat: int = 200) -> Result:
    """A public tile asked again and again: drawn once, then from the cache (HTTP round trip included); and
    the same in this process through gis.publish.tiles.tile (the generation query and the lookup only)."""
    x, y = tile_of(*centre, z)
    with httpx.Client(base_url=base, timeout=60) as public:
        first = timed(lambda: public.get(f"/tiles/{z}/{x}/{y}.pbf").raise_for_status(), 1, warmup=0)
        again = timed(lambda: public.get(f"/tiles/{z}/{x}/{y}.pbf").raise_for_status(), repeat)
    inside = timed(lambda: tile(conn, z, x, y, scope=PUBLIC_SPOTS), repeat)
    return Result(
        f"public tile z{z} again (cache)",
        again,
        first,
        target=f"≤ {TARGET_CACHED_MS} ms",
        met=median(again) <= TARGET_CACHED_MS,
        note=f"raw column: its first, uncached answer; tile {z}/{x}/{y}, the public (stages 3–4); in the"
        f" server's code, without HTTP: median {median(inside):.2f} ms, p95 {p95(inside):.2f} ms",
    )
