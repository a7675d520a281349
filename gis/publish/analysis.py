"""Analysis for the programme: densities per area, hotspots (kernel density and Getis-Ord Gi*), time to
remediation, and whether fixes raised the safety-audit score.

Counting and geometry happen in PostGIS; the statistics come from PySAL (libpysal weights, esda's G_Local),
never hand-rolled. Notebooks and the API call these same functions.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from gis.db import Conn
from gis.errors import InvalidInput, NotFound
from gis.places.areas import LEVELS
from gis.publish.precision import precision_params, suppressed
from gis.spots import EVERY_SPOT, PUBLIC_GEOM, SpotScope, scope_condition

if TYPE_CHECKING:
    import geopandas as gpd

# UTM zone 39N: metres for District 22 (and all of Tehran), so grid cells and bandwidths are true distances.
METRIC_SRID = 32639

# Counts only the spots the reader's scope admits, so the public's choropleth never reveals unverified places;
# the public's place each spot where the public sees it and hide a count below k (and what derives from it).
DENSITY_SQL = (
    """
    WITH counts AS (
        SELECT a.id,
               count(s.id) AS spots,
               count(s.id) FILTER (WHERE st.is_open) AS open_spots,
               coalesce(sum(s.report_count), 0) AS reports
        FROM area a
        LEFT JOIN spot s ON s.status <> 'merged' AND """
    + PUBLIC_GEOM
    + """ && a.geom
                        AND ST_Intersects(a.geom, ST_PointOnSurface("""
    + PUBLIC_GEOM
    + """)) AND """
    + scope_condition("s")
    + """
        LEFT JOIN spot_status st ON st.code = s.status
        WHERE a.level = %(level)s
        GROUP BY a.id
    ), measured AS (
        SELECT a.id, a.code, a.name_fa, a.name_en, a.population, a.geom, c.spots, c.open_spots, c.reports,
               ST_Area(a.geom::geography) / 1e6 AS km2
        FROM area a JOIN counts c ON c.id = a.id
    ), rated AS (
        SELECT *, spots / nullif(km2, 0) AS per_km2,
               CASE WHEN population > 0 THEN spots * 1000.0 / population END AS per_1000
        FROM measured
    ), breaks AS (
        SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY per_km2) AS at FROM rated
    )
    -- Quintile breaks rather than ntile, so equal densities (several areas with none) share one class.
    SELECT code, name_fa, name_en, population, """
    + suppressed("spots")
    + """ AS spots, """
    + suppressed("open_spots")
    + """ AS open_spots, """
    + suppressed("reports::int")
    + """ AS reports,
           round(km2::numeric, 3)::float8 AS area_km2,
           CASE WHEN shown THEN round(per_km2::numeric, 3)::float8 END AS spots_per_km2,
           CASE WHEN shown THEN round(per_1000::numeric, 3)::float8 END AS spots_per_1000,
           CASE WHEN shown THEN (SELECT count(*) FROM unnest(breaks.at) AS b WHERE rated.per_km2 > b)::int END
               AS class,
           geom
    FROM rated, breaks, LATERAL (SELECT """
    + suppressed("spots")
    + """ IS NOT NULL AS shown) v
"""
)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InvalidInput("level", "one_of", choices=", ".join(LEVELS))


def density_rows(conn: Conn, *, level: str = "neighbourhood", scope: SpotScope = EVERY_SPOT) -> list[dict]:
    """Spots (all and open) and reports per area, per km² and per 1,000 residents where population is
    known."""
    _check_level(level)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT * FROM ({DENSITY_SQL}) d ORDER BY code", {"level": level, **precision_params(scope)}
        )
        names = [c.name for c in cur.description if c.name != "geom"]
        return [dict(zip(names, row[: len(names)])) for row in cur.fetchall()]


def density_geojson(conn: Conn, *, level: str = "neighbourhood", scope: SpotScope = EVERY_SPOT) -> str:
    """The same figures as a GeoJSON FeatureCollection for a choropleth (`class` 0–4: quintiles of
    spots/km²)."""
    _check_level(level)
    with conn.cursor() as cur:
        cur.execute(
            f"""
            SELECT json_build_object('type', 'FeatureCollection',
                                     'features', coalesce(json_agg(json_build_object(
                'type', 'Feature', 'id', d.code, 'geometry', ST_AsGeoJSON(d.geom, 6)::json,
                'properties', to_jsonb(d) - 'geom') ORDER BY d.code), '[]'::json))::text
            FROM ({DENSITY_SQL}) d
        """,
            {"level": level, **precision_params(scope)},
        )
        return cur.fetchone()[0]


@dataclass(frozen=True)
class HotspotSettings:
    """The grid and the statistic's parameters; defaults suit a district of about 60 km²."""

    cell_m: float = 500.0
    bandwidth_m: float = 750.0
    weight: str = "spots"
    area: str | None = None
    permutations: int = 999
    alpha: float = 0.05
    fdr: bool = True
    seed: int = 22

    def check(self) -> None:
        if not 50 <= self.cell_m <= 5000:
            raise InvalidInput("cell", "grid_cell_size_metres")
        if not self.cell_m <= self.bandwidth_m <= 20_000:
            raise InvalidInput("bandwidth", "bandwidth_at_least_cell_size")
        if self.weight not in ("spots", "reports"):
            raise InvalidInput("weight", "spots_or_reports")
        if not 0 < self.alpha < 0.5:
            raise InvalidInput("alpha", "between_0_and_half")
        if not 0 <= self.permutations <= 9999:
            raise InvalidInput("permutations", "between_0_9999")


