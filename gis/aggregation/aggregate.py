"""Aggregation: every accepted report attaches to one spot, found or created in the same transaction.

Two reports of one new place arriving at once must not make two spots. Before looking for a spot, the
transaction locks the grid cells its search circle touches (advisory locks, held until commit). Any two
reports within the radius of each other share at least one locked cell, so the second waits for the first
to commit and then finds its spot. Every cell lock is taken under a shared lock on the whole map; a large
import takes that one exclusively instead of thousands of cells (which would exhaust PostgreSQL's lock table).
"""

import math

from gis.db import Conn

# Grid cell side in degrees: twice the radius measured where a degree of longitude is shortest (lat 60°),
# so a search circle touches at most 2 × 2 cells anywhere Safemap is used.
METRES_PER_DEGREE = 111_320.0
LOCK_NAMESPACE = 22_137
MAP_LOCK = (LOCK_NAMESPACE + 1) << 48  # the next namespace: no cell's key has these top bits

# A chunk of an import before it is stored: report's columns (its defaults and generated ones too), so the
# search and the new spots read the chunk's reports as they read report's, and each report is then stored
# once, with its spot (an insert followed by setting the spot wrote every report twice, in each of report's
# 8 indexes: 47 µs a row of an import). `gis.intake.reports` makes it, fills it and stores from it.
STAGED = "pg_temp.staged_report"
STAGED_TABLE_SQL = f"""
    CREATE TEMPORARY TABLE IF NOT EXISTS staged_report (LIKE report INCLUDING DEFAULTS INCLUDING GENERATED)
        ON COMMIT DELETE ROWS;
    DELETE FROM {STAGED};
"""

NEW_SPOT_SQL = """
    INSERT INTO spot (geom, category, stage, area_id, title, location_precision)
    SELECT r.geom, r.category, 1, r.area_id, c.label_fa || coalesce(' – ' || a.name_fa, ''),
           r.location_precision
    FROM report r
    JOIN category c ON c.code = r.category
    LEFT JOIN area a ON a.id = r.area_id
    WHERE r.id = %(report)s
    RETURNING id
"""

# The spots in %(changed)s also take their next version, in the same write (a rebuild recounts 55,000
# changed spots: a second statement for their versions wrote each row twice). The spots are named on `spot`
# too: joined only to the counts, whose number of groups the planner cannot tell, a recount of an import's
# 440 spots read all 200,000 spots of the seed (136 ms; 58 ms by their ids).
REFRESH_SQL = """
    UPDATE spot s SET
        report_count = f.reports, source_count = f.sources,
        priority = spot_priority(f.reports, f.sources, f.night_share, f.audit_risk),
        version = s.version + (c.id IS NOT NULL)::int,
        updated_at = CASE WHEN c.id IS NULL THEN s.updated_at ELSE now() END
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
    LEFT JOIN unnest(%(changed)s::int[]) AS c(id) ON c.id = f.spot_id
    WHERE s.id = f.spot_id AND (%(spots)s::int[] IS NULL OR s.id = ANY(%(spots)s::int[]))
"""

# Spots left without reports (merged away) count nothing.
EMPTIED_SQL = """
    UPDATE spot s SET report_count = 0, source_count = 0, priority = 0
    WHERE (%(spots)s::int[] IS NULL OR s.id = ANY(%(spots)s::int[])) AND s.report_count > 0
      AND NOT EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id)
"""


