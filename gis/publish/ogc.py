"""OGC API – Features collections: what each one exposes, its extent, and its items built as GeoJSON in
SQL."""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timezone

from gis import clock
from gis.db import Conn
from gis.errors import InvalidInput, NotFound
from gis.lang import latin_digits
from gis.places.areas import area_id_by_code
from gis.publish.fields import REPORT_FIELDS, report_source
from gis.publish.precision import precision_params, public_geom
from gis.spots import (
    EVERY_SPOT,
    SPOT_FIELDS,
    SpotScope,
    check_categories,
    parse_bbox,
    parse_stages,
    properties_sql,
    scope_condition,
    spot_source,
)

MAX_LIMIT = 10_000
MAX_COUNT = 2**62
DEFAULT_LIMIT = 10
AREA_IN = "EXISTS (SELECT 1 FROM area f WHERE f.id = %(area)s AND ST_Intersects(f.geom, {geom}))"


@dataclass(frozen=True)
class Filter:
    """A property filter: its query parameter, what it means, and the SQL condition it binds."""

    name: str
    description: str
    condition: str
    example: str


@dataclass(frozen=True)
class Collection:
    """One feature collection: where its rows come from and which fields it shows (never personal data)."""

    id: str
    title: str
    description: str
    source: str
    where: str
    feature_id: str
    properties: str
    order: str
    datetime_column: str | None = None
    filters: tuple[Filter, ...] = field(default_factory=tuple)
    private: bool = False
    spot_alias: str | None = None  # the spot whose SpotScope decides whether a reader sees the feature
    geom: str = "t.geom"  # the geometry as the reader may see it (spots and reports: the public precision)
    geometry_type: str = "Geometry"  # what QGIS loads as one layer: Point, LineString, Polygon or mixed


STAGE = Filter("stage", "stages, comma-separated (1–4)", "t.stage = ANY(%(stage)s)", "3,4")
CATEGORY = Filter(
    "category", "category codes, comma-separated", "t.category = ANY(%(category)s)", "poor_lighting"
)
AREA = Filter(
    "area", "code of an area (district, sub-district or neighbourhood) the feature lies in", AREA_IN, "2209"
)

AREA_PROPERTIES = """json_build_object(
    'code', t.code, 'level', t.level, 'name_fa', t.name_fa, 'name_en', t.name_en, 'name_latin', t.name_latin,
    'parent_code', p.code, 'population', t.population,
    'area_km2', round((ST_Area(t.geom::geography) / 1e6)::numeric, 3))"""


def _area_collection(collection_id: str, level: str, title: str) -> Collection:
    return Collection(
        id=collection_id,
        title=title,
        description=f"{title} of District 22 (level {level}), with population where known",
        source="area t LEFT JOIN area p ON p.id = t.parent_id",
        where=f"t.level = '{level}'",
        feature_id="t.code",
        properties=AREA_PROPERTIES,
        order="t.code",
        filters=(
            Filter(
                "area", "code of the area itself or of its parent", "%(area)s IN (t.id, t.parent_id)", "22"
            ),
        ),
    )


SPOTS = Collection(
    id="spots",
    title="Unsafe spots (فضاهای بی‌دفاع)",
    description="Aggregated unsafe places with their programme stage, category and priority: points, lines"
    " and areas together (a GIS desktop loads one geometry type a layer: see spot-points, -lines, -areas)",
    source=spot_source("t"),
    where="t.status <> 'merged'",
    feature_id="t.id",
    properties=properties_sql(SPOT_FIELDS, "t"),
    order="t.id",
    datetime_column="t.created_at",
    filters=(STAGE, CATEGORY, AREA),
    spot_alias="t",
    geom=public_geom("t"),
)
# One layer a geometry type, as QGIS loads them: a dark street is a line, a park an area.
GEOMETRY_TYPES = {
    "Point": ("spot-points", "points", "('POINT', 'MULTIPOINT')"),
    "LineString": ("spot-lines", "lines: dark streets, paths", "('LINESTRING', 'MULTILINESTRING')"),
    "Polygon": ("spot-areas", "areas: parks, vacant lots", "('POLYGON', 'MULTIPOLYGON')"),
}


def _typed_spots(geometry_type: str) -> Collection:
    collection_id, what, types = GEOMETRY_TYPES[geometry_type]
    return replace(
        SPOTS,
        id=collection_id,
        title=f"Unsafe spots: {what}",
        description=f"The unsafe spots whose geometry is a {geometry_type} ({what})",
        where=f"{SPOTS.where} AND GeometryType(t.geom) IN {types}",
        geometry_type=geometry_type,
    )


COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        SPOTS,
        *(_typed_spots(geometry_type) for geometry_type in GEOMETRY_TYPES),
        Collection(
            id="reports",
            title="Reports (گزارش‌ها)",
            description="Individual sightings from every source; reporters' contact data is never included",
            source=report_source("t"),
            where="true",
            feature_id="t.id",
            properties=properties_sql(REPORT_FIELDS, "t"),
            order="t.id",
            datetime_column="t.reported_at",
            filters=(
                Filter(
                    "stage", "stages of the report's spot, comma-separated", "sp.stage = ANY(%(stage)s)", "1"
                ),
                CATEGORY,
                AREA,
            ),
            private=True,
            spot_alias="sp",
            geom=public_geom("t", category="sp.category"),
        ),
        _area_collection("neighbourhoods", "neighbourhood", "Neighbourhoods (محله‌ها)"),
        _area_collection("sub-districts", "sub_district", "Sub-districts (ناحیه‌ها)"),
    )
}


@dataclass
class ItemsQuery:
    """A parsed items request: every value checked, ready to bind."""

    bbox: list[float] | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    filters: dict[str, object] = field(default_factory=dict)
    scope: SpotScope = EVERY_SPOT


def get_collection(collection_id: str) -> Collection:
    """The collection with this id; NotFound names it."""
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise NotFound(
            "no_such_collection",
            collection_id=collection_id,
            collections=", ".join(COLLECTIONS),
            field="collectionId",
        ) from None


# The far dates QGIS's temporal filter and GDAL send for an open start or end (0000-01-01T00:00:00Z, 9999-…).
OPEN_YEARS = ("0000", "0001", "9999")


def _instant(text: str, *, end: bool) -> datetime | None:
    """A day is the programme's day (Tehran's), as on the map; a time with no offset is local there."""
    text = text.strip()
    if text in ("", "..") or text[:4] in OPEN_YEARS:
        return None
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time.max if end else time.min, tzinfo=clock.zone())
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("datetime", "rfc_date_time_date", text=text) from None
    return value if value.tzinfo else value.replace(tzinfo=clock.zone())


def parse_datetime(text: str | None) -> tuple[datetime | None, datetime | None]:
    """An instant, a date (the whole day) or an interval 'start/end' with '..', '' or a far date (what QGIS
    and GDAL send) for an open end; far dates at both ends are no filter at all."""
    if not text:
        return None, None
    text = latin_digits(text)
    if "/" in text:
        first, _, second = text.partition("/")
        start, end = _instant(first, end=False), _instant(second, end=True)
        if start is None and end is None and not {first.strip()[:4], second.strip()[:4]} & set(OPEN_YEARS):
            raise InvalidInput("datetime", "interval_needs_at_least_one")
        if start and end and start > end:
            raise InvalidInput("datetime", "interval_s_start_after_end")
        return start, end
    if len(text.strip()) == 10:
        return _instant(text, end=False), _instant(text, end=True)
    instant = _instant(text, end=False)
    return instant, instant


def _count(name: str, text: str | None, default: int, minimum: int) -> int:
    if text is None or text == "":
        return default
    text = latin_digits(text).strip()
    # ASCII digits only ("²" is a digit to Python, not to int()); capped so it fits the database's bigint.
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= MAX_COUNT:
        raise InvalidInput(name, "whole_number_from", minimum=minimum, max_count=MAX_COUNT)
    return int(text)


def parse_items_query(
    conn: Conn,
    collection: Collection,
    *,
    bbox: str | None = None,
    datetime_text: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
    filters: dict[str, str] | None = None,
    scope: SpotScope = EVERY_SPOT,
) -> ItemsQuery:
    """Check every parameter (a typo is an error naming the field, never an empty answer).

    A limit above the maximum is lowered to it, as OGC API – Features permits.
    """
    start, end = parse_datetime(datetime_text)
    query = ItemsQuery(
        bbox=parse_bbox(bbox),
        start=start,
        end=end,
        limit=min(_count("limit", limit, DEFAULT_LIMIT, 1), MAX_LIMIT),
        offset=_count("offset", offset, 0, 0),
        scope=scope,
    )
    known = {f.name for f in collection.filters}
    for name, text in (filters or {}).items():
        if name not in known:
            raise InvalidInput(
                name, "unknown_filter", collection_id=collection.id, filters=", ".join(sorted(known))
            )
        if not text:
            continue
        if name == "stage":
            query.filters[name] = parse_stages(text)
        elif name == "category":
            categories = [c.strip() for c in text.split(",") if c.strip()]
            check_categories(conn, categories)
            query.filters[name] = categories
        elif name == "area":
            query.filters[name] = area_id_by_code(conn, latin_digits(text).strip())
    return query


