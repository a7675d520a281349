"""OGC API – Features collections: what each one exposes, its extent, and its items built as GeoJSON in
SQL."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timezone

from gis import clock
from gis.db import Conn, batches
from gis.errors import InvalidInput, NotFound
from gis.lang import latin_digits
from gis.places.areas import area_id_by_code
from gis.publish.cql import GEOMETRY, cql2_sql
from gis.publish.exports import AREA_FIELDS as EXPORT_AREA_FIELDS
from gis.publish.fields import REPORT_FIELDS, report_source
from gis.publish.precision import precision_params, public_geom
from gis.spots import (
    EVERY_SPOT,
    SPOT_FIELDS,
    PublicField,
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
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# The CRSs a reader may ask for (OGC API – Features Part 2): CRS84 is stored; EPSG:4326 is the same datum with
# latitude first; EPSG:3857 is the web map's; EPSG:32639 (UTM 39N) is what Tehran's offices draw in.
CRS_SRIDS = {
    CRS84: 4326,
    "http://www.opengis.net/def/crs/EPSG/0/4326": 4326,
    "http://www.opengis.net/def/crs/EPSG/0/3857": 3857,
    "http://www.opengis.net/def/crs/EPSG/0/32639": 32639,
}
LAT_FIRST = "http://www.opengis.net/def/crs/EPSG/0/4326"
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
    fields: tuple[PublicField, ...]  # the public properties: what items show and what one may filter on
    where: str = "true"
    feature_id: str = "t.id"  # a feature's id, and the order items are paged in: its row's key unless said
    order: str = "t.id"
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

# The areas' export columns, under the names OGC readers know (parent_code), and the Latin name beside.
AREA_FIELDS = (
    *(replace(f, name="parent_code") if f.name == "parent" else f for f in EXPORT_AREA_FIELDS),
    PublicField("name_latin", "{t}.name_latin", "str", "نام (لاتین)"),
)


def _area_collection(collection_id: str, level: str, title: str) -> Collection:
    return Collection(
        id=collection_id,
        title=title,
        description=f"{title} of District 22 (level {level}), with population where known",
        source="area t LEFT JOIN area p ON p.id = t.parent_id",
        where=f"t.level = '{level}'",
        feature_id="t.code",
        fields=AREA_FIELDS,
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
    fields=SPOT_FIELDS,
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
            fields=REPORT_FIELDS,
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
    cql: tuple[str, dict[str, object]] | None = None  # a CQL2 filter's SQL condition and its bound values
    sort: tuple[tuple[str, bool], ...] = ()  # (queryable's SQL, descending)
    properties: tuple[str, ...] | None = None  # the properties to answer with (None: all)
    crs: str = CRS84
    bbox_crs: str = CRS84


def queryables(collection: Collection) -> dict:
    """The collection's queryables (Part 3) as JSON Schema: its public fields and its geometry."""
    types = {"int": "integer", "float": "number", "bool": "boolean", "str": "string", "time": "string"}
    properties: dict[str, dict] = {
        f.name: {"title": f.fa, "type": types[f.kind]} | ({"format": "date-time"} if f.kind == "time" else {})
        for f in collection.fields
    }
    properties[GEOMETRY] = {"title": "geometry", "format": f"geometry-{collection.geometry_type.lower()}"}
    if collection.geometry_type == "Geometry":
        properties[GEOMETRY]["format"] = "geometry-any"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": collection.title,
        "properties": properties,
        "additionalProperties": False,
    }


def _columns(collection: Collection) -> dict[str, tuple[str, str]]:
    return {f.name: (f.sql.format(t="t"), f.kind) for f in collection.fields}


def _allowed(collection: Collection) -> str:
    return ", ".join(f.name for f in collection.fields)


def _names(collection: Collection, name: str, text: str, signs: str = "") -> list[str]:
    """Comma-separated property names (each may start with one of `signs`), each one of the collection's
    (else a 400 naming them)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = {f.name for f in collection.fields}
    for found in names:
        if (found[1:] if found[:1] in signs else found) not in known:
            raise InvalidInput(name, "filter_unknown_property", name=found, allowed=_allowed(collection))
    return names


def parse_crs(name: str, text: str | None) -> str:
    """One of the supported CRS URIs (CRS84 when absent)."""
    if not text:
        return CRS84
    uri = text.strip().strip("[]<>")
    if uri not in CRS_SRIDS:
        raise InvalidInput(name, "crs_not_supported", crs=text, supported=", ".join(CRS_SRIDS))
    return uri


def _bbox(text: str | None, crs: str) -> list[float] | None:
    """The bbox in its CRS's axis order, returned x-first (longitude or easting first)."""
    if not text or crs == CRS84:
        return parse_bbox(text)
    try:
        values = [float(v) for v in latin_digits(text).split(",")]
    except ValueError:
        values = []
    if crs == LAT_FIRST and len(values) == 4:
        return parse_bbox(",".join(str(values[i]) for i in (1, 0, 3, 2)))
    if len(values) != 4 or values[0] > values[2] or values[1] > values[3]:
        raise InvalidInput("bbox", "four_numbers_minlon_minlat_maxlon")
    return values


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
    return clock.local(value)


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