def _lock_cells(conn: Conn, *, bbox: tuple[float, float, float, float], radius_m: float) -> None:
    """Lock, in a fixed order, every cell that the search area around `bbox` touches."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", (MAP_LOCK,))
        for ix, iy in sorted(_cells(bbox, radius_m)):
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(ix, iy),))


def _lock_key(ix: int, iy: int) -> int:
    """One signed 64-bit key per cell, in a namespace of our own."""
    key = (LOCK_NAMESPACE << 48) ^ ((ix & 0xFFFFFF) << 24) ^ (iy & 0xFFFFFF)
    return key - (1 << 64) if key >= 1 << 63 else key


def attach_report(
    conn: Conn,
    report_id: int,
    *,
    radius_m: float,
    actor_id: int | None = None,
    actor_name: str = "",
    search: bool = True,
    spot_id: int | None = None,
) -> tuple[int, bool]:
    """Attach a report to the nearest compatible spot within `radius_m`, or to a new stage-1 spot; to
    `spot_id` instead when the person who saw it said it is that spot's place.

    A report whose location is still to be verified (`search=False`) gets a spot of its own: its point is
    only its neighbourhood's, so nearness means nothing yet, and until the GIS office places it (stage 2) no
    other report joins it. Returns (spot id, whether the spot is new).
    """
    with conn.cursor() as cur:
        if search and spot_id is None:
            cur.execute(
                "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM report WHERE id = %s",
                (report_id,),
            )
            _lock_cells(conn, bbox=cur.fetchone(), radius_m=radius_m)
            cur.execute(CANDIDATE_SQL.format(reports="report"), {"reports": [report_id], "radius": radius_m})
            found = cur.fetchone()  # (report, spot, resolved?, distance), or none within the radius
            spot_id = found[1] if found else None
        new = spot_id is None
        if new:
            cur.execute(NEW_SPOT_SQL, {"report": report_id})
            spot_id = cur.fetchone()[0]
        cur.execute("UPDATE report SET spot_id = %s WHERE id = %s RETURNING source", (spot_id, report_id))
        source = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO spot_event (spot_id, kind, actor_id, actor_name, payload)"
            " VALUES (%s, %s, %s, %s, jsonb_build_object('report_id', %s, 'source', %s))",
            (spot_id, "created" if new else "report_attached", actor_id, actor_name, report_id, source),
        )
    refresh_spots(conn, [spot_id], held=True)
    return spot_id, new


def refresh_spots(
    conn: Conn, spot_ids: list[int] | None = None, *, changed: list[int] | None = None, held: bool = False
) -> None:
    """Recompute report and source counts and the priority of the given spots (all when None); those of
    them in `changed` (whose reports changed) take their next version too. `held`: every given spot holds a
    report (it has just gained one), so none needs looking for as emptied (6 µs a report of an import)."""
    with conn.cursor() as cur:
        cur.execute(REFRESH_SQL, {"spots": spot_ids, "changed": changed or []})
        if not held:
            cur.execute(EMPTIED_SQL, {"spots": spot_ids})


def _near(geom: str) -> str:
    """SQL for the box around `geom` that holds every point within %(radius)s metres of it, as tight as is
    safe: on the WGS 84 ellipsoid a degree of latitude is at least 110,574 m and a degree of longitude at
    least 111,319 m × cos(latitude), taken at the box's latitude farthest from the equator (1 % spare). A box
    as wide as at latitude 60° in both directions held about three times the spots to measure in Tehran."""
    lat = "%(radius)s / (110574 * 0.99)"
    far = f"least(greatest(abs(ST_YMin({geom})), abs(ST_YMax({geom}))) + {lat}, 90)"
    return f"ST_Expand({geom}, %(radius)s / (111319 * 0.99 * greatest(cos(radians({far})), 1e-9)), {lat})"


# For each report, the nearest open (else resolved) compatible spot within the radius; a stage-1 spot still
# waiting to be placed (one of its reports' locations unverified, kept on the spot by migration 0024's
# triggers) takes no other report. One join over all the given reports, each keeping its first spot in the
# ranking (a join beside the spots' box index took 0.8 s for 2,000 reports among 200,000 spots, a nearest-
# neighbour search per report 1.3-1.6 s, with the same result). Also asked for one report at a time.
CANDIDATE_SQL = f"""
    SELECT DISTINCT ON (r.id) r.id, s.id, s.status <> 'open', s.geom <-> r.geom
    FROM {{reports}} r
    JOIN spot s ON s.geom && {_near("r.geom")}
               AND s.status IN ('open', 'resolved')
               AND category_compatible(s.category, r.category)
               AND ST_DWithin(s.geom::geography, r.geom::geography, %(radius)s)
               AND NOT (s.stage = 1 AND s.awaiting_location)
    WHERE r.id = ANY(%(reports)s)
    ORDER BY r.id, s.status <> 'open', s.geom <-> r.geom, s.id
