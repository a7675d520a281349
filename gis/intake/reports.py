"""Reports: one sighting from one source, validated, stored with its provenance, attached to a spot.

Every channel (mayors' files, focus groups, the 137 hotline, the field page) goes through `submit_report`,
so the rules and the aggregation are the same whichever way a place was reported.
"""

import json
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime

import psycopg2.errors

from gis import clock
from gis.aggregation.aggregate import (
    STAGED,
    STAGED_TABLE_SQL,
    attach_report,
    choose_spots,
    record_attachments,
)
from gis.db import Conn, dict_cursor, keyed, without_jit
from gis.errors import Conflict, InvalidInput, NotFound
from gis.intake.field import check_audit
from gis.intake.same_place import same_place_spot
from gis.places.locate import locate
from gis.settings import get_settings
from gis.spots import check_categories
from gis.vocabulary import LOCATED, SOURCES, TIMES_OF_DAY


@dataclass
class ReportCreate:
    """A report as a channel hands it in: a point (lon/lat), a GeoJSON geometry, or only a neighbourhood."""

    source: str
    category: str
    lon: float | None = None
    lat: float | None = None
    geometry: dict | None = None
    area_code: str | None = None
    uuid: str | None = None
    description: str = ""
    address: str = ""
    source_ref: str = ""
    provenance: dict = field(default_factory=dict)
    time_of_day: str | None = None
    audit: dict | None = None
    reported_at: datetime | None = None
    contact: dict | None = None
    created_by: int | None = None
    spot_id: int | None = None  # the existing spot this is the same place as (the tablet's «همین مکان است»)
    placed: bool = False  # drawn or put by hand on the map, not measured: its precision is "placed"


@dataclass(frozen=True)
class SubmitResult:
    """What happened: the report, its spot, whether the report is new (False for a replayed UUID)."""

    report_id: int
    spot_id: int | None
    created: bool
    new_spot: bool
    uuid: str


def _check(conn: Conn, report: ReportCreate, known: dict[str, InvalidInput | None] | None = None) -> None:
    """The report's own fields; `known` remembers, across a batch, which categories passed or failed."""
    if report.source not in SOURCES:
        raise InvalidInput("source", "one_of", choices=", ".join(SOURCES))
    if known is None:
        check_categories(conn, [report.category])
    else:
        if report.category not in known:
            try:
                check_categories(conn, [report.category])
                known[report.category] = None
            except InvalidInput as exc:
                known[report.category] = exc
        if known[report.category] is not None:
            raise known[report.category]
    if report.time_of_day is not None and report.time_of_day not in TIMES_OF_DAY:
        raise InvalidInput("time_of_day", "day_evening_night")
    if report.uuid is not None:
        try:
            uuidlib.UUID(str(report.uuid))
        except ValueError as exc:
            raise InvalidInput("uuid", "not_a_uuid") from exc


def _precision(report: ReportCreate, *, located: bool) -> str:
    """Exact or placed for coordinates; address or neighbourhood for a place known only by its words."""
    if located:
        return "placed" if report.placed else "exact"
    return "address" if report.address.strip() else "neighbourhood"


_CROSSING = re.compile(r"^(?:Ring )?Self-intersection\[(-?[\d.]+) (-?[\d.]+)\]")


def _invalid_geometry(reason: str) -> InvalidInput:
    """PostGIS's reason in the user's words where it is a common one: an area drawn with its corners out of
    order crosses itself (a tap on a tablet's small screen does it easily), and the place is named."""
    crossing = _CROSSING.match(reason or "")
    if crossing:
        lon, lat = (float(value) for value in crossing.groups())
        return InvalidInput("geometry", "self_intersection", at=f"{lat:.5f}, {lon:.5f}")
    return InvalidInput("geometry", "invalid_geometry", reason=reason)


