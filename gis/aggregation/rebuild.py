"""Recompute which spot each report belongs to, e.g. after the aggregation radius changed.

What is kept: spots past stage 1, closed spots (resolved, rejected, merged) and spots the GIS office shaped by
hand (merge, split, re-attach) keep their reports — people have decided about them. Only the reports of the
other, automatic stage-1 spots are re-clustered: in their original order, as if each were submitted again
with the new radius, joining the nearest open (else resolved) compatible spot within the radius, kept or
re-formed, or founding a new one. A re-formed spot keeps the id of its founding report's former spot, so a
rebuild with an unchanged radius changes nothing. Old spots left without reports become 'merged' into the
spot that now holds their first report; spots whose reports changed get a 'rebuilt' event; history is never
deleted. The clustering runs in memory on coordinates in metres (the UTM zone of the reports' centre), loaded
in one query: points as plain (x, y) pairs with GEOS's own distance formula, paired by k-d trees, lines and
polygons as shapely geometries, paired through a grid; the results are written back in a few set-based
statements.
"""

import csv
import io
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import numpy as np
import psycopg2.errors
from psycopg2 import sql
from scipy.spatial import cKDTree
from shapely import wkb
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from gis.aggregation.aggregate import NEW_SPOT_SQL, refresh_spots
from gis.aggregation.edits import HAND_EDITED_SQL
from gis.db import Conn, without_jit
from gis.errors import InvalidInput

FREE_SPOTS_SQL = f"SELECT s.id FROM spot s WHERE s.stage = 1 AND s.status = 'open' AND NOT {HAND_EDITED_SQL}"

# A geometry in metres: a point as (x, y) (a million shapely points cost more than the clustering itself), any
# other shape as shapely's.
Shape = tuple[float, float] | BaseGeometry
# x, y of a point (else NULL) and the WKB of any other shape (else NULL), in metres of SRID %(srid)s.
SHAPE_SQL = """
    CASE WHEN GeometryType({g}) = 'POINT' THEN ST_X(ST_Transform({g}, %(srid)s)) END,
    CASE WHEN GeometryType({g}) = 'POINT' THEN ST_Y(ST_Transform({g}, %(srid)s)) END,
    CASE WHEN GeometryType({g}) <> 'POINT' THEN ST_AsBinary(ST_Transform({g}, %(srid)s)) END
"""


# A rebuild moving more than this share of all reports writes them without the report table's indexes on
# spot_id, built again once afterwards: each moved report is a new row version, with an entry in every index
# (242,009 of 1,000,000 moved reports took 60-80 s with them). Without an index on the column it changes, the
# new version is a heap-only tuple on the same page (report's pages keep room for it, migration 0028), with
# no entry in the other indexes, so only those on spot_id need building again.
SET_ASIDE_SHARE = 0.1

# The indexes of a table that no constraint owns and that read `column` (as a key, in an expression or in
# their predicate), as statements that build them again.
INDEXES_ON_SQL = """
    SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = %(table)s::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = x.indrelid AND a.attname = %(column)s
                   AND a.attnum = ANY (x.indkey))
           OR concat(pg_get_expr(x.indexprs, x.indrelid), ' ', pg_get_expr(x.indpred, x.indrelid))
              ~ ('\\m' || %(column)s || '\\M'))
"""


def _shape(x: float | None, y: float | None, other: memoryview | None) -> Shape:
    return (x, y) if other is None else wkb.loads(bytes(other))


def _bounds(shape: Shape) -> tuple[float, float, float, float]:
    return (shape[0], shape[1], shape[0], shape[1]) if isinstance(shape, tuple) else shape.bounds