"""

# Pairs of the batch's reports (later, earlier) where the earlier one, were it to found a spot, would be a
# candidate for the later one by CANDIDATE_SQL's rules (a new spot has its founding report's place and
# category).
# Only reports with no older spot near them may found one, so the earlier side is limited to those.
BATCH_PAIRS_SQL = f"""
    SELECT a.id, b.id, b.geom <-> a.geom
    FROM {STAGED} b
    JOIN {STAGED} a ON a.geom && {_near("b.geom")} AND a.id = ANY(%(reports)s) AND a.id > b.id
                 AND category_compatible(b.category, a.category)
                 AND ST_DWithin(b.geom::geography, a.geom::geography, %(radius)s)
    WHERE b.id = ANY(%(founders)s)
"""

BATCH_NEW_SPOTS_SQL = f"""
    INSERT INTO spot (id, geom, category, stage, area_id, title, location_precision)
    SELECT m.spot, r.geom, r.category, 1, r.area_id, c.label_fa || coalesce(' – ' || a.name_fa, ''),
           r.location_precision
    FROM unnest(%(spots)s::int[], %(reports)s::bigint[]) AS m(spot, report)
    JOIN {STAGED} r ON r.id = m.report
    JOIN category c ON c.code = r.category
    LEFT JOIN area a ON a.id = r.area_id
"""

BATCH_EVENTS_SQL = """
    INSERT INTO spot_event (spot_id, kind, actor_id, actor_name, payload)
    SELECT m.spot, m.kind, m.actor, %(actor_name)s,
           jsonb_build_object('report_id', m.report, 'source', r.source)
    FROM unnest(%(spots)s::int[], %(kinds)s::text[], %(actors)s::int[], %(reports)s::bigint[])
         WITH ORDINALITY AS m(spot, kind, actor, report, n)
    JOIN report r ON r.id = m.report
    ORDER BY m.n
"""


def choose_spots(
    conn: Conn,
    reports: list[tuple[int, bool]],
    *,
    radius_m: float,
    lock_map: bool = False,
) -> list[tuple[int, bool]]:
    """For staged reports (`STAGED`), the spot each takes, as attaching them one by one would choose; the new
    spots are made here, and the caller stores the reports with them and calls `record_attachments`.

    `reports` are (report id, search) in submission order, ids ascending. The cells of every searched report
    are locked first (in the order `_lock_cells` uses; with `lock_map`, the whole map, which a transaction
    must then do for all its batches), then the spots that existed are searched in one query and the spots
    the batch itself founds in another; the choice, made in order, follows CANDIDATE_SQL's ranking. Returns
    (spot id, whether the spot is new) per report.
    """
    if not reports:
        return []
    searched = [report_id for report_id, search in reports if search]
    existing: dict[int, tuple[bool, float, int]] = {}
    near: dict[int, list[tuple[int, float]]] = {}
    if searched:
        _lock_searched(conn, searched, radius_m=radius_m, lock_map=lock_map)
        existing, near = _batch_candidates(conn, searched, radius_m=radius_m)
    choice, founders = _choose_spots(reports, existing, near)
    spot_of = _found_spots(conn, founders)
    return [
        (spot_of[ref], ref == report_id) if kind == "new" else (ref, False)
        for (report_id, _), (kind, ref) in zip(reports, choice)
    ]


def _lock_searched(conn: Conn, searched: list[int], *, radius_m: float, lock_map: bool) -> None:
    """Lock the whole map, or the cells around every searched report in `_lock_cells`' order."""
    with conn.cursor() as cur:
        if lock_map:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MAP_LOCK,))
            return
        cur.execute(
            f"SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM {STAGED}"
            " WHERE id = ANY(%s)",
            (searched,),
        )
        cells = sorted({cell for bbox in cur.fetchall() for cell in _cells(bbox, radius_m)})
        cur.execute("SELECT pg_advisory_xact_lock_shared(%s)", (MAP_LOCK,))
        cur.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k",
            ([_lock_key(ix, iy) for ix, iy in cells],),
        )