def _place(conn: Conn, report: ReportCreate) -> tuple[str, int, str]:
    """(GeoJSON text, neighbourhood id, location precision) for the report's location."""
    if report.geometry is not None:
        with conn.cursor() as cur:
            try:
                cur.execute(
                    """
                    SELECT ST_IsValid(g), ST_IsValidReason(g), GeometryType(g), ST_X(ST_PointOnSurface(g)),
                           ST_Y(ST_PointOnSurface(g))
                    FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326) AS g) q
                    """,
                    (json.dumps(report.geometry),),
                )
            except psycopg2.errors.InternalError_ as exc:  # PostGIS refuses a malformed GeoJSON this way
                raise InvalidInput(
                    "geometry", "geojson_geometry", message_primary=exc.diag.message_primary
                ) from exc
            valid, reason, kind, lon, lat = cur.fetchone()
        if not valid:
            raise _invalid_geometry(reason)
        if kind not in ("POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"):
            raise InvalidInput("geometry", "point_line_polygon", kind=kind)
        located = locate(conn, lon=lon, lat=lat, field="geometry")
        return json.dumps(report.geometry), located, _precision(report, located=True)
    if report.lon is not None and report.lat is not None:
        area_id = locate(conn, lon=report.lon, lat=report.lat)
        point = json.dumps({"type": "Point", "coordinates": [report.lon, report.lat]})
        return point, area_id, _precision(report, located=True)
    if report.area_code:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT id, ST_AsGeoJSON(ST_PointOnSurface(geom)) FROM area"
                " WHERE code = %s AND level = 'neighbourhood'",
                (report.area_code,),
            )
            row = cur.fetchone()
        if row is None:
            raise InvalidInput("area", "no_area_with_code", area_code=report.area_code)
        return row[1], row[0], _precision(report, located=False)
    raise InvalidInput("location", "give_coordinates_lat_lon_geometry")


def placed_geometry(conn: Conn, geometry: dict) -> tuple[str, int]:
    """(GeoJSON text, neighbourhood id) of a geometry put by hand, checked as a report's (valid, in the
    district)."""
    geojson, area_id, _ = _place(conn, ReportCreate(source="other", category="", geometry=geometry))
    return geojson, area_id


def _save_contact(conn: Conn, report_id: int, contact: dict | None) -> None:
    """The reporter's name, phone and email, kept apart from the report, when any was given."""
    if contact and any(contact.get(k) for k in ("name", "phone", "email")):
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO report_contact (report_id, name, phone, email) VALUES (%s, %s, %s, %s)",
                (
                    report_id,
                    contact.get("name") or "",
                    contact.get("phone") or "",
                    contact.get("email") or "",
                ),
            )


def submit_report(
    conn: Conn, report: ReportCreate, *, radius_m: float | None = None, actor_name: str = ""
) -> SubmitResult:
    """Validate, store and aggregate one report (within `radius_m`, the setting's aggregation radius unless
    given). The same UUID twice returns the first report unchanged."""
    _check(conn, report)
    audit = check_audit(report.audit, required=False)
    report_uuid = str(report.uuid or uuidlib.uuid4())
    geojson, area_id, precision = _place(conn, report)
    verified = precision in LOCATED
    provenance = dict(report.provenance)
    if not verified:
        provenance["location_to_verify"] = True
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO report (uuid, source, source_ref, provenance, geom, location_precision, category,
                                description, address, area_id, time_of_day, audit, reported_at, created_by)
            VALUES (%(uuid)s, %(source)s, %(source_ref)s, %(provenance)s,
                    ST_SetSRID(ST_GeomFromGeoJSON(%(geom)s), 4326), %(precision)s, %(category)s,
                    %(description)s, %(address)s, %(area)s, %(tod)s, %(audit)s, %(at)s,
                    %(by)s)
            ON CONFLICT (uuid) DO NOTHING
            RETURNING id
            """,
            {
                "uuid": report_uuid,
                "source": report.source,
                "source_ref": report.source_ref,
                "provenance": json.dumps(provenance, ensure_ascii=False),
                "geom": geojson,
                "precision": precision,
                "category": report.category,
                "description": report.description.strip(),
                "address": report.address.strip(),
                "area": area_id,
                "tod": report.time_of_day,
                "audit": json.dumps(audit) if audit else None,
                "at": report.reported_at or clock.now(),
                "by": report.created_by,
            },
        )
        row = cur.fetchone()
        if row is None:
            cur.execute("SELECT id, spot_id FROM report WHERE uuid = %s", (report_uuid,))
            report_id, spot_id = cur.fetchone()
            return SubmitResult(report_id, spot_id, created=False, new_spot=False, uuid=report_uuid)
        report_id = row[0]
    _save_contact(conn, report_id, report.contact)
    chosen = same_place_spot(conn, report.spot_id, report_id) if report.spot_id else None
    spot_id, new_spot = attach_report(
        conn,
        report_id,
        radius_m=radius_m or get_settings().aggregation_radius_m,
        actor_id=report.created_by,
        actor_name=actor_name,
        search=verified,
        spot_id=chosen,
    )
    return SubmitResult(report_id, spot_id, created=True, new_spot=new_spot, uuid=report_uuid)


# Points inside exactly one neighbourhood: LOCATE_SQL would pick it (at 0 m), so the batch takes it at once.
INSIDE_SQL = """
    SELECT p.n, min(a.id)
    FROM unnest(%s::int[], %s::float8[], %s::float8[]) AS p(n, lon, lat)
    JOIN area a ON a.level = 'neighbourhood'
               AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
    GROUP BY p.n
    HAVING count(*) = 1