def distance(a: Shape, b: Shape) -> float:
    """Shapely's distance; between two points GEOS's formula itself, so every tie falls the same way."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        dx, dy = a[0] - b[0], a[1] - b[1]
        return math.sqrt(dx * dx + dy * dy)
    return (Point(a) if isinstance(a, tuple) else a).distance(Point(b) if isinstance(b, tuple) else b)


@dataclass
class Cluster:
    """A spot during the rebuild: a kept one (with its id) or one being formed around its founding report."""

    geom: Shape
    category: str
    status: str
    order: int
    spot_id: int | None = None
    founder: int | None = None
    reports: list[int] = field(default_factory=list)


@dataclass
class RebuildResult:
    """What the rebuild did, for the command line."""

    radius_m: float
    reports: int = 0
    kept_spots: int = 0
    unchanged: int = 0
    changed: int = 0
    new: int = 0
    merged: int = 0

    def summary(self) -> str:
        return (
            f"rebuilt with a radius of {self.radius_m:g} m: {self.reports} reports of automatic stage-1 "
            f"spots re-clustered ({self.kept_spots} spots kept as they are: past stage 1, closed or "
            f"edited by hand); {self.unchanged} spots unchanged, {self.changed} changed, {self.new} new, "
            f"{self.merged} merged away"
        )


class _Grid:
    """Clusters by the square cells (side = radius) their bounding boxes touch."""

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[Cluster]] = {}

    def _keys(self, shape: Shape, margin: float) -> list[tuple[int, int]]:
        xmin, ymin, xmax, ymax = _bounds(shape)
        c = self.cell
        return [
            (ix, iy)
            for ix in range(math.floor((xmin - margin) / c), math.floor((xmax + margin) / c) + 1)
            for iy in range(math.floor((ymin - margin) / c), math.floor((ymax + margin) / c) + 1)
        ]

    def add(self, cluster: Cluster) -> None:
        for key in self._keys(cluster.geom, 0):
            self.cells.setdefault(key, []).append(cluster)

    def near(self, geom: Shape, radius: float) -> list[Cluster]:
        cells = self.cells
        return list({id(c): c for key in self._keys(geom, radius) for c in cells.get(key, ())}.values())


def utm_srid(lon: float, lat: float) -> int:
    """The WGS 84 UTM zone's SRID around a point: metres for the clustering, from a projection PostGIS already
    has (the app's role may not add one), true to 0.04% within its zone, so a few centimetres on a radius."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def _load(conn: Conn) -> tuple[list[int], list[tuple], list[Cluster], set[tuple[str, str]], int]:
    with conn.cursor() as cur:
        cur.execute(FREE_SPOTS_SQL)
        free = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)::geometry) AS c"
            " FROM report WHERE spot_id = ANY(%s) OR spot_id IS NULL) q",
            (free,),
        )
        lon, lat = cur.fetchone()
        proj = utm_srid(lon or 0, lat or 0)
        cur.execute(
            f"SELECT id, category, location_verified, spot_id, {SHAPE_SQL.format(g='geom')}"
            " FROM report WHERE spot_id = ANY(%(free)s) OR spot_id IS NULL ORDER BY id",
            {"srid": proj, "free": free},
        )
        reports = [(*row[:4], _shape(*row[4:])) for row in cur.fetchall()]
        cur.execute(
            f"""
            SELECT s.id, s.category, s.status, {SHAPE_SQL.format(g="s.geom")} FROM spot s
            WHERE s.status IN ('open', 'resolved') AND s.id <> ALL(%(free)s)
              AND NOT (s.stage = 1 AND s.awaiting_location)
            ORDER BY s.id
            """,
            {"srid": proj, "free": free},
        )
        kept = [
            Cluster(_shape(*shape), category, status, order=-1, spot_id=spot_id)
            for spot_id, category, status, *shape in cur.fetchall()
        ]
        cur.execute(
            "SELECT a.code, b.code FROM category a, category b WHERE category_compatible(a.code, b.code)"
        )
        compatible = set(cur.fetchall())
        cur.execute("SELECT count(*) FROM spot WHERE status <> 'merged' AND id <> ALL(%s)", (free,))
        untouched = cur.fetchone()[0]
    return free, reports, kept, compatible, untouched


def rebuild(
    conn: Conn,
    *,
    radius_m: float,
    actor_name: str = "rebuild",
    progress: Callable[[int, int], None] | None = None,
) -> RebuildResult:
    """Re-cluster the reports of automatic stage-1 spots with `radius_m` (see the module for the rules)."""
    if not 0 < radius_m <= 1000:
        raise InvalidInput("radius", "between_0_and_1000_metres")
    with conn.cursor() as cur:
        cur.execute("LOCK TABLE spot IN SHARE ROW EXCLUSIVE MODE")  # reports arriving meanwhile wait for us
    without_jit(conn)
    free, reports, kept, compatible, untouched = _load(conn)
    result = RebuildResult(radius_m, reports=len(reports), kept_spots=untouched)
    old_spot = {report_id: spot_id for report_id, _, _, spot_id, _ in reports}
    formed = _cluster(reports, kept, compatible, radius_m, progress)
    _write(conn, result, free, kept, formed, old_spot, actor_name)
    return result