def _where(collection: Collection, query: ItemsQuery) -> tuple[str, dict]:
    conditions = [collection.where]
    params: dict[str, object] = dict(query.filters)
    for item in collection.filters:
        if item.name in query.filters:
            conditions.append(item.condition.format(geom=collection.geom))
    if collection.spot_alias is not None:
        conditions.append(f"{scope_condition(collection.spot_alias)} AND {collection.geom} IS NOT NULL")
        params.update(precision_params(query.scope))
    if query.bbox is not None:
        envelope = "ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, 4326)"
        conditions.append(f"{collection.geom} && {envelope} AND ST_Intersects({collection.geom}, {envelope})")
        params.update(zip(("minx", "miny", "maxx", "maxy"), query.bbox))
    if collection.datetime_column and query.start is not None:
        conditions.append(f"{collection.datetime_column} >= %(start)s")
        params["start"] = query.start
    if collection.datetime_column and query.end is not None:
        conditions.append(f"{collection.datetime_column} <= %(end)s")
        params["end"] = query.end
    return " AND ".join(f"({c})" for c in conditions), params


def _feature_sql(collection: Collection) -> str:
    return (
        f"json_build_object('type', 'Feature', 'id', {collection.feature_id},"
        f" 'geometry', ST_AsGeoJSON({collection.geom}, 6)::json, 'properties', {collection.properties})::text"
    )


def count_items(conn: Conn, collection: Collection, query: ItemsQuery) -> int:
    """numberMatched: how many features the filters select, before paging."""
    where, params = _where(collection, query)
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {collection.source} WHERE {where}", params)
        return cur.fetchone()[0]


def iter_items(conn: Conn, collection: Collection, query: ItemsQuery, *, batch: int = 500) -> Iterator[str]:
    """One page of features, each a GeoJSON Feature as text, read through a server-side cursor."""
    where, params = _where(collection, query)
    params.update(limit=query.limit, offset=query.offset)
    with conn.cursor(name=f"ogc_{collection.id.replace('-', '_')}") as cur:
        cur.itersize = batch
        cur.execute(
            f"SELECT {_feature_sql(collection)} FROM {collection.source} WHERE {where}"
            f" ORDER BY {collection.order} LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        for (feature,) in cur:
            yield feature


def get_item(conn: Conn, collection: Collection, feature_id: str, *, scope: SpotScope = EVERY_SPOT) -> str:
    """One feature as GeoJSON text; NotFound when it is not in the collection."""
    id_value: object = feature_id
    if collection.feature_id == "t.id":
        digits = latin_digits(feature_id)
        if not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_COUNT:
            raise NotFound(
                "no_such_feature", feature_id=feature_id, collection_id=collection.id, field="featureId"
            )
        id_value = int(latin_digits(feature_id))
    where, params = _where(collection, ItemsQuery(scope=scope))
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {_feature_sql(collection)} FROM {collection.source}"
            f" WHERE {where} AND {collection.feature_id} = %(id)s",
            {**params, "id": id_value},
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound(
            "no_such_feature", feature_id=feature_id, collection_id=collection.id, field="featureId"
        )
    return row[0]


def extent(conn: Conn, collection: Collection, *, scope: SpotScope = EVERY_SPOT) -> dict:
    """The collection's spatial (CRS84 bbox) and temporal extent, from the features the reader may see,
    placed as the reader sees them (so the public's extent never shows an unverified spot's coordinate)."""
    where, params = collection.where, {}
    if collection.spot_alias is not None:
        where = f"{where} AND {scope_condition(collection.spot_alias)}"
        params = precision_params(scope)
    temporal = (
        f"min({collection.datetime_column}), max({collection.datetime_column})"
        if collection.datetime_column
        else "NULL::timestamptz, NULL::timestamptz"
    )
    with conn.cursor() as cur:
        # An empty collection (no sub-districts loaded yet) takes the extent of all areas.
        cur.execute(
            f"""
            SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), first, last
            FROM (SELECT coalesce(ST_Extent({collection.geom}), (SELECT ST_Extent(geom) FROM area)),
                         {temporal}
                  FROM {collection.source} WHERE {where}) AS x(e, first, last)
        """,
            params or None,
        )
        minx, miny, maxx, maxy, first, last = cur.fetchone()
    bbox = [minx, miny, maxx, maxy] if minx is not None else [-180.0, -90.0, 180.0, 90.0]
    result: dict = {"spatial": {"bbox": [bbox], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}
    if collection.datetime_column:
        result["temporal"] = {
            "interval": [[_iso(first), _iso(last)]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return result


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if value else None


def timestamp() -> str:
    """The response's timeStamp, RFC 3339 in UTC."""
    return _iso(clock.now()) or ""


def next_offset(query: ItemsQuery, matched: int) -> int | None:
    """Where the next page starts, or None on the last page."""
    following = query.offset + query.limit
    return following if following < matched else None


def previous_offset(query: ItemsQuery) -> int | None:
    """Where the previous page starts, or None on the first page."""
    return max(0, query.offset - query.limit) if query.offset > 0 else None