def _grid_and_points(
    conn: Conn, settings: HotspotSettings, scope: SpotScope
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """Square cells (metric CRS) over the study area with a point count each, and the points themselves."""
    # geopandas and scipy are imported where used: seconds to load, which every server start would pay.
    import geopandas as gpd

    with conn.cursor() as cur:
        if settings.area:
            cur.execute(
                "SELECT ST_Transform(geom, %s) FROM area WHERE code = %s", (METRIC_SRID, settings.area)
            )
        else:
            cur.execute(
                "SELECT ST_Transform(ST_Union(geom), %s) FROM area WHERE level = ("
                " SELECT l.code FROM area_level l JOIN area a ON a.level = l.code ORDER BY l.rank LIMIT 1)",
                (METRIC_SRID,),
            )
        row = cur.fetchone()
        if row is None or row[0] is None:
            raise NotFound(
                "area_area_with_code" if settings.area else "no_areas_loaded",
                code=settings.area,
                field="area",
            )
        study = row[0]
        weight = "s.report_count" if settings.weight == "reports" else "1"
        cur.execute(
            f"""
            SELECT ST_X(p), ST_Y(p), {weight}
            FROM (SELECT ST_Transform(ST_PointOnSurface({PUBLIC_GEOM}), %(srid)s) AS p, s.report_count
                  FROM spot s WHERE s.status <> 'merged' AND {scope_condition("s")}) s
            WHERE ST_Intersects(p, %(study)s::geometry)
        """,
            {"srid": METRIC_SRID, "study": study, **precision_params(scope)},
        )
        points = np.array(cur.fetchall(), dtype=float).reshape(-1, 3)
        cur.execute(
            """
            SELECT g.i, g.j, ST_AsBinary(g.geom)
            FROM ST_SquareGrid(%(cell)s, %(study)s::geometry) AS g
            WHERE ST_Intersects(g.geom, %(study)s::geometry)
            ORDER BY g.i, g.j
        """,
            {"cell": settings.cell_m, "study": study},
        )
        cells = cur.fetchall()
    grid = gpd.GeoDataFrame(
        {"i": [c[0] for c in cells], "j": [c[1] for c in cells]},
        geometry=shapely.from_wkb([bytes(c[2]) for c in cells]),
        crs=METRIC_SRID,
    )
    # Each point counts in the one cell whose [min, max) square holds it.
    counts: dict[tuple[int, int], float] = {}
    for x, y, w in points:
        key = (int(np.floor(x / settings.cell_m)), int(np.floor(y / settings.cell_m)))
        counts[key] = counts.get(key, 0.0) + w
    grid["count"] = [counts.get((i, j), 0.0) for i, j in zip(grid["i"], grid["j"])]
    return grid, points[:, :2], points[:, 2]


def kernel_density(
    centres: np.ndarray, points: np.ndarray, weights: np.ndarray, bandwidth_m: float
) -> np.ndarray:
    """Quartic-kernel density (points per km²) at each centre: nearby points weigh most, none beyond the
    bandwidth."""
    if len(points) == 0 or len(centres) == 0:
        return np.zeros(len(centres))
    from scipy.spatial import cKDTree

    tree = cKDTree(points)
    density = np.zeros(len(centres))
    for index, neighbours in enumerate(tree.query_ball_point(centres, r=bandwidth_m)):
        if neighbours:
            d2 = np.sum((points[neighbours] - centres[index]) ** 2, axis=1) / bandwidth_m**2
            density[index] = np.sum(weights[neighbours] * (1 - d2) ** 2)
    return density * 3 / (np.pi * bandwidth_m**2) * 1e6


def getis_ord(
    values: np.ndarray,
    centres: np.ndarray,
    *,
    neighbour_m: float,
    permutations: int,
    seed: int,
    alpha: float,
    fdr: bool,
) -> dict[str, np.ndarray]:
    """Gi* (esda.G_Local, star=True) with binary distance-band weights: z-scores, two-sided p-values and the
    class of each cell (hot, cold or not significant), with a false-discovery-rate correction when `fdr`."""
    from esda import fdr as fdr_threshold
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand
    from scipy.stats import norm

    n = len(values)
    if n < 3 or not np.any(values) or np.all(values == values[0]):
        zeros = np.zeros(n)
        return {
            "z": zeros,
            "p": np.ones(n),
            "p_sim": np.ones(n),
            "hotspot": np.array(["ns"] * n, dtype=object),
        }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and numba hints are not errors here
        weights = DistanceBand(centres, threshold=neighbour_m, binary=True, silence_warnings=True)
        gi = G_Local(
            values.astype(float), weights, transform="B", star=True, permutations=permutations, seed=seed
        )
    z = np.nan_to_num(np.asarray(gi.Zs, dtype=float))
    p = 2 * norm.sf(np.abs(z))
    threshold = fdr_threshold(p, alpha) if fdr else alpha
    significant = p <= threshold
    hotspot = np.where(significant & (z > 0), "hot", np.where(significant & (z < 0), "cold", "ns")).astype(
        object
    )
    p_sim = np.asarray(gi.p_sim, dtype=float) if permutations else np.full(n, np.nan)
    return {"z": z, "p": p, "p_sim": p_sim, "hotspot": hotspot}


def hotspots(
    conn: Conn, settings: HotspotSettings | None = None, *, scope: SpotScope = EVERY_SPOT
) -> gpd.GeoDataFrame:
    """A grid over the district with each cell's count, kernel density, Gi* z-score, p-value and class
    (WGS 84),
    from the spots `scope` admits."""
    settings = settings or HotspotSettings()
    settings.check()
    grid, points, weights = _grid_and_points(conn, settings, scope)
    centres = (
        np.column_stack([grid.geometry.centroid.x, grid.geometry.centroid.y])
        if len(grid)
        else np.empty((0, 2))
    )
    grid["kde"] = np.round(kernel_density(centres, points, weights, settings.bandwidth_m), 4)
    # Queen contiguity on a square grid: the 8 surrounding cells (diagonal ≈ 1.41 cells) plus the cell itself.
    stats = getis_ord(
        grid["count"].to_numpy(),
        centres,
        neighbour_m=settings.cell_m * 1.5,
        permutations=settings.permutations,
        seed=settings.seed,
        alpha=settings.alpha,
        fdr=settings.fdr,
    )
    grid["gi_z"] = np.round(stats["z"], 4)
    grid["gi_p"] = np.round(stats["p"], 6)
    grid["p_sim"] = np.round(stats["p_sim"], 4)
    grid["hotspot"] = stats["hotspot"]
    grid["cell"] = [f"{i}_{j}" for i, j in zip(grid["i"], grid["j"])]
    k = precision_params(scope)["public_min_count"]
    grid["count"] = grid["count"].where((grid["count"] == 0) | (grid["count"] >= k))  # the public's k
    return grid[["cell", "count", "kde", "gi_z", "gi_p", "p_sim", "hotspot", "geometry"]].to_crs(4326)


RESOLUTION_SQL = (
    """
    WITH resolved AS (
        SELECT spot_id, max(at) AS resolved_at FROM spot_event WHERE kind = 'resolved' GROUP BY spot_id
    ), remediation AS (
        SELECT spot_id, min(at) AS started_at FROM spot_transition WHERE to_stage = 3 GROUP BY spot_id
    ), spans AS (
        SELECT s.id, s.category,
               extract(epoch FROM r.resolved_at - s.created_at) / 86400 AS days_to_resolve,
               extract(epoch FROM r.resolved_at - m.started_at) / 86400 AS days_in_remediation
        FROM spot s JOIN resolved r ON r.spot_id = s.id LEFT JOIN remediation m ON m.spot_id = s.id
        WHERE s.status <> 'merged' AND """
    + scope_condition("s")
    + """
    )
    SELECT c.code AS category, c.label_fa, c.label_en,
           count(sp.id) AS resolved,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY sp.days_to_resolve)::numeric, 1)::float8
               AS median_days_to_resolve,
           round(avg(sp.days_to_resolve)::numeric, 1)::float8 AS mean_days_to_resolve,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY sp.days_in_remediation)::numeric, 1)::float8
               AS median_days_in_remediation,
           (SELECT count(*) FROM spot o WHERE o.category = c.code AND o.stage = 3 AND o.status = 'open'
                AND """
    + scope_condition("o")
    + """) AS in_remediation
    FROM category c LEFT JOIN spans sp ON sp.category = c.code
    GROUP BY c.code, c.label_fa, c.label_en, c.sort
    ORDER BY c.sort
"""
)


def remediation_by_category(conn: Conn, *, scope: SpotScope = EVERY_SPOT) -> list[dict]:
    """Per category: spots resolved, median/mean days from first report to resolution and days in stage 3."""
    with conn.cursor() as cur:
        cur.execute(RESOLUTION_SQL, scope.params())
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, row)) for row in cur.fetchall()]
    return _below_k(rows, scope, "resolved", "in_remediation")


