"""Spots: the aggregated unsafe places, their filters and their GeoJSON (built in PostGIS)."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from psycopg2 import sql

from gis import clock
from gis.access import EVERY_SPOT, SpotScope
from gis.db import Conn
from gis.errors import InvalidInput, NotFound
from gis.lang import latin_digits
from gis.places.areas import area_id_by_code
from gis.programme.safety import spot_scores
from gis.publish.precision import precision_params, public_geom
from gis.users import User
from gis.vocabulary import TIMES_OF_DAY

MAX_LIMIT = 10_000


@dataclass(frozen=True)
class PublicField:
    """One public property of a spot or report, so the API, OGC, tiles and exports show the same set."""

    name: str
    sql: str  # over the row's alias {t} and the joined category c, stage st, area a (and spot sp for reports)
    kind: str  # int, float, bool, str or time
    fa: str  # the Persian header of exports
    short: str = ""  # the export's name where `name` is longer than Shapefile's 10 characters

    @property
    def export_name(self) -> str:
        """The column name in every export format (at most 10 characters)."""
        return self.short or self.name


# What a spot and a report both show, defined once: the row's id, its category (code and Persian label, from
# the joined category c) and its neighbourhood's code (from the joined area a).
ID_FIELD = PublicField("id", "{t}.id", "int", "شناسه")
CATEGORY_FIELDS = (
    PublicField("category", "{t}.category", "str", "کد دسته"),
    PublicField("category_fa", "c.label_fa", "str", "دسته", "cat_fa"),
)
AREA_CODE_FIELD = PublicField("area_code", "a.code", "str", "کد محله")

# The public face of a spot: no reporter data, ever. Adding or hiding a field here changes every reader.
SPOT_FIELDS: tuple[PublicField, ...] = (
    ID_FIELD,
    PublicField("title", "{t}.title", "str", "عنوان"),
    *CATEGORY_FIELDS,
    PublicField("category_en", "c.label_en", "str", "دسته (انگلیسی)", "cat_en"),
    PublicField("stage", "{t}.stage", "int", "مرحله"),
    PublicField("stage_fa", "st.label_fa", "str", "نام مرحله"),
    PublicField("stage_en", "st.label_en", "str", "نام مرحله (انگلیسی)"),
    PublicField("status", "{t}.status", "str", "وضعیت"),
    PublicField("priority", "{t}.priority::float8", "float", "اولویت"),
    PublicField("report_count", "{t}.report_count", "int", "تعداد گزارش", "reports"),
    PublicField("source_count", "{t}.source_count", "int", "تعداد منبع", "sources"),
    AREA_CODE_FIELD,
    PublicField("area_fa", "a.name_fa", "str", "محله"),
    PublicField("area_en", "a.name_en", "str", "محله (انگلیسی)"),
    PublicField("location_precision", "{t}.location_precision", "str", "دقت مکان", "precision"),
    PublicField("version", "{t}.version", "int", "نسخه"),
    PublicField("created_at", "{t}.created_at", "time", "ثبت", "created"),
    PublicField("updated_at", "{t}.updated_at", "time", "به‌روزرسانی", "updated"),
)


def spot_source(alias: str = "s") -> str:
    """The spot under `alias` joined to the tables its public fields read (category c, stage st, area a)."""
    return (
        f"spot {alias} JOIN category c ON c.code = {alias}.category"
        f" JOIN stage st ON st.number = {alias}.stage LEFT JOIN area a ON a.id = {alias}.area_id"
    )


def field_sql(fields: tuple[PublicField, ...], alias: str, names: tuple[str, ...] | None = None) -> list[str]:
    """`sql AS name` of each field (or of the named ones, in that order), for a SELECT list."""
    return [f"{f.sql.format(t=alias)} AS {f.name}" for f in _chosen(fields, names)]


def properties_sql(
    fields: tuple[PublicField, ...], alias: str, names: tuple[str, ...] | None = None, extra: str = ""
) -> str:
    """A json_build_object of the fields (or the named ones), with `extra` key/value pairs appended."""
    pairs = [f"'{f.name}', {f.sql.format(t=alias)}" for f in _chosen(fields, names)]
    return f"json_build_object({', '.join(pairs + ([extra] if extra else []))})"


def _chosen(fields: tuple[PublicField, ...], names: tuple[str, ...] | None) -> list[PublicField]:
    by_name = {f.name: f for f in fields}
    return list(fields) if names is None else [by_name[name] for name in names]


SPOT_PROPERTIES = properties_sql(SPOT_FIELDS, "s")
SPOTS_FROM = f"FROM {spot_source('s')}"
# Where the reader may see the spot under `s`: exact for staff, at the public precision for everyone else.
PUBLIC_GEOM = public_geom("s")


def scope_condition(alias: str) -> str:
    """The SQL condition binding SpotScope.params() for the spot table under `alias`: the public (no exact
    scope) never sees a spot known only by its address or neighbourhood, whatever its stage."""
    return f"""
        {alias}.stage >= %(scope_stage)s
        AND (%(scope_exact)s OR {alias}.location_precision IN ('exact', 'placed'))
        AND (%(scope_areas)s::int[] IS NULL OR {alias}.area_id = ANY(%(scope_areas)s))
        AND (%(scope_agency)s::int IS NULL OR EXISTS (
              SELECT 1 FROM spot_action x WHERE x.spot_id = {alias}.id AND x.agency_id = %(scope_agency)s))"""


SPOTS_WHERE = (
    """
    WHERE s.status <> 'merged' AND """
    + scope_condition("s")
    + " AND "
    + PUBLIC_GEOM
    + """ IS NOT NULL
      AND (%(stages)s::smallint[] IS NULL OR s.stage = ANY(%(stages)s))
      AND (%(categories)s::text[] IS NULL OR s.category = ANY(%(categories)s))
      AND (%(status)s::text IS NULL OR s.status = %(status)s)
      AND (%(area)s::int IS NULL OR EXISTS (
            SELECT 1 FROM area f WHERE f.id = %(area)s AND ST_Intersects(f.geom, """
    + PUBLIC_GEOM
    + """)))
      AND (%(bbox)s::float8[] IS NULL OR """
    + PUBLIC_GEOM
    + """ && ST_MakeEnvelope(
            (%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
            (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], 4326))
      AND ((%(sources)s::text[] IS NULL AND %(since)s::date IS NULL AND %(until)s::date IS NULL
            AND %(times)s::text[] IS NULL) OR EXISTS (
            SELECT 1 FROM report r WHERE r.spot_id = s.id
              AND (%(sources)s::text[] IS NULL OR r.source = ANY(%(sources)s))
              AND (%(times)s::text[] IS NULL OR r.time_of_day = ANY(%(times)s))
              AND (%(since)s::date IS NULL
                   OR r.reported_at >= (%(since)s::date::timestamp AT TIME ZONE %(tz)s))
              AND (%(until)s::date IS NULL
                   OR r.reported_at < ((%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s))))
"""
)


@dataclass
class SpotFilter:
    """What a reader asks for; `parse_*` functions turn query strings into these fields."""

    stages: list[int] | None = None
    categories: list[str] | None = None
    status: str | None = None
    area: str | None = None
    bbox: list[float] | None = None
    sources: list[str] | None = None
    since: date | None = None
    until: date | None = None
    times_of_day: list[str] | None = None
    limit: int = 1000
    offset: int = 0
    scope: SpotScope = EVERY_SPOT


def parse_stages(text: str | None) -> list[int] | None:
    """'1,2' → [1, 2]; any value outside 1–4 is an error naming `stage`."""
    if not text:
        return None
    stages = []
    for part in latin_digits(text).split(","):
        if not (part.strip().isascii() and part.strip().isdigit()) or not 1 <= int(part) <= 4:
            raise InvalidInput("stage", "not_a_stage", value=part.strip())
        stages.append(int(part))
    return stages


def parse_bbox(text: str | None) -> list[float] | None:
    """'minlon,minlat,maxlon,maxlat' in WGS 84 degrees."""
    if not text:
        return None
    try:
        values = [float(v) for v in latin_digits(text).split(",")]
    except ValueError as exc:
        raise InvalidInput("bbox", "four_numbers_minlon_minlat_maxlon") from exc
    if len(values) != 4:
        raise InvalidInput("bbox", "four_numbers_minlon_minlat_maxlon")
    minx, miny, maxx, maxy = values
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput("bbox", "minlon_minlat_maxlon_maxlat_with")
    return values


def parse_list(text: str | None) -> list[str] | None:
    """'a, b' → ['a', 'b']; empty → None (no filter)."""
    values = [v.strip() for v in text.split(",") if v.strip()] if text else []
    return values or None


def _check_known(conn: Conn, table: str, field: str, codes: list[str] | None) -> None:
    if not codes:
        return
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT code FROM {} WHERE code = ANY(%s)").format(sql.Identifier(table)), (codes,)
        )
        known = {row[0] for row in cur.fetchall()}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(field, "unknown_codes", what=field, unknown=", ".join(unknown))


def check_categories(conn: Conn, categories: list[str] | None) -> None:
    """Unknown categories are named in the error, so a typo never silently returns nothing."""
    _check_known(conn, "category", "category", categories)


def check_sources(conn: Conn, sources: list[str] | None) -> None:
    """Unknown sources are named in the error, as categories are."""
    _check_known(conn, "source", "source", sources)


def filter_params(conn: Conn, spot_filter: SpotFilter) -> dict:
    """The filter checked and turned into the query parameters SPOTS_WHERE binds."""
    check_categories(conn, spot_filter.categories)
    if spot_filter.status is not None and spot_filter.status not in ("open", "resolved", "rejected"):
        raise InvalidInput("status", "open_resolved_rejected")
    if not 1 <= spot_filter.limit <= MAX_LIMIT:
        raise InvalidInput("limit", "limit_between", max_limit=MAX_LIMIT)
    if spot_filter.offset < 0:
        raise InvalidInput("offset", "zero_or_more")
    check_sources(conn, spot_filter.sources)
    unknown_times = [t for t in spot_filter.times_of_day or () if t not in TIMES_OF_DAY]
    if unknown_times:
        raise InvalidInput(
            "time_of_day", "unknown_time_day_day_evening", unknown_times=", ".join(unknown_times)
        )
    if spot_filter.since and spot_filter.until and spot_filter.since > spot_filter.until:
        raise InvalidInput("until", "period_reversed")
    return {
        "stages": spot_filter.stages,
        "categories": spot_filter.categories,
        "status": spot_filter.status,
        "area": area_id_by_code(conn, spot_filter.area) if spot_filter.area else None,
        "bbox": spot_filter.bbox,
        "limit": spot_filter.limit,
        "offset": spot_filter.offset,
        "sources": spot_filter.sources,
        "since": spot_filter.since,
        "until": spot_filter.until,
        "times": spot_filter.times_of_day,
        "tz": clock.zone_name(),
        **precision_params(spot_filter.scope),
    }


def spots_geojson(conn: Conn, spot_filter: SpotFilter) -> str:
    """A page of spots as a GeoJSON FeatureCollection with numberMatched/numberReturned, as text."""
    params = filter_params(conn, spot_filter)
    query = f"""
        WITH page AS (
            SELECT json_build_object('type', 'Feature', 'id', s.id,
                       'geometry', ST_AsGeoJSON({PUBLIC_GEOM}, 6)::json,
                       'properties', {SPOT_PROPERTIES}) AS feature
            {SPOTS_FROM} {SPOTS_WHERE}
            ORDER BY s.priority DESC, s.id
            LIMIT %(limit)s OFFSET %(offset)s
        )
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'numberMatched', (SELECT count(*) {SPOTS_FROM} {SPOTS_WHERE}),
            'numberReturned', (SELECT count(*) FROM page),
            'features', coalesce((SELECT json_agg(feature) FROM page), '[]'::json))::text
    """
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


# What of a spot's history the public reads: its stage moves, its creation and closing, with their dates, and
# the notes a writer marked public. Every other note, payload (visits, audits, photos, actions, agencies) and
# event stays with the staff.
PUBLIC_EVENT = "(e.payload ? 'to_stage' OR e.kind IN ('created', 'resolved') OR e.visibility = 'public')"
PUBLIC_PAYLOAD = (
    "jsonb_strip_nulls(jsonb_build_object('from_stage', e.payload -> 'from_stage',"
    " 'to_stage', e.payload -> 'to_stage'))"
)


def spot_feature(conn: Conn, spot_id: int, *, scope: SpotScope = EVERY_SPOT) -> str:
    """One spot as a GeoJSON Feature with its history of events, as text; outside the scope it does not
    exist. Staff read the whole history; the public its stage moves, dates and public notes."""
    query = f"""
        SELECT json_build_object('type', 'Feature', 'id', s.id,
                   'geometry', ST_AsGeoJSON({PUBLIC_GEOM}, 6)::json,
                   'properties', {SPOT_PROPERTIES}::jsonb || jsonb_build_object(
                       'sources', (SELECT coalesce(json_agg(DISTINCT r.source), '[]') FROM report r
                                   WHERE r.spot_id = s.id),
                       'events', (SELECT coalesce(json_agg(json_build_object(
                                      'id', e.id, 'kind', e.kind, 'at', e.at,
                                      'actor', CASE WHEN %(names)s THEN e.actor_name END,
                                      'note', CASE WHEN %(staff)s OR e.visibility = 'public' THEN e.note
                                                   ELSE '' END,
                                      'visibility', e.visibility,
                                      'payload', CASE WHEN %(staff)s THEN e.payload ELSE {PUBLIC_PAYLOAD} END)
                                      ORDER BY e.at, e.id), '[]')
                                  FROM spot_event e WHERE e.spot_id = s.id
                                    AND (%(staff)s OR {PUBLIC_EVENT}))))::text
        {SPOTS_FROM}
        WHERE s.id = %(id)s AND {scope_condition("s")}
    """
    with conn.cursor() as cur:
        cur.execute(
            query, {"id": spot_id, "names": scope.names, "staff": scope.staff, **precision_params(scope)}
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound("spot_does_exist", spot_id=spot_id, field="id")
    feature = json.loads(row[0])
    feature["properties"]["safety"] = spot_scores(conn, spot_id)  # day and night, 1–10 with its band
    return json.dumps(feature, ensure_ascii=False)


def record_event(
    cur, spot_id: int, user: User, kind: str, note: str = "", *, visibility: str = "staff", **payload: object
) -> None:
    """Append to the spot's history (append-only: the table refuses updates and deletes); the note is the
    staff's unless `visibility` is 'public'."""
    cur.execute(
        "INSERT INTO spot_event (spot_id, kind, actor_id, actor_name, note, payload, visibility)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            spot_id,
            kind,
            user.id,
            user.full_name or user.username,
            note,
            json.dumps(payload, default=str),
            visibility,
        ),
    )


def record_transition(
    cur,
    spot_id: int,
    user: User | None,
    kind: str,
    from_stage: int,
    to_stage: int,
    note: str = "",
    *,
    at: datetime | None = None,
    actor_name: str = "",
    **payload: object,
) -> None:
    """Append a stage move with its stages named (from_stage, to_stage): the one record that stage
    history and time-in-stage read (the spot_transition view). Imported history: no user, an actor_name."""
    if user is not None:
        actor_name = user.full_name or user.username
    body = {"from_stage": from_stage, "to_stage": to_stage, **payload}
    cur.execute(
        "INSERT INTO spot_event (spot_id, kind, actor_id, actor_name, note, payload, at)"
        " VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, now()))",
        (spot_id, kind, user.id if user else None, actor_name, note, json.dumps(body, default=str), at),
    )