"""

# The checked reports, staged (STAGED_TABLE_SQL) under ids taken in list order, before they are stored.
STAGE_SQL = f"""
    INSERT INTO {STAGED} (id, uuid, source, source_ref, provenance, geom, location_precision, category,
                          description, address, area_id, time_of_day, audit, reported_at, created_by,
                          import_batch_id)
    SELECT m.id, m.uuid::uuid, m.source, m.source_ref, m.provenance::jsonb,
           ST_SetSRID(ST_GeomFromGeoJSON(m.geom), 4326), m.precision, m.category, m.description, m.address,
           m.area, m.tod, m.audit::jsonb, m.at, m.by, %s
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::text[], %s::text[], %s::text[], %s::int[], %s::text[], %s::text[], %s::timestamptz[],
                %s::int[])
         AS m(id, uuid, source, source_ref, provenance, geom, precision, category, description, address, area,
              tod, audit, at, by)
"""

# The staged reports that go in, each with the spot `choose_spots` gave it, in id order.
STORE_SQL = f"""
    INSERT INTO report (id, uuid, spot_id, source, source_ref, provenance, geom, location_precision, category,
                        description, address, area_id, time_of_day, audit, reported_at, created_by,
                        import_batch_id)
    SELECT r.id, r.uuid, m.spot, r.source, r.source_ref, r.provenance, r.geom, r.location_precision,
           r.category, r.description, r.address, r.area_id, r.time_of_day, r.audit, r.reported_at,
           r.created_by, r.import_batch_id
    FROM unnest(%(ids)s::bigint[], %(spots)s::int[]) AS m(id, spot)
    JOIN {STAGED} r ON r.id = m.id
    ORDER BY r.id
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id
"""


def submit_reports(
    conn: Conn,
    reports: list[ReportCreate],
    *,
    radius_m: float | None = None,
    actor_name: str = "",
    import_batch_id: int | None = None,
    lock_map: bool = False,
) -> list[SubmitResult | InvalidInput]:
    """`submit_report` for many reports in a few statements: per report, its result or why it was refused.

    New reports are marked as rows of `import_batch_id` when given; `lock_map` is `choose_spots`'. The
    outcome is the one submitting them one by one, in order, would give: the same checks and messages,
    the same spots (see `choose_spots`), events and ids in the order of the list. The checked reports are
    staged, their spots chosen, and each is then stored once, with its spot.
    """
    outcomes: list[SubmitResult | InvalidInput | None] = [None] * len(reports)
    without_jit(conn)
    rows = _checked_rows(conn, reports, _inside_one_neighbourhood(conn, reports), outcomes)
    if not rows:
        return outcomes
    ids = _stage_checked(conn, reports, rows, import_batch_id)
    going, before = _going_in(conn, rows, ids)
    stored = [report_id for report_id, _ in going]
    chosen = choose_spots(
        conn,
        [(report_id, precision in LOCATED) for report_id, (_, _, _, _, precision, _) in going],
        radius_m=radius_m or get_settings().aggregation_radius_m,
        lock_map=lock_map,
    )
    _store_staged(conn, stored, [spot for spot, _ in chosen])
    for report_id, (n, *_) in going:
        _save_contact(conn, report_id, reports[n].contact)
    record_attachments(
        conn, [(report_id, reports[n].created_by) for report_id, (n, *_) in going], chosen, actor_name
    )
    _settle_outcomes(outcomes, rows, ids, before, dict(zip(stored, chosen)))
    return outcomes


def check_reports(conn: Conn, reports: list[ReportCreate]) -> list[InvalidInput | None]:
    """Why `submit_reports` would refuse each report (None: it would take it), writing nothing: a large
    import checks its whole file this way before its first chunk commits, to stay all or nothing."""
    outcomes: list[SubmitResult | InvalidInput | None] = [None] * len(reports)
    without_jit(conn)
    _checked_rows(conn, reports, _inside_one_neighbourhood(conn, reports), outcomes)
    return [o if isinstance(o, InvalidInput) else None for o in outcomes]


# A report that passed the checks: (its index in the list, UUID, GeoJSON, neighbourhood id, precision, audit).
_Checked = tuple[int, str, str, int, str, dict | None]


def _inside_one_neighbourhood(conn: Conn, reports: list[ReportCreate]) -> dict[int, int]:
    """Index → neighbourhood of the plain points lying inside exactly one, found in one statement."""
    points = [
        (n, r.lon, r.lat)
        for n, r in enumerate(reports)
        if r.geometry is None
        and r.lon is not None
        and r.lat is not None
        and -180 <= r.lon <= 180
        and -90 <= r.lat <= 90
    ]
    if not points:
        return {}
    return keyed(conn, INSIDE_SQL, tuple(map(list, zip(*points))))


def _checked_rows(
    conn: Conn,
    reports: list[ReportCreate],
    inside: dict[int, int],
    outcomes: list[SubmitResult | InvalidInput | None],
) -> list[_Checked]:
    """The reports that pass `submit_report`'s checks, placed; each refused one's reason goes to outcomes."""
    rows: list[_Checked] = []
    known: dict[str, InvalidInput | None] = {}
    for n, report in enumerate(reports):
        try:
            _check(conn, report, known)
            audit = check_audit(report.audit, required=False)
            if n in inside:
                place = (
                    json.dumps({"type": "Point", "coordinates": [report.lon, report.lat]}),
                    inside[n],
                    _precision(report, located=True),
                )
            else:
                place = _place(conn, report)
        except InvalidInput as exc:
            outcomes[n] = exc
            continue
        rows.append((n, str(report.uuid or uuidlib.uuid4()), *place, audit))
    return rows


def _insert_values(report_id: int, report: ReportCreate, row: _Checked) -> tuple:
    """One report in STAGE_SQL's column order, stored as `submit_report` stores it."""
    _, report_uuid, geojson, area_id, precision, audit = row
    provenance = dict(report.provenance)
    if precision not in LOCATED:
        provenance["location_to_verify"] = True
    return (
        report_id,
        report_uuid,
        report.source,
        report.source_ref,
        json.dumps(provenance, ensure_ascii=False),
        geojson,
        precision,
        report.category,
        report.description.strip(),
        report.address.strip(),
        area_id,
        report.time_of_day,
        json.dumps(audit) if audit else None,
        report.reported_at or clock.now(),
        report.created_by,
    )


