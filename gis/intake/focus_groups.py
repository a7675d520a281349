"""Focus groups: sessions held in the neighbourhood houses, and the places their participants marked.

Each marked place is a report (source 'focus_group') that goes through `submit_report` like any other, with
the session as its provenance (`provenance.focus_group_id`), so it aggregates with mayors' lists and 137
tickets into the same spots.
"""

import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from gis import clock
from gis.db import Conn, dict_cursor, one_value, translate_errors
from gis.errors import Conflict, InvalidInput, NotFound
from gis.intake.reports import ReportCreate, SubmitResult, submit_report
from gis.lang import jalali, latin_digits, match_key, normalise_persian, parse_day
from gis.vocabulary import AUDIT_KEYS, category_names, resolve_category, time_names, time_of_day

NAMESPACE = uuidlib.UUID("5f0c6d43-22a1-4f6e-9b1d-137000000022")
MAX_POINTS = 2000

# Property names seen in the GeoJSON that facilitators draw, Persian or English, by the field they fill.
KEY_ALIASES = {
    "category": ("category", "cat", "type", "دسته", "دسته بندی", "دستهبندی", "نوع", "نوع فضا"),
    "description": ("description", "desc", "notes", "شرح", "توضیح", "توضیحات"),
    "address": ("address", "نشانی", "آدرس"),
    "placed": ("placed",),  # true: put by hand on a map (a page's click), not measured
    "time_of_day": ("time_of_day", "time", "when", "زمان", "زمان ناامنی", "ساعت"),
    "uuid": ("uuid", "شناسه"),
    "audit": ("audit", "safety_audit", "ممیزی", "ممیزی ایمنی"),
    "lighting": ("lighting", "روشنایی", "نور"),
    "openness": ("openness", "گشودگی", "باز بودن"),
    "visibility": ("visibility", "دید", "قابلیت دید", "دیده شدن"),
    "people": ("people", "حضور مردم", "مردم", "جمعیت"),
    "security": ("security", "امنیت", "نظارت"),
    "walk_path": ("walk_path", "walkpath", "مسیر پیاده", "پیاده رو"),
    "public_transport": (
        "public_transport",
        "transport",
        "حمل و نقل عمومی",
        "حملونقل عمومی",
        "حمل ونقل عمومی",
    ),
    "gender_mix": ("gender_mix", "تنوع جنسیتی", "ترکیب جنسیتی", "حضور زنان"),
    "feeling": ("feeling", "احساس", "احساس امنیت"),
}


@dataclass
class FocusGroupCreate:
    """A session as a facilitator records it; `held_on` is Jalali (1399/09/20) or ISO."""

    area_id: int
    held_on: str | date
    facilitator: str
    participants: int
    women: int
    notes: str = ""
    uuid: str | None = None
    created_by: int | None = None


_ALIASES = {match_key(alias): field for field, aliases in KEY_ALIASES.items() for alias in aliases}


def _count(field: str, value: object) -> int:
    text = latin_digits(str(value)).strip()
    if isinstance(value, bool) or not text.isdigit():
        raise InvalidInput(field, "not_a_whole_number", value=value)
    return int(text)


def held_on(session: FocusGroupCreate) -> date:
    """The day the session was held, as written (Jalali or ISO); required, and not after today."""
    day = session.held_on if isinstance(session.held_on, date) else parse_day("held_on", session.held_on)
    if day is None:
        raise InvalidInput("held_on", "date_session_was_held_required")
    if day > clock.today():
        raise InvalidInput("held_on", "day_in_future", jalali=jalali(day), day=day.isoformat())
    return day