def _batch_candidates(
    conn: Conn, searched: list[int], *, radius_m: float
) -> tuple[dict[int, tuple[bool, float, int]], dict[int, list[tuple[int, float]]]]:
    """Per report, its best existing spot (closed?, distance, spot), and the earlier reports it could join."""
    params = {"reports": searched, "radius": radius_m}
    near: dict[int, list[tuple[int, float]]] = {}
    with conn.cursor() as cur:
        cur.execute(CANDIDATE_SQL.format(reports=STAGED), params)
        existing = {
            report_id: (closed, distance, spot_id) for report_id, spot_id, closed, distance in cur.fetchall()
        }
        cur.execute(BATCH_PAIRS_SQL, params | {"founders": [r for r in searched if r not in existing]})
        for later, earlier, distance in cur.fetchall():
            near.setdefault(later, []).append((earlier, distance))
    return existing, near


def _choose_spots(
    reports: list[tuple[int, bool]],
    existing: dict[int, tuple[bool, float, int]],
    near: dict[int, list[tuple[int, float]]],
) -> tuple[list[tuple[str, int]], list[int]]:
    """Per report ("old", spot id) or ("new", founding report), and the reports that found a spot, in order.

    Chosen in order; a spot founded here ranks after every older spot of equal distance (its id is larger).
    """
    founded: dict[int, int] = {}
    choice: list[tuple[str, int]] = []
    for report_id, search in reports:
        options = []
        if search:
            if report_id in existing:
                closed, distance, spot_id = existing[report_id]
                options.append(((closed, distance, 0, spot_id), ("old", spot_id)))
            for earlier, distance in near.get(report_id, ()):
                if earlier in founded:
                    options.append(((False, distance, 1, founded[earlier]), ("new", earlier)))
        if options:
            choice.append(min(options)[1])
        else:
            founded[report_id] = len(founded)
            choice.append(("new", report_id))
    return choice, list(founded)


def _found_spots(conn: Conn, founders: list[int]) -> dict[int, int]:
    """A new stage-1 spot for each founding report, ids taken in their order; founding report → spot."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('spot', 'id')) FROM generate_series(1, %s)",
            (len(founders),),
        )
        spot_of = dict(zip(founders, (row[0] for row in cur.fetchall())))
        if founders:
            cur.execute(BATCH_NEW_SPOTS_SQL, {"spots": [spot_of[r] for r in founders], "reports": founders})
    return spot_of


def record_attachments(
    conn: Conn,
    reports: list[tuple[int, int | None]],
    chosen: list[tuple[int, bool]],
    actor_name: str,
) -> None:
    """Log 'created' or 'report_attached' for each stored report (report id, actor id), in submission order,
    and recount the spots: what `choose_spots` leaves to do once the reports are stored with their spots."""
    spots = [spot for spot, _ in chosen]
    with conn.cursor() as cur:
        cur.execute(
            BATCH_EVENTS_SQL,
            {
                "spots": spots,
                "kinds": ["created" if new else "report_attached" for _, new in chosen],
                "actors": [actor for _, actor in reports],
                "reports": [report_id for report_id, _ in reports],
                "actor_name": actor_name,
            },
        )
    refresh_spots(conn, sorted(set(spots)), held=True)


def _cells(bbox: tuple[float, float, float, float], radius_m: float) -> list[tuple[int, int]]:
    """The grid cells `_lock_cells` locks for a search around `bbox`."""
    xmin, ymin, xmax, ymax = bbox
    cell = 2 * radius_m / (METRES_PER_DEGREE * 0.5)
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(ymax)), 0.5))
    dlat = radius_m / METRES_PER_DEGREE
    return [
        (ix, iy)
        for ix in range(math.floor((xmin - dlon) / cell), math.floor((xmax + dlon) / cell) + 1)
        for iy in range(math.floor((ymin - dlat) / cell), math.floor((ymax + dlat) / cell) + 1)
    ]