def _stage_checked(
    conn: Conn, reports: list[ReportCreate], rows: list[_Checked], import_batch_id: int | None
) -> list[int]:
    """Stage the checked reports (STAGED) under ids taken in list order; returns the ids."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('report', 'id')) FROM generate_series(1, %s)", (len(rows),)
        )
        ids = [row[0] for row in cur.fetchall()]
        columns: list[list] = [[] for _ in range(15)]
        for report_id, row in zip(ids, rows):
            for column, value in zip(columns, _insert_values(report_id, reports[row[0]], row)):
                column.append(value)
        cur.execute(STAGED_TABLE_SQL)
        cur.execute(STAGE_SQL, [import_batch_id, *columns])
    return ids


def stored_reports(conn: Conn, uuids: list[str]) -> dict[str, tuple[int, int | None]]:
    """Report id and spot of each of these UUIDs already stored."""
    with conn.cursor() as cur:
        cur.execute("SELECT uuid::text, id, spot_id FROM report WHERE uuid = ANY(%s::uuid[])", (uuids,))
        return {uuid: (report_id, spot_id) for uuid, report_id, spot_id in cur.fetchall()}


def _going_in(
    conn: Conn, rows: list[_Checked], ids: list[int]
) -> tuple[list[tuple[int, _Checked]], dict[str, tuple[int, int | None]]]:
    """(id, row) of the checked reports to store: each the first of its UUID in the list and not stored
    before; and (id, spot) of the stored reports whose UUID the list repeats."""
    before = stored_reports(conn, [report_uuid for _, report_uuid, *_ in rows])
    going, seen = [], set(before)
    for report_id, row in zip(ids, rows):
        if row[1] not in seen:
            seen.add(row[1])
            going.append((report_id, row))
    return going, before


def _store_staged(conn: Conn, ids: list[int], spots: list[int]) -> None:
    """Store the staged reports `ids` with their spots. One stored meanwhile under the same UUID by another
    submission (its spot already chosen here) makes the whole batch fail, to be sent again."""
    with conn.cursor() as cur:
        cur.execute(STORE_SQL, {"ids": ids, "spots": spots})
        if cur.rowcount != len(ids):
            raise Conflict("reports_stored_meanwhile")


def _settle_outcomes(
    outcomes: list[SubmitResult | InvalidInput | None],
    rows: list[_Checked],
    ids: list[int],
    before: dict[str, tuple[int, int | None]],
    attached: dict[int, tuple[int, bool]],
) -> None:
    """Each checked report's result: new, stored before, or the same UUID as an earlier one in this list."""
    first: dict[str, int] = {}
    for report_id, (n, report_uuid, *_) in zip(ids, rows):
        if report_id in attached:
            spot_id, new_spot = attached[report_id]
            outcomes[n] = SubmitResult(report_id, spot_id, created=True, new_spot=new_spot, uuid=report_uuid)
            first.setdefault(report_uuid, report_id)
        elif report_uuid in before:
            report_id, spot_id = before[report_uuid]
            outcomes[n] = SubmitResult(report_id, spot_id, created=False, new_spot=False, uuid=report_uuid)
    for n, report_uuid, *_ in rows:
        if outcomes[n] is None:  # the same UUID earlier in this list
            earlier = first[report_uuid]
            outcomes[n] = SubmitResult(
                earlier, attached[earlier][0], created=False, new_spot=False, uuid=report_uuid
            )