def remediation_by_agency(conn: Conn, *, scope: SpotScope = EVERY_SPOT) -> list[dict]:
    """Per agency: actions done and median/mean days from assignment to done; empty until actions are
    recorded."""
    with conn.cursor() as cur:
        cur.execute(
            f"""
            SELECT g.code AS agency, g.name_fa, g.name_en, count(x.id) AS actions,
                   count(x.done_at) AS done,
                   round(percentile_cont(0.5) WITHIN GROUP (
                         ORDER BY extract(epoch FROM x.done_at - x.assigned_at) / 86400)::numeric, 1)::float8
                       AS median_days,
                   round(avg(extract(epoch FROM x.done_at - x.assigned_at) / 86400)::numeric, 1)::float8
                       AS mean_days
            FROM agency g JOIN spot_action x ON x.agency_id = g.id JOIN spot s ON s.id = x.spot_id
            WHERE {scope_condition("s")}
            GROUP BY g.code, g.name_fa, g.name_en ORDER BY g.code
        """,
            scope.params(),
        )
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, row)) for row in cur.fetchall()]
    return _below_k(rows, scope, "actions", "done")


def _below_k(rows: list[dict], scope: SpotScope, count: str, other: str) -> list[dict]:
    """The public's rows with a count below k hidden: `count` with the figures derived from it, `other`
    alone (None, never a guess); staff rows as they are."""
    k = precision_params(scope)["public_min_count"]
    hidden = {count, *(key for key in rows[0] if key.startswith(("median", "mean")))} if rows else set()
    for row in rows:
        if 0 < row[count] < k:
            row.update(dict.fromkeys(hidden))
        if 0 < row[other] < k:
            row[other] = None
    return rows