# The query parameters of an items request besides `f` (the format, the route's) and the collection's own
# filters, by their OGC names: parse_items_query reads each.
ITEM_PARAMETERS = (
    "bbox",
    "datetime",
    "limit",
    "offset",
    "filter",
    "filter-lang",
    "sortby",
    "properties",
    "crs",
    "bbox-crs",
)


def parse_items_query(
    conn: Conn, collection: Collection, params: Mapping[str, str], *, scope: SpotScope = EVERY_SPOT
) -> ItemsQuery:
    """Check every parameter of an items request, `params` by their OGC names (ITEM_PARAMETERS and the
    collection's filters): a typo is an error naming the field, never an empty answer.

    A limit above the maximum is lowered to it, as OGC API – Features permits. A CQL2 filter, sortby and
    properties may name only the collection's public fields; the reader's scope still applies (see _where).
    """
    start, end = parse_datetime(params.get("datetime"))
    if params.get("filter-lang") not in (None, "cql2-text"):
        raise InvalidInput("filter-lang", "filter_not_cql2", allowed=_allowed(collection))
    columns = _columns(collection)
    box_crs = parse_crs("bbox-crs", params.get("bbox-crs"))
    cql, properties = params.get("filter"), params.get("properties")
    query = ItemsQuery(
        bbox=_bbox(params.get("bbox"), box_crs),
        bbox_crs=box_crs,
        crs=parse_crs("crs", params.get("crs")),
        cql=cql2_sql(cql, columns, collection.geom) if cql else None,
        sort=tuple(
            (columns[n[1:] if n[:1] in "+-" else n][0], n.startswith("-"))
            for n in _names(collection, "sortby", params.get("sortby") or "", "+-")
        ),
        properties=tuple(_names(collection, "properties", properties)) if properties is not None else None,
        start=start,
        end=end,
        limit=min(_count("limit", params.get("limit"), DEFAULT_LIMIT, 1), MAX_LIMIT),
        offset=_count("offset", params.get("offset"), 0, 0),
        scope=scope,
    )
    for name in (f.name for f in collection.filters):
        text = params.get(name)
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
        envelope = (
            "ST_Transform(ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, %(bbox_srid)s), 4326)"
        )
        conditions.append(f"{collection.geom} && {envelope} AND ST_Intersects({collection.geom}, {envelope})")
        params.update(zip(("minx", "miny", "maxx", "maxy"), query.bbox), bbox_srid=CRS_SRIDS[query.bbox_crs])
    if (
        query.cql is not None
    ):  # ANDed with the scope above: a filter never reaches a row the reader may not see
        conditions.append(query.cql[0])
        params.update(query.cql[1])
    if collection.datetime_column and query.start is not None:
        conditions.append(f"{collection.datetime_column} >= %(start)s")
        params["start"] = query.start
    if collection.datetime_column and query.end is not None:
        conditions.append(f"{collection.datetime_column} <= %(end)s")
        params["end"] = query.end
    return " AND ".join(f"({c})" for c in conditions), params


def _feature_sql(collection: Collection, query: ItemsQuery) -> str:
    """A Feature in the asked CRS (EPSG:4326 latitude first), with the asked properties."""
    geom = collection.geom
    if query.crs != CRS84:
        geom = f"ST_Transform({geom}, {CRS_SRIDS[query.crs]})"
    if query.crs == LAT_FIRST:
        geom = f"ST_FlipCoordinates({geom})"
    digits = 6 if CRS_SRIDS[query.crs] == 4326 else 2
    properties = properties_sql(collection.fields, "t", query.properties)
    return (
        f"json_build_object('type', 'Feature', 'id', {collection.feature_id},"
        f" 'geometry', ST_AsGeoJSON({geom}, {digits})::json, 'properties', {properties})::text"
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
    order = ", ".join(
        [*(f"{sql} {'DESC' if desc else 'ASC'} NULLS LAST" for sql, desc in query.sort), collection.order]
    )
    select = (
        f"SELECT {_feature_sql(collection, query)} FROM {collection.source} WHERE {where}"
        f" ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
    )
    for rows in batches(conn, f"ogc_{collection.id.replace('-', '_')}", select, params, batch):
        for (feature,) in rows:
            yield feature


def get_item(
    conn: Conn, collection: Collection, feature_id: str, *, scope: SpotScope = EVERY_SPOT, crs: str = CRS84
) -> str:
    """One feature as GeoJSON text; NotFound when it is not in the collection."""
    id_value: object = feature_id
    if collection.feature_id == "t.id":
        digits = latin_digits(feature_id)
        if not (digits.isascii() and digits.isdigit()) or int(digits) > MAX_COUNT:
            raise NotFound(
                "no_such_feature", feature_id=feature_id, collection_id=collection.id, field="featureId"
            )
        id_value = int(latin_digits(feature_id))
    query = ItemsQuery(scope=scope, crs=crs)
    where, params = _where(collection, query)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {_feature_sql(collection, query)} FROM {collection.source}"
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
    result: dict = {"spatial": {"bbox": [bbox], "crs": CRS84}}
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