def report_area(conn: Conn, report: ReportCreate) -> int:
    """The neighbourhood a report falls in, to check a facilitator's areas before anything is written."""
    return _place(conn, report)[1]


REPORT_SQL = """
    SELECT r.id, r.uuid::text AS uuid, r.spot_id, r.source, r.source_ref, r.provenance,
           ST_AsGeoJSON(r.geom, 7)::json AS geometry, r.location_verified, r.location_precision,
           r.category, r.description,
           r.address, r.area_id, a.code AS area_code, a.name_fa AS area_name_fa, r.time_of_day, r.audit,
           r.reported_at, r.created_at, u.username AS created_by
    FROM report r
    LEFT JOIN area a ON a.id = r.area_id
    LEFT JOIN app_user u ON u.id = r.created_by
    WHERE r.id = %s
"""


def get_report(conn: Conn, report_id: int, *, with_contact: bool) -> dict:
    """One report as stored; the reporter's contact only when the caller may see personal data."""
    with dict_cursor(conn) as cur:
        cur.execute(REPORT_SQL, (report_id,))
        row = cur.fetchone()
        if row is None:
            raise NotFound("no_such_report", report_id=report_id, field="id")
        if with_contact:
            cur.execute("SELECT name, phone, email FROM report_contact WHERE report_id = %s", (report_id,))
            row["contact"] = cur.fetchone()
    return dict(row)
