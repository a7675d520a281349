"""Aggregation: every accepted report attaches to one spot, found or created in the same transaction.

Two reports of one new place arriving at once must not make two spots. Before looking for a spot, the
transaction locks the grid cells its search circle touches (advisory locks, held until commit). Any two
reports within the radius of each other share at least one locked cell, so the second waits for the first
to commit and then finds its spot.
"""
import math

# Grid cell side in degrees: twice the radius measured where a degree of longitude is shortest (lat 60°),
# so a search circle touches at most 2 × 2 cells anywhere Safemap is used.
METRES_PER_DEGREE = 111_320.0
LOCK_NAMESPACE = 22_137

CANDIDATE_SQL = """
    SELECT s.id
    FROM spot s, report r
    WHERE r.id = %(report)s
      AND s.status IN ('open', 'resolved')
      AND category_compatible(s.category, r.category)
      AND s.geom && ST_Expand(r.geom, %(degrees)s)
      AND ST_DWithin(s.geom::geography, r.geom::geography, %(radius)s)
      AND NOT (s.stage = 1 AND EXISTS (SELECT 1 FROM report v WHERE v.spot_id = s.id
                                       AND NOT v.location_verified))
    ORDER BY s.status <> 'open', s.geom <-> r.geom, s.id
    LIMIT 1
"""

NEW_SPOT_SQL = """
    INSERT INTO spot (geom, category, stage, area_id, title)
    SELECT r.geom, r.category, 1, r.area_id,
           c.label_fa || coalesce(' – ' || a.name_fa, '')
    FROM report r
    JOIN category c ON c.code = r.category
    LEFT JOIN area a ON a.id = r.area_id
    WHERE r.id = %(report)s
    RETURNING id
"""

REFRESH_SQL = """
    UPDATE spot s SET
        report_count = f.reports, source_count = f.sources,
        priority = spot_priority(f.reports, f.sources, f.night_share, f.audit_risk)
    FROM (
        SELECT r.spot_id,
               count(*) AS reports,
               count(DISTINCT r.source) AS sources,
               avg((r.time_of_day IN ('evening', 'night'))::int) FILTER (WHERE r.time_of_day IS NOT NULL)
                   AS night_share,
               3 - avg((SELECT avg(v::numeric) FROM jsonb_each_text(r.audit) AS kv(k, v)))
                   FILTER (WHERE r.audit IS NOT NULL AND r.audit <> '{}') AS audit_risk
        FROM report r
        WHERE %(spots)s::int[] IS NULL OR r.spot_id = ANY(%(spots)s::int[])
        GROUP BY r.spot_id
    ) f
    WHERE s.id = f.spot_id
"""

# Spots left without reports (merged away) count nothing.
EMPTIED_SQL = """
    UPDATE spot s SET report_count = 0, source_count = 0, priority = 0
    WHERE (%(spots)s::int[] IS NULL OR s.id = ANY(%(spots)s::int[])) AND s.report_count > 0
      AND NOT EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id)
"""


def _lock_cells(conn, *, bbox: tuple[float, float, float, float], radius_m: float) -> None:
    """Lock, in a fixed order, every cell that the search area around `bbox` touches."""
    xmin, ymin, xmax, ymax = bbox
    cell = 2 * radius_m / (METRES_PER_DEGREE * 0.5)
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(ymax)), 0.5))
    dlat = radius_m / METRES_PER_DEGREE
    columns = range(math.floor((xmin - dlon) / cell), math.floor((xmax + dlon) / cell) + 1)
    rows = range(math.floor((ymin - dlat) / cell), math.floor((ymax + dlat) / cell) + 1)
    cells = sorted((ix, iy) for ix in columns for iy in rows)
    with conn.cursor() as cur:
        for ix, iy in cells:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(ix, iy),))


def _lock_key(ix: int, iy: int) -> int:
    """One signed 64-bit key per cell, in a namespace of our own."""
    key = (LOCK_NAMESPACE << 48) ^ ((ix & 0xFFFFFF) << 24) ^ (iy & 0xFFFFFF)
    return key - (1 << 64) if key >= 1 << 63 else key


def attach_report(conn, report_id: int, *, radius_m: float, actor_id: int | None = None,
                  actor_name: str = "", search: bool = True) -> tuple[int, bool]:
    """Attach a report to the nearest compatible spot within `radius_m`, or to a new stage-1 spot.

    A report whose location is still to be verified (`search=False`) gets a spot of its own: its point is
    only its neighbourhood's, so nearness means nothing yet, and until the GIS office places it (stage 2) no
    other report joins it. Returns (spot id, whether the spot is new).
    """
    with conn.cursor() as cur:
        row = None
        if search:
            cur.execute("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM report"
                        " WHERE id = %s", (report_id,))
            _lock_cells(conn, bbox=cur.fetchone(), radius_m=radius_m)
            degrees = radius_m / (METRES_PER_DEGREE * 0.5)
            cur.execute(CANDIDATE_SQL, {"report": report_id, "radius": radius_m, "degrees": degrees})
            row = cur.fetchone()
        new = row is None
        if new:
            cur.execute(NEW_SPOT_SQL, {"report": report_id})
            row = cur.fetchone()
        spot_id = row[0]
        cur.execute("UPDATE report SET spot_id = %s WHERE id = %s RETURNING source", (spot_id, report_id))
        source = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, actor_id, actor_name, payload)"
            " VALUES (%s, %s, %s, %s, jsonb_build_object('report_id', %s, 'source', %s))",
            (spot_id, "created" if new else "report_attached", actor_id, actor_name, report_id, source),
        )
    refresh_spots(conn, [spot_id])
    return spot_id, new


def refresh_spots(conn, spot_ids: list[int] | None = None) -> None:
    """Recompute report and source counts and the priority of the given spots (all when None)."""
    with conn.cursor() as cur:
        cur.execute(REFRESH_SQL, {"spots": spot_ids})
        cur.execute(EMPTIED_SQL, {"spots": spot_ids})