# A report found a spot or joined one: (whether that spot is closed, distance, order, spot id) ranks them, the
# smallest first; a spot formed here has order ≥ 0 (its founding report's place in the list), a kept one -1.
Option = tuple[tuple[bool, float, int, int], Cluster]
# Progress is told every this many reports (a progress bar's update per report cost seconds).
PROGRESS_EVERY = 10_000


def _cluster(
    reports: list[tuple],
    kept: list[Cluster],
    compatible: set[tuple[str, str]],
    radius_m: float,
    progress: Callable[[int, int], None] | None,
) -> list[Cluster]:
    """Each report, in order, joins the best spot near it (kept or formed before it) or forms one; returns the
    formed clusters (the kept ones gain their reports).

    The candidates are found before the walk: each report's best kept spot, and the earlier reports near it
    that could found a spot (those with no kept spot near them). Between points both come from k-d trees in a
    few array operations; where a line or a polygon is involved, from `_Grid` and shapely. The walk then
    only picks among them, in order.
    """
    categories = _categories(reports, kept, compatible)
    best = _best_kept(reports, kept, compatible, categories, radius_m)
    earlier = _earlier_founders(reports, best, compatible, categories, radius_m)
    formed: list[Cluster] = []
    order_of: dict[int, int] = {}  # report's index → order of the cluster it founded
    for index, (report_id, category, verified, _, geom) in enumerate(reports):
        options: list[Option] = []
        if verified:
            if index in best:
                options.append(best[index])
            for founder, gap in earlier.get(index, ()):
                if founder in order_of:
                    order = order_of[founder]
                    options.append(((False, gap, order, 0), formed[order]))
        if options:
            target = min(options, key=lambda option: option[0])[1]
        else:
            target = Cluster(geom, category, "open", order=len(formed), founder=report_id)
            if verified:
                order_of[index] = len(formed)
            formed.append(target)
        target.reports.append(report_id)
        if progress is not None and (index + 1) % PROGRESS_EVERY == 0:
            progress(index + 1, len(reports))
    if progress is not None:
        progress(len(reports), len(reports))
    return formed


# Each category's number, and which pairs (spot's category, report's) are compatible, by number.
Categories = tuple[dict[str, int], np.ndarray]


def _categories(reports: list[tuple], kept: list[Cluster], compatible: set[tuple[str, str]]) -> Categories:
    """The categories of the reports and the kept spots, numbered, with the compatible pairs by number."""
    code = {c: n for n, c in enumerate(sorted({c.category for c in kept} | {r[1] for r in reports}))}
    matrix = np.zeros((len(code), len(code)), dtype=bool)
    for a, b in compatible:
        if a in code and b in code:
            matrix[code[a], code[b]] = True
    return code, matrix