def create_session(conn: Conn, session: FocusGroupCreate) -> tuple[int, bool]:
    """Record a session; the same client UUID twice returns the first session. Returns (id, created)."""
    day = held_on(session)
    facilitator = normalise_persian(session.facilitator or "").strip()
    if not facilitator:
        raise InvalidInput("facilitator", "facilitator_s_name_required")
    participants = _count("participants", session.participants)
    women = _count("women", session.women)
    if participants < 1:
        raise InvalidInput("participants", "at_least_one_participant")
    if women > participants:
        raise InvalidInput("women", "women_more_than_participants", women=women, participants=participants)
    session_uuid = str(session.uuid or uuidlib.uuid4())
    try:
        uuidlib.UUID(session_uuid)
    except ValueError as exc:
        raise InvalidInput("uuid", "not_a_uuid") from exc
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO focus_group (uuid, area_id, held_on, facilitator, participants, women, notes,
                                     created_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (uuid) DO NOTHING RETURNING id
            """,
            (
                session_uuid,
                session.area_id,
                day,
                facilitator,
                participants,
                women,
                normalise_persian(session.notes or "").strip(),
                session.created_by,
            ),
        )
        row = cur.fetchone()
        if row is not None:
            return row[0], True
        cur.execute("SELECT id, area_id FROM focus_group WHERE uuid = %s", (session_uuid,))
        found_id, found_area = cur.fetchone()
    if found_area != session.area_id:
        raise Conflict("uuid_used_elsewhere", field="uuid")
    return found_id, False


def session_area(conn: Conn, session_id: int) -> int:
    """The neighbourhood a session was held in (to check a facilitator's areas); NotFound otherwise."""
    missing = NotFound("focus_group_does_exist", session_id=session_id, field="id")
    return one_value(conn, "SELECT area_id FROM focus_group WHERE id = %s", (session_id,), missing)


def _point(feature: object, categories: dict[str, str], times: dict[str, str]) -> dict:
    """One marked place from a GeoJSON feature: its fields under their English names, values checked."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput("feature", "geojson_feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise InvalidInput("properties", "must_be_object")
    point: dict = {"geometry": feature.get("geometry"), "audit": {}, "extra": {}}
    for name, value in properties.items():
        field = _ALIASES.get(match_key(name))
        if field is None:
            point["extra"][name] = value
        elif field == "audit":
            if not isinstance(value, dict):
                raise InvalidInput("audit", "object_criterion_score")
            for criterion, score in value.items():
                key = _ALIASES.get(match_key(criterion))
                if key not in AUDIT_KEYS:
                    raise InvalidInput(
                        f"audit.{criterion}", "unknown_criterion_use", audit_keys=", ".join(AUDIT_KEYS)
                    )
                point["audit"][key] = score
        elif field in AUDIT_KEYS:
            point["audit"][field] = value
        else:
            point[field] = value
    point["audit"] = {
        k: latin_digits(str(v)).strip() if isinstance(v, str) else v
        for k, v in point["audit"].items()
        if v not in (None, "")
    }
    category = point.get("category")
    if category in (None, ""):
        raise InvalidInput("category", "missing")
    point["category"] = resolve_category(categories, category)
    point["time_of_day"] = time_of_day(point.get("time_of_day"), names=times)
    # A place named but not yet placed (geometry null) lies at the session's neighbourhood until the GIS
    # office places it by its address.
    point["address"] = normalise_persian(str(point.get("address") or "")).strip()
    if point["geometry"] is None and not point["address"]:
        raise InvalidInput("geometry", "feature_has_geometry_or_address")
    if point["geometry"] is not None and not isinstance(point["geometry"], dict):
        raise InvalidInput("geometry", "feature_has_geometry")
    if feature.get("id") is not None and point.get("uuid") in (None, ""):
        point["uuid"] = _uuid_or_none(feature["id"])
    return point


def _uuid_or_none(value: object) -> str | None:
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError:
        return None


def add_points(
    conn: Conn,
    session_id: int,
    features: list[dict] | None,
    *,
    radius_m: float,
    created_by: int | None = None,
    actor_name: str = "",
    provenance: dict | None = None,
) -> list[SubmitResult]:
    """Store the places a session marked, all or nothing; a rejection names each bad feature and why.

    A feature without a UUID gets one derived from the session's UUID and its position in the list, so
    sending the same list again adds nothing.
    """
    if not isinstance(features, list) or not features:
        raise InvalidInput("features", "featurecollection_with_at_least_one")
    if len(features) > MAX_POINTS:
        raise InvalidInput("features", "at_most_features_at_once", max_points=MAX_POINTS)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT g.uuid, g.held_on, a.code FROM focus_group g JOIN area a ON a.id = g.area_id"
            " WHERE g.id = %s",
            (session_id,),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound("focus_group_does_exist", session_id=session_id, field="id")
    session_uuid, day, area_code = uuidlib.UUID(row[0]), row[1], row[2]
    reported_at = clock.noon(day)
    categories, times = category_names(conn), time_names(conn)
    results: list[SubmitResult] = []
    rejected: list[dict] = []
    for number, feature in enumerate(features, start=1):
        with conn.cursor() as cur:
            cur.execute("SAVEPOINT focus_group_point")
        try:
            point = _point(feature, categories, times)
            with translate_errors():
                result = submit_report(
                    conn,
                    ReportCreate(
                        source="focus_group",
                        category=point["category"],
                        geometry=point["geometry"],
                        area_code=None if point["geometry"] else area_code,
                        address=point["address"],
                        placed=point.get("placed") is True,
                        uuid=point.get("uuid") or str(uuidlib.uuid5(session_uuid, str(number))),
                        description=normalise_persian(str(point.get("description") or "")),
                        source_ref=f"focus_group:{session_id}:{number}",
                        provenance={
                            "focus_group_id": session_id,
                            "feature": number,
                            **(provenance or {}),
                            **({"properties": point["extra"]} if point["extra"] else {}),
                        },
                        time_of_day=point["time_of_day"],
                        audit=point["audit"],
                        reported_at=reported_at,
                        created_by=created_by,
                    ),
                    radius_m=radius_m,
                    actor_name=actor_name,
                )
        except InvalidInput as exc:
            with conn.cursor() as cur:
                cur.execute("ROLLBACK TO SAVEPOINT focus_group_point")
            rejected.append({"feature": number, "field": exc.field, "reason": exc.reason, "error": exc})
            continue
        with conn.cursor() as cur:
            cur.execute("RELEASE SAVEPOINT focus_group_point")
        results.append(result)
    if rejected:
        first = rejected[0]
        raise InvalidInput(
            "features",
            "features_rejected_nothing_was_stored",
            rejected=len(rejected),
            features=len(features),
            feature=first["feature"],
            bad_field=first["field"],
            reason=first["error"],
            rows=[{k: v for k, v in row.items() if k != "error"} for row in rejected],
        )
    return results


SESSION_FIELDS = """
    g.id, g.uuid::text AS uuid, a.code AS area_code, a.name_fa AS area_fa, a.name_en AS area_en,
    g.held_on, g.facilitator, g.participants, g.women, g.notes, u.username AS created_by, g.created_at,
    (SELECT count(*) FROM report r WHERE r.source = 'focus_group'
        AND (r.provenance ->> 'focus_group_id')::integer = g.id) AS point_count
"""
SESSION_FROM = """
    FROM focus_group g
    JOIN area a ON a.id = g.area_id
    LEFT JOIN app_user u ON u.id = g.created_by
"""


def _with_jalali(row: dict) -> dict:
    return {**row, "held_on_jalali": jalali(row["held_on"])}


def list_sessions(
    conn: Conn, *, area_ids: list[int] | None = None, since: date | None = None, until: date | None = None
) -> list[dict]:
    """Sessions, newest first; `area_ids` limits them to some neighbourhoods (a facilitator's)."""
    with dict_cursor(conn) as cur:
        cur.execute(
            f"""
            SELECT {SESSION_FIELDS} {SESSION_FROM}
            WHERE (%(areas)s::int[] IS NULL OR g.area_id = ANY(%(areas)s))
              AND (%(since)s::date IS NULL OR g.held_on >= %(since)s)
              AND (%(until)s::date IS NULL OR g.held_on <= %(until)s)
            ORDER BY g.held_on DESC, g.id DESC
            """,
            {"areas": area_ids, "since": since, "until": until},
        )
        return [_with_jalali(row) for row in cur.fetchall()]


def get_session(conn: Conn, session_id: int) -> dict:
    """One session with the places it marked as a GeoJSON FeatureCollection (no reporter data exists here)."""
    with dict_cursor(conn) as cur:
        cur.execute(f"SELECT {SESSION_FIELDS} {SESSION_FROM} WHERE g.id = %s", (session_id,))
        row = cur.fetchone()
        if row is None:
            raise NotFound("focus_group_does_exist", session_id=session_id, field="id")
        cur.execute(
            """
            SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
                json_build_object('type', 'Feature', 'id', r.id, 'geometry', ST_AsGeoJSON(r.geom, 7)::json,
                    'properties', json_build_object(
                        'report_id', r.id, 'uuid', r.uuid, 'spot_id', r.spot_id, 'category', r.category,
                        'category_fa', c.label_fa, 'description', r.description, 'time_of_day', r.time_of_day,
                        'audit', r.audit, 'area_code', a.code, 'feature', r.provenance -> 'feature'))
                ORDER BY r.id), '[]'::json)) AS points
            FROM report r
            JOIN category c ON c.code = r.category
            LEFT JOIN area a ON a.id = r.area_id
            WHERE r.source = 'focus_group' AND (r.provenance ->> 'focus_group_id')::integer = %s
            """,
            (session_id,),
        )
        row["points"] = cur.fetchone()["points"]
    return _with_jalali(row)


def session_uuid_for_file(area_code: str, day: date, content: bytes) -> str:
    """A stable UUID for a session imported from a file, so importing the same file twice adds nothing."""
    digest = hashlib.sha256(content).hexdigest()
    return str(uuidlib.uuid5(NAMESPACE, f"{area_code}|{day.isoformat()}|{digest}"))


def read_features(path: Path) -> tuple[list, bytes]:
    """The features of a session's GeoJSON file (WGS 84 longitude/latitude) and the file's bytes."""
    if not path.exists():
        raise InvalidInput("file", "path_missing", path=path)
    content = path.read_bytes()
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested thousands deep
        raise InvalidInput("file", "not_geojson", path_name=path.name, exc=exc) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput("file", "geojson_featurecollection", path_name=path.name)
    crs = json.dumps(data.get("crs") or "CRS84")
    if not any(name in crs for name in ("CRS84", "EPSG::4326", "EPSG:4326")):
        raise InvalidInput(
            "file",
            "wgs_longitude_latitude_crs_save",
            path_name=path.name,
            crs=crs,
        )
    return data.get("features") or [], content


def import_file(conn: Conn, path: Path, session: FocusGroupCreate, *, radius_m: float) -> dict:
    """Import `session` and its marked places from a GeoJSON file, all or nothing; a second
    run adds nothing, as the session's UUID comes from its neighbourhood, day and the file's content."""
    features, content = read_features(path)
    with conn.cursor() as cur:
        cur.execute("SELECT code, name_fa FROM area WHERE id = %s", (session.area_id,))
        code, name = cur.fetchone()
    session = replace(session, held_on=held_on(session))
    session_uuid = session_uuid_for_file(code, session.held_on, content)
    session_id, created = create_session(conn, replace(session, uuid=session_uuid))
    results = add_points(
        conn,
        session_id,
        features,
        radius_m=radius_m,
        created_by=session.created_by,
        actor_name=session.facilitator,
        provenance={"channel": "file", "file": path.name},
    )
    return {
        "focus_group_id": session_id,
        "session_created": created,
        "area_code": code,
        "area_fa": name,
        "held_on": session.held_on,
        "points": len(results),
        "reports_created": sum(r.created for r in results),
        "new_spots": sum(r.new_spot for r in results),
        "spots": len({r.spot_id for r in results if r.spot_id is not None}),
    }