def audit_change(conn: Conn, *, scope: SpotScope = EVERY_SPOT) -> list[dict]:
    """Resolved spots: mean safety-audit score (0–3) before the fix, of the re-audit after, and the change.

    Before and after are the workflow's own (spot_audit_before/after), so the dashboard and this agree;
    `after` is None where no re-audit is recorded yet, and the change is then None too, never a guess.
    """
    with conn.cursor() as cur:
        cur.execute(
            f"""
            SELECT id, category, area_code,
                   round(before, 2)::float8 AS before, round(after, 2)::float8 AS after,
                   round(round(after, 2) - round(before, 2), 2)::float8 AS change
            FROM (
                SELECT s.id, s.category, a.code AS area_code,
                       safety_audit_mean(spot_audit_before(s.id)) AS before,
                       safety_audit_mean(spot_audit_after(s.id)) AS after
                FROM spot s LEFT JOIN area a ON a.id = s.area_id
                WHERE s.status = 'resolved' AND {scope_condition("s")}
            ) z ORDER BY id
        """,
            scope.params(),
        )
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def audit_change_summary(rows: list[dict]) -> dict:
    """How many resolved spots were re-audited, and the mean change of those that were."""
    changes = [row["change"] for row in rows if row["change"] is not None]
    return {
        "resolved": len(rows),
        "re_audited": len(changes),
        "mean_change": round(float(np.mean(changes)), 2) if changes else None,
        "improved": sum(1 for c in changes if c > 0),
    }


def stage_counts(conn: Conn) -> list[dict]:
    """Spots per stage and status: the programme's progress at a glance."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT st.number AS stage, st.label_fa, st.label_en,
                   count(s.id) FILTER (WHERE s.status = 'open') AS open,
                   count(s.id) FILTER (WHERE s.status = 'resolved') AS resolved,
                   count(s.id) FILTER (WHERE s.status = 'rejected') AS rejected
            FROM stage st LEFT JOIN spot s ON s.stage = st.number
            GROUP BY st.number, st.label_fa, st.label_en ORDER BY st.number
        """)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