def _point_pairs(
    left: list[tuple[float, float]], right: list[tuple[float, float]], radius_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index in left, index in right, distance) of every pair within the radius, the distance computed as
    `distance` does (left minus right), so every tie falls the same way."""
    if not left or not right:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp), np.empty(0)
    a, b = np.array(left, dtype=float), np.array(right, dtype=float)
    near = cKDTree(a).sparse_distance_matrix(cKDTree(b), radius_m * (1 + 1e-9), output_type="ndarray")
    i, j = near["i"].astype(np.intp), near["j"].astype(np.intp)
    dx, dy = a[i, 0] - b[j, 0], a[i, 1] - b[j, 1]
    gap = np.sqrt(dx * dx + dy * dy)
    inside = gap <= radius_m
    return i[inside], j[inside], gap[inside]


def _best_kept(
    reports: list[tuple],
    kept: list[Cluster],
    compatible: set[tuple[str, str]],
    categories: Categories,
    radius_m: float,
) -> dict[int, Option]:
    """Per verified report (by index), its best kept spot within the radius, if any."""
    best: dict[int, Option] = {}

    def offer(index: int, cluster: Cluster, gap: float) -> None:
        option = ((cluster.status != "open", gap, cluster.order, cluster.spot_id or 0), cluster)
        if index not in best or option[0] < best[index][0]:
            best[index] = option

    points = [n for n, r in enumerate(reports) if r[2] and isinstance(r[4], tuple)]
    shapes = [n for n, r in enumerate(reports) if r[2] and not isinstance(r[4], tuple)]
    kept_points = [c for c in kept if isinstance(c.geom, tuple)]
    code, matrix = categories
    k, r, gap = _point_pairs([c.geom for c in kept_points], [reports[n][4] for n in points], radius_m)
    kept_categories = np.array([code[c.category] for c in kept_points], dtype=np.intp)
    report_categories = np.array([code[reports[n][1]] for n in points], dtype=np.intp)
    fits = matrix[kept_categories[k], report_categories[r]]
    for ki, ri, g in zip(k[fits].tolist(), r[fits].tolist(), gap[fits].tolist()):
        offer(points[ri], kept_points[ki], g)
    for index, clusters in _near_shapes(reports, points, shapes, kept, radius_m):
        for cluster in clusters:
            geom, category = reports[index][4], reports[index][1]
            if (cluster.category, category) in compatible and (g := distance(cluster.geom, geom)) <= radius_m:
                offer(index, cluster, g)
    return best


def _near_shapes(
    reports: list[tuple], points: list[int], shapes: list[int], clusters: list[Cluster], radius_m: float
) -> Iterator[tuple[int, list[Cluster]]]:
    """The pairs the k-d trees leave out: each shape report with every cluster near it, each point report
    with the shape clusters near it."""
    if shapes:
        yield from _grid_pairs(reports, shapes, clusters, radius_m)
    shaped = [c for c in clusters if not isinstance(c.geom, tuple)]
    if shaped:
        yield from _grid_pairs(reports, points, shaped, radius_m)


def _grid_pairs(
    reports: list[tuple], indexes: list[int], clusters: list[Cluster], radius_m: float
) -> Iterator[tuple[int, list[Cluster]]]:
    """Each of the reports at `indexes` with the clusters whose grid cells are near it."""
    grid = _Grid(radius_m)
    for cluster in clusters:
        grid.add(cluster)
    for index in indexes:
        yield index, grid.near(reports[index][4], radius_m)


def _earlier_founders(
    reports: list[tuple],
    best: dict[int, Option],
    compatible: set[tuple[str, str]],
    categories: Categories,
    radius_m: float,
) -> dict[int, list[tuple[int, float]]]:
    """Per verified report (by index), the earlier verified reports that may found a spot it could join (no
    kept spot near them), with their distance."""
    founders = [Cluster(r[4], r[1], "open", order=n) for n, r in enumerate(reports) if r[2] and n not in best]
    verified = [n for n, r in enumerate(reports) if r[2]]
    earlier: dict[int, list[tuple[int, float]]] = {}
    point_founders = [c for c in founders if isinstance(c.geom, tuple)]
    points = [n for n in verified if isinstance(reports[n][4], tuple)]
    shapes = [n for n in verified if not isinstance(reports[n][4], tuple)]
    code, matrix = categories
    f, r, gap = _point_pairs([c.geom for c in point_founders], [reports[n][4] for n in points], radius_m)
    if len(f):
        founder_index = np.array([c.order for c in point_founders], dtype=np.intp)[f]
        report_index = np.array(points, dtype=np.intp)[r]
        categories = np.array([code[rep[1]] for rep in reports], dtype=np.intp)
        fits = (founder_index < report_index) & matrix[categories[founder_index], categories[report_index]]
        for a, b, g in zip(founder_index[fits].tolist(), report_index[fits].tolist(), gap[fits].tolist()):
            earlier.setdefault(b, []).append((a, g))
    for index, clusters in _near_shapes(reports, points, shapes, founders, radius_m):
        geom, category = reports[index][4], reports[index][1]
        for cluster in clusters:
            if (
                cluster.order < index
                and (cluster.category, category) in compatible
                and (g := distance(cluster.geom, geom)) <= radius_m
            ):
                earlier.setdefault(index, []).append((cluster.order, g))
    return earlier


def _write(
    conn: Conn,
    result: RebuildResult,
    free: list[int],
    kept: list[Cluster],
    formed: list[Cluster],
    old_spot: dict[int, int | None],
    actor_name: str,
) -> None:
    """Write the clustering back: spots seated, reports moved, emptied spots merged away, events logged."""
    claimed = _seat_formed(conn, formed, old_spot)
    new_ids = {c.spot_id for c in formed} - claimed
    holder = _move_reports(conn, [*kept, *formed], old_spot)
    before: dict[int, set[int]] = {}
    for report_id, spot_id in old_spot.items():
        if spot_id is not None:
            before.setdefault(spot_id, set()).add(report_id)
    _reseat_spots(conn, formed, claimed, before)
    events, touched = _cluster_events(result, [*kept, *formed], claimed, new_ids, before)
    merged_into, merged_events = _merged_away(result.radius_m, free, claimed, before, holder)
    events += merged_events
    result.changed = len(touched)
    result.merged = len(merged_into)
    _record_changes(conn, merged_into, events, actor_name)
    # The merged ones were emptied with their merge; the changed and new ones hold reports and the changed
    # ones take their next version here.
    refresh_spots(conn, sorted(touched | new_ids), changed=sorted(touched), held=True)


def _seat_formed(conn: Conn, formed: list[Cluster], old_spot: dict[int, int | None]) -> set[int]:
    """Seat each formed cluster on its founder's former spot if still free, else a new one; the ids reused."""
    claimed: set[int] = set()
    with conn.cursor() as cur:
        for cluster in formed:
            previous = old_spot[cluster.founder]
            if previous is not None and previous not in claimed:
                cluster.spot_id = previous
                claimed.add(previous)
            else:
                cur.execute(NEW_SPOT_SQL, {"report": cluster.founder})
                cluster.spot_id = cur.fetchone()[0]
    return claimed


