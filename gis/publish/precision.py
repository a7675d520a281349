"""How precisely the public sees where a place is: the one SQL expression every public route reads.

An exact point of an unsafe place helps whoever seeks such places as much as whoever avoids them. So the
public sees, per category: the exact geometry (fixed public infrastructure, in plain sight anyway), a point
snapped to a grid of `public_grid_m` metres, or only the neighbourhood's point (places where people gather).
Staff (a SpotScope with `exact`) keep the true geometry; counts of reports below `public_min_count` never
reach a public aggregate.
"""

from typing import Literal

from gis.access import SpotScope
from gis.settings import Settings, get_settings
from gis.vocabulary import CATEGORY_ALIASES

Precision = Literal["exact", "grid", "neighbourhood"]
# UTM zone 39N: grid cells in true metres over Tehran.
METRIC_SRID = 32639


def category_precision(settings: Settings | None = None) -> dict[str, Precision]:
    """Every category's public precision: the two setting lists, every other category on the grid."""
    settings = settings or get_settings()
    chosen: dict[str, Precision] = dict.fromkeys(CATEGORY_ALIASES, "grid")
    for precision, text in (
        ("exact", settings.public_exact_categories),
        ("neighbourhood", settings.public_neighbourhood_categories),
    ):
        for code in (c.strip() for c in text.split(",") if c.strip()):
            chosen[code] = precision  # type: ignore[assignment]  # codes checked by Settings
    return chosen


def precision_params(scope: SpotScope) -> dict:
    """The parameters `public_geom` binds: the scope's and the precision settings (read per call)."""
    settings = get_settings()
    chosen = category_precision(settings)
    return {
        **scope.params(),
        "precision_exact": [c for c, p in chosen.items() if p == "exact"],
        "precision_area": [c for c, p in chosen.items() if p == "neighbourhood"],
        "precision_grid_m": float(settings.public_grid_m),
        "public_min_count": 1 if scope.exact else settings.public_min_count,
    }


def public_geom(alias: str = "s", *, category: str | None = None, area_id: str | None = None) -> str:
    """SQL: the geometry under `alias` as the reader may see it; staff get it untouched.

    `category` and `area_id` default to the alias's own columns (a report may pass its spot's category).
    Grid: the cell centre of the point on surface, in metres. Neighbourhood: the neighbourhood's point on
    surface, or nothing when the place lies in none. Bind `precision_params(scope)`.
    """
    category = category or f"{alias}.category"
    area_id = area_id or f"{alias}.area_id"
    half = "%(precision_grid_m)s::float8 / 2"
    return f"""(CASE WHEN %(scope_exact)s OR {category} = ANY(%(precision_exact)s::text[]) THEN {alias}.geom
        WHEN {category} = ANY(%(precision_area)s::text[]) THEN (
            SELECT ST_PointOnSurface(n.geom) FROM area n WHERE n.id = {area_id} AND n.level = 'neighbourhood')
        ELSE ST_Transform(ST_SnapToGrid(ST_Transform(ST_PointOnSurface({alias}.geom), {METRIC_SRID}),
            {half}, {half}, %(precision_grid_m)s::float8, %(precision_grid_m)s::float8), 4326) END)"""


def suppressed(expr: str) -> str:
    """SQL: a count shown only when it is 0 or at least k to the reader (staff: k = 1, always shown); a small
    count in a public aggregate could name the one person or place behind it. Bind `precision_params`."""
    return f"(CASE WHEN {expr} > 0 AND {expr} < %(public_min_count)s THEN NULL ELSE {expr} END)"


def grid_margin_degrees(settings: Settings | None = None) -> float:
    """How far, generously in degrees, a public grid point may lie from its true place: a viewport widened
    by it finds, through the spatial index, every spot whose public point lies inside."""
    return 2 * (settings or get_settings()).public_grid_m / 80_000