def _move_reports(conn: Conn, clusters: list[Cluster], old_spot: dict[int, int | None]) -> dict[int, int]:
    """Point every report that moved at its cluster's spot; report → spot for every re-clustered report.

    The moves go through a temporary table the planner knows the size of, so the UPDATE reads the reports in
    one pass joined by hash: joined to an array, it looked each report up by id in the clusters' order, and
    with the embedded cluster's 128 MB of shared buffers wrote back as many pages as it read."""
    holder = {r: c.spot_id for c in clusters for r in c.reports}
    moved = [(r, spot) for r, spot in holder.items() if old_spot[r] != spot]
    with conn.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '64MB'")
        cur.execute("DROP TABLE IF EXISTS pg_temp.rebuild_move")  # a second rebuild in the same transaction
        cur.execute("CREATE TEMPORARY TABLE rebuild_move (id bigint, spot int) ON COMMIT DROP")
        # By COPY: 242,009 pairs as two array parameters took 1.3 s to send and parse.
        cur.copy_expert(
            "COPY rebuild_move FROM STDIN", io.StringIO("".join(f"{r}\t{spot}\n" for r, spot in moved))
        )
        cur.execute("ANALYZE rebuild_move")
        cur.execute("SELECT count(*) FROM report")
        large = len(moved) > SET_ASIDE_SHARE * cur.fetchone()[0] and _lock_exclusively(conn, "report")
        with _indexes_set_aside(conn, "report", "spot_id") if large else nullcontext():
            cur.execute("UPDATE report r SET spot_id = m.spot FROM rebuild_move m WHERE r.id = m.id")
    return holder


def _lock_exclusively(conn: Conn, table: str) -> bool:
    """Lock `table` against every other use if that comes within a few seconds, else leave it as it was: a
    report being submitted holds its table while it waits for the spots, so waiting longer could deadlock."""
    with conn.cursor() as cur:
        cur.execute("SAVEPOINT exclusive; SET LOCAL lock_timeout = '3s'")
        try:
            cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.DeadlockDetected):
            cur.execute("ROLLBACK TO SAVEPOINT exclusive")
            return False
        cur.execute("SET LOCAL lock_timeout TO DEFAULT; RELEASE SAVEPOINT exclusive")
    return True


@contextmanager
def _indexes_set_aside(conn: Conn, table: str, column: str) -> Iterator[None]:
    """Drop `table`'s indexes on `column` (locked exclusively) and build them again, as they were, after the
    block: a rollback brings the old ones back."""
    with conn.cursor() as cur:
        cur.execute(INDEXES_ON_SQL, {"table": table, "column": column})
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        yield
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cur.execute(definition)


def _reseat_spots(conn: Conn, formed: list[Cluster], claimed: set[int], before: dict[int, set[int]]) -> None:
    """A re-formed spot whose first report changed moves to the new one, as a spot made by a report sits
    (one the GIS office placed by hand stays where it was put)."""
    reseated = [c for c in formed if c.spot_id in claimed and c.founder != min(before[c.spot_id])]
    with conn.cursor() as cur:
        cur.execute(
            """
            UPDATE spot s SET geom = r.geom, category = r.category, area_id = r.area_id,
                              location_precision = r.location_precision
            FROM unnest(%s::int[], %s::bigint[]) AS m(spot, founder) JOIN report r ON r.id = m.founder
            WHERE s.id = m.spot AND s.location_precision <> 'placed'
            """,
            ([c.spot_id for c in reseated], [c.founder for c in reseated]),
        )


def _cluster_events(
    result: RebuildResult,
    clusters: list[Cluster],
    claimed: set[int],
    new_ids: set[int],
    before: dict[int, set[int]],
) -> tuple[list[tuple[int, str, dict]], set[int]]:
    """'created' for new spots, 'rebuilt' for spots whose reports changed; counts new and unchanged ones."""
    events: list[tuple[int, str, dict]] = []
    touched: set[int] = set()
    for cluster in clusters:
        after, was = set(cluster.reports), before.get(cluster.spot_id, set())
        if cluster.spot_id in new_ids:
            events.append(
                (
                    cluster.spot_id,
                    "created",
                    {"rebuild": True, "radius_m": result.radius_m, "report_ids": sorted(after)},
                )
            )
            result.new += 1
        elif after - was or (cluster.spot_id in claimed and was - after):
            events.append(
                (
                    cluster.spot_id,
                    "rebuilt",
                    {
                        "radius_m": result.radius_m,
                        "added": sorted(after - was),
                        "removed": sorted(was - after),
                    },
                )
            )
            touched.add(cluster.spot_id)
        elif cluster.spot_id in claimed:
            result.unchanged += 1
    return events, touched


def _merged_away(
    radius_m: float,
    free: list[int],
    claimed: set[int],
    before: dict[int, set[int]],
    holder: dict[int, int],
) -> tuple[dict[int, int | None], list[tuple[int, str, dict]]]:
    """Old spots no cluster took, each into the spot now holding its first report, with a 'rebuilt' event."""
    merged_into: dict[int, int | None] = {}
    events: list[tuple[int, str, dict]] = []
    for spot_id in sorted(set(free) - claimed):
        into = holder[min(before[spot_id])] if before.get(spot_id) else None
        merged_into[spot_id] = into
        events.append(
            (
                spot_id,
                "rebuilt",
                {
                    "radius_m": radius_m,
                    "merged_into": into,
                    "removed": sorted(before.get(spot_id, ())),
                },
            )
        )
    return merged_into, events


def _record_changes(
    conn: Conn, merged_into: dict[int, int | None], events: list[tuple[int, str, dict]], actor_name: str
) -> None:
    """Mark the merged spots (left with no report: counting nothing) and store the events. Each merged spot
    is written once: at a million reports, writing 50,000 merged spots three times (status, version, counts)
    took a quarter of the rebuild. The events go in by COPY (100,000 of them as INSERTs took 3.5 s)."""
    with conn.cursor() as cur:
        if merged_into:
            cur.execute(
                """
                UPDATE spot s SET status = 'merged', merged_into = m.target, version = version + 1,
                                  updated_at = now(), report_count = 0, source_count = 0, priority = 0
                FROM unnest(%s::int[], %s::int[]) AS m(spot, target) WHERE s.id = m.spot
                """,
                (list(merged_into), list(merged_into.values())),
            )
        rows = io.StringIO()  # every text quoted: an empty one unquoted would be read as NULL
        csv.writer(rows, quoting=csv.QUOTE_NONNUMERIC).writerows(
            (spot_id, kind, actor_name, json.dumps(payload)) for spot_id, kind, payload in events
        )
        rows.seek(0)
        cur.copy_expert(
            "COPY spot_event (spot_id, kind, actor_name, payload) FROM STDIN WITH (FORMAT csv)", rows
        )
