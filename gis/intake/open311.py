"""Open311 GeoReport v2 for the 137 hotline: our categories as services, 137 tickets as service requests.

A posted request is a report (source 'hotline_137') that goes through `submit_report`, so it aggregates with
the other channels. service_request_id is the report's id; its status follows the report's spot: closed when
the spot is resolved or rejected, open otherwise. The citizen's contact data goes to report_contact and is
never read back here.

Reading requests follows the map's rules: a reader sees the requests whose spot their scope holds (the
public: stage 3 on), and only those who may read reports see the reporter's words, media and exact point.
"""

import hashlib
import hmac
import re
import uuid as uuidlib
from datetime import datetime, time, timedelta
from pathlib import Path

from gis import clock, vocabulary
from gis.access import SpotScope, may
from gis.db import Conn, dict_cursor
from gis.errors import Forbidden, InvalidInput, NotFound, pairs, read_catalogue
from gis.intake.reports import ReportCreate, submit_report
from gis.lang import latin_digits, normalise_persian
from gis.places.locate import locate
from gis.places.neighbourhoods import neighbourhood_in_text
from gis.publish.precision import precision_params, public_geom
from gis.spots import PUBLIC_EVENT, scope_condition

JURISDICTION_ID = "district22.tehran.ir"
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
MAX_DESCRIPTION = 4000
CLOSED_STATUSES = ("resolved", "rejected")
# The same request posted again within this window (a retry, or a double submit) is the first one.
REPEAT_WINDOW_MINUTES = 10

# Service groups and search keywords for our categories (GeoReport's `group` and `keywords`), kept as data in
# open311.toml next to this module: code → (group, keywords), and the pair of a category it does not list.
_GROUPS = read_catalogue(Path(__file__).with_name("open311.toml"))
SERVICE_GROUPS: dict[str, tuple[str, str]] = pairs(_GROUPS["services"], ("group", "keywords"))
OTHER_GROUP: tuple[str, str] = (_GROUPS["other"]["group"], _GROUPS["other"]["keywords"])


def services(conn: Conn) -> list[dict]:
    """Our categories as GeoReport services (no extra attributes: metadata is false)."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, label_fa, label_en FROM category ORDER BY sort")
        rows = cur.fetchall()
    return [
        {
            "service_code": code,
            "service_name": label_fa,
            "description": label_en,
            "metadata": False,
            "type": "realtime",
            "keywords": SERVICE_GROUPS.get(code, OTHER_GROUP)[1],
            "group": SERVICE_GROUPS.get(code, OTHER_GROUP)[0],
        }
        for code, label_fa, label_en in rows
    ]


def service_definition(conn: Conn, service_code: str) -> dict:
    """The definition of one service: it asks for no attributes beyond the standard ones."""
    if service_code not in {s["service_code"] for s in services(conn)}:
        raise NotFound("service_code_service", service_code=service_code, field="service_code")
    return {"service_code": service_code, "attributes": []}


def check_api_key(configured: str, given: str | None) -> str:
    """The key's short fingerprint (kept as provenance) if it is one of the configured keys; else
    Forbidden."""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not given:
        raise Forbidden("api_key_required_post_service", field="api_key")
    if not any(hmac.compare_digest(given.encode(), key.encode()) for key in keys):
        raise Forbidden("api_key_unknown_key", field="api_key")
    return hashlib.sha256(given.encode()).hexdigest()[:12]


def _number(field: str, text: str) -> float:
    try:
        return float(latin_digits(text).strip())
    except ValueError as exc:
        raise InvalidInput(field, "number_decimal_degrees", text=text) from exc


def _location(conn: Conn, params: dict[str, str]) -> dict:
    """lat/long (checked against the district), or an address naming one of our neighbourhoods."""
    lat, lon = (params.get(k, "").strip() for k in ("lat", "long"))
    address = normalise_persian(params.get("address_string", "")).strip()
    if lat or lon:
        if not (lat and lon):
            raise InvalidInput("lat/long", "give_both_lat_long")
        latitude, longitude = _number("lat/long", lat), _number("lat/long", lon)
        locate(conn, lon=longitude, lat=latitude, field="lat/long")
        return {"lat": latitude, "lon": longitude, "address": address}
    if not address:
        raise InvalidInput("lat/long", "location_required_lat_long_address")
    code = neighbourhood_in_text(conn, address)
    if code is None:
        raise InvalidInput("address_string", "names_neighbourhood_district_give_lat")
    return {"area_code": code, "address": address}


def _contact(params: dict[str, str]) -> dict[str, str]:
    name = " ".join(params.get(k, "").strip() for k in ("first_name", "last_name")).strip()
    email = params.get("email", "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InvalidInput("email", "not_an_email", email=email)
    contact = {
        "name": normalise_persian(name),
        "phone": latin_digits(params.get("phone", "")).strip(),
        "email": email,
        "device_id": params.get("device_id", "").strip(),
        "account_id": params.get("account_id", "").strip(),
    }
    for key, value in contact.items():
        if len(value) > 200:
            raise InvalidInput(key, "at_most_200_characters")
    return contact


def post_request(conn: Conn, params: dict[str, str], *, client: str, radius_m: float) -> dict:
    """Accept one service request from the hotline's system; returns the GeoReport POST response item."""
    jurisdiction = params.get("jurisdiction_id", "").strip()
    if jurisdiction and jurisdiction != JURISDICTION_ID:
        raise NotFound("jurisdiction_id", jurisdiction_id=JURISDICTION_ID, field="jurisdiction_id")
    service_code = params.get("service_code", "").strip()
    if not service_code:
        raise InvalidInput("service_code", "required_see_services_json")
    category = vocabulary.category(conn, service_code, field="service_code")
    description = normalise_persian(params.get("description", "")).strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput("description", "at_most_n_characters", limit=MAX_DESCRIPTION)
    media_url = params.get("media_url", "").strip()
    if media_url and (not re.match(r"https?://\S+$", media_url) or len(media_url) > 2000):
        raise InvalidInput("media_url", "http_s_url")
    place = _location(conn, params)
    contact = _contact(params)
    fingerprint = _fingerprint(client, params)
    provenance = {"channel": "open311", "client": client, "service_code": service_code}
    provenance["fingerprint"] = fingerprint
    if media_url:
        provenance["media_url"] = media_url
    repeated = _repeat_of(conn, fingerprint)
    if repeated is not None:
        return _created(*repeated, place, contact)
    result = submit_report(
        conn,
        ReportCreate(
            source="hotline_137",
            category=category,
            lon=place.get("lon"),
            lat=place.get("lat"),
            area_code=place.get("area_code"),
            description=description,
            address=place["address"],
            source_ref="open311",
            provenance=provenance,
            contact=contact,
        ),
        radius_m=radius_m,
        actor_name="137",
    )
    if contact["device_id"] or contact["account_id"]:
        with conn.cursor() as cur:
            cur.execute(
                """
                INSERT INTO report_contact (report_id, device_id, account_id) VALUES (%s, %s, %s)
                ON CONFLICT (report_id) DO UPDATE SET device_id = EXCLUDED.device_id,
                                                      account_id = EXCLUDED.account_id
                """,
                (result.report_id, contact["device_id"], contact["account_id"]),
            )
    return _created(result.report_id, result.uuid, place, contact)


def _created(report_id: int, token: str, place: dict, contact: dict[str, str]) -> dict:
    """The GeoReport POST response item for a stored request."""
    notice = "درخواست شما ثبت شد و در مرحلهٔ شناسایی بررسی می‌شود."
    if "area_code" in place:
        notice += " مکان دقیق باید تأیید شود."
    return {
        "service_request_id": str(report_id),
        "token": token,
        "service_notice": notice,
        "account_id": contact["account_id"] or None,
    }


def _fingerprint(client: str, params: dict[str, str]) -> str:
    """What makes two posts the same request: the key that sent it and every parameter but the key."""
    fields = sorted((k, v.strip()) for k, v in params.items() if k != "api_key")
    return hashlib.sha256(f"{client}\n{fields!r}".encode()).hexdigest()


def _repeat_of(conn: Conn, fingerprint: str) -> tuple[int, str] | None:
    """The request this one repeats, if the same was posted within the window. The transaction-scoped lock
    makes concurrent copies wait for the first to commit, so they find it instead of each adding a report."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(('x' || left(%s, 15))::bit(60)::bigint)", (fingerprint,))
        cur.execute(
            """
            SELECT id, uuid::text FROM report
            WHERE source = 'hotline_137' AND provenance ->> 'fingerprint' = %s
              AND created_at >= now() - make_interval(mins => %s)
            ORDER BY id LIMIT 1
            """,
            (fingerprint, REPEAT_WINDOW_MINUTES),
        )
        row = cur.fetchone()
    return (row[0], row[1]) if row else None


# A request is read through its spot (a merged spot's survivor): the reader's scope and the precision the
# public sees its point at are the spot's (its category's); the status notes are the spot's public notes only.
REQUESTS_SQL = f"""
    SELECT r.id, r.category AS service_code, c.label_fa AS service_name,
           r.description, r.address, r.location_verified, r.reported_at,
           r.provenance ->> 'media_url' AS media_url,
           ST_Y(ST_PointOnSurface(p.geom)) AS lat, ST_X(ST_PointOnSurface(p.geom)) AS lon,
           a.name_fa AS area_fa, s.status AS spot_status, ss.label_fa AS status_fa, st.label_fa AS stage_fa,
           (SELECT e.note FROM spot_event e
            WHERE e.spot_id = s.id AND e.note <> '' AND e.visibility = 'public'
            ORDER BY e.at DESC, e.id DESC LIMIT 1) AS last_note,
           greatest(r.created_at, s.updated_at, (SELECT max(e.at) FROM spot_event e WHERE e.spot_id = s.id))
               AS updated_at,
           greatest(r.created_at,
                    (SELECT max(e.at) FROM spot_event e WHERE e.spot_id = s.id AND {PUBLIC_EVENT}))
               AS public_updated_at,
           (SELECT string_agg(DISTINCT g.name_fa, '، ') FROM spot_action x JOIN agency g ON g.id = x.agency_id
            WHERE x.spot_id = s.id) AS agencies,
           (SELECT max(x.due_on) FROM spot_action x WHERE x.spot_id = s.id) AS expected_on
    FROM report r
    JOIN category c ON c.code = r.category
    LEFT JOIN area a ON a.id = r.area_id
    JOIN spot s0 ON s0.id = r.spot_id
    JOIN spot s ON s.id = coalesce(s0.merged_into, s0.id)
    JOIN spot_status ss ON ss.code = s.status
    JOIN stage st ON st.number = s.stage
    CROSS JOIN LATERAL (SELECT {public_geom("r", category="s.category", area_id="s.area_id")} AS geom) p
    WHERE r.source = 'hotline_137' AND {scope_condition("s")}
      AND (%(ids)s::bigint[] IS NULL OR r.id = ANY(%(ids)s) OR r.uuid = ANY(%(uuids)s::uuid[]))
      AND (%(codes)s::text[] IS NULL OR r.category = ANY(%(codes)s))
      AND (%(closed)s::boolean IS NULL
           OR (coalesce(s.status, 'open') IN ('resolved', 'rejected')) = %(closed)s)
      AND (%(start)s::timestamptz IS NULL OR r.reported_at >= %(start)s)
      AND (%(end)s::timestamptz IS NULL OR r.reported_at <= %(end)s)
    ORDER BY r.reported_at DESC, r.id DESC
    LIMIT %(limit)s
"""


def _district_name(conn: Conn) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT name_fa FROM area WHERE level = 'district' ORDER BY id LIMIT 1")
        row = cur.fetchone()
    return f"شهرداری {row[0]}" if row else "شهرداری منطقهٔ ۲۲"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(clock.zone()).isoformat(timespec="seconds") if value else None


def _request(row: dict, district: str, *, words: bool, staff: bool) -> dict:
    """A report as a GeoReport service request, never with the citizen's contact. The reporter's words
    (description, address) and media only for `words` (readers of reports), else the neighbourhood; the
    agencies at work and their due date only for `staff`, else the district and no expected_datetime. The
    point is as precise as the reader may see."""
    closed = row["spot_status"] in CLOSED_STATUSES
    notes = [row["status_fa"]] if closed else []
    if row["stage_fa"]:
        notes.append(f"مرحله: {row['stage_fa']}")
    if row["last_note"]:
        notes.append(row["last_note"])
    if not row["location_verified"]:
        notes.append("مکان دقیق در انتظار تأیید")
    request = {
        "service_request_id": str(row["id"]),
        "status": "closed" if closed else "open",
        "status_notes": " — ".join(notes),
        "service_name": row["service_name"],
        "service_code": row["service_code"],
        "description": row["description"] if words else "",
        "agency_responsible": (row["agencies"] if staff else None) or district,
        "service_notice": "",
        "requested_datetime": _iso(row["reported_at"]),
        # The public's "last change" is the last change it can see (a stage move, a public note), so the
        # staff's notes, visits and actions do not show as a moving date.
        "updated_datetime": _iso(row["updated_at"] if staff else row["public_updated_at"]),
        "address": (row["address"] if words else "") or row["area_fa"] or "",
        "address_id": "",
        "zipcode": "",
        "lat": None if row["lat"] is None else round(row["lat"], 7),
        "long": None if row["lon"] is None else round(row["lon"], 7),
        "media_url": (row["media_url"] if words else "") or "",
    }
    if staff:  # the agencies' due dates are the staff's plan, not a promise to the public
        due = None if closed else row["expected_on"]
        request["expected_datetime"] = due and _iso(datetime.combine(due, time(), tzinfo=clock.zone()))
    return request


def parse_instant(field: str, text: str | None) -> datetime | None:
    """An ISO 8601 date-time (2026-03-21T08:00:00+03:30, or ...Z); without an offset it is Tehran time."""
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(latin_digits(text).strip().replace(" ", "+"))
    except ValueError as exc:
        raise InvalidInput(field, "iso_date_time_t", text=text) from exc
    return clock.local(value)


def _request_ids(text: str) -> tuple[list[int], list[str]]:
    ids: list[int] = []
    uuids: list[str] = []
    for part in (p.strip() for p in latin_digits(text).split(",") if p.strip()):
        if part.isdigit() and len(part) < 19:
            ids.append(int(part))
            continue
        try:
            uuids.append(str(uuidlib.UUID(part)))
        except ValueError as exc:
            raise InvalidInput("service_request_id", "not_a_request_id", part=part) from exc
    return ids, uuids


def get_requests(
    conn: Conn,
    *,
    scope: SpotScope,
    role: str | None = None,
    request_ids: str | None = None,
    service_code: str | None = None,
    status: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """Service requests within `scope`, newest first, at most 1000, as `role` (None: the public) may read
    them. Ids override every other filter (as the spec says); without ids or dates, the last 90 days."""
    params: dict = {
        "ids": None,
        "uuids": [],
        "codes": None,
        "closed": None,
        "start": None,
        "end": None,
        "limit": MAX_REQUESTS,
    }
    if request_ids and request_ids.strip():
        params["ids"], params["uuids"] = _request_ids(request_ids)
    else:
        codes = [c.strip() for c in (service_code or "").split(",") if c.strip()]
        if codes:
            known = {s["service_code"] for s in services(conn)}
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise InvalidInput("service_code", "no_such_service", unknown=", ".join(unknown))
            params["codes"] = codes
        statuses = {s.strip() for s in (status or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise InvalidInput("status", "open_closed")
        if len(statuses) == 1:
            params["closed"] = statuses == {"closed"}
        start, end = parse_instant("start_date", start_date), parse_instant("end_date", end_date)
        if start and end and start > end:
            raise InvalidInput("end_date", "period_reversed")
        if start is None and end is None:
            start = (now or clock.now()) - timedelta(days=DEFAULT_DAYS)
        params["start"], params["end"] = start, end
    with dict_cursor(conn) as cur:
        cur.execute(REQUESTS_SQL, {**params, **precision_params(scope)})
        rows = cur.fetchall()
    district = _district_name(conn)
    words = may(role, "report.read")
    return [_request(row, district, words=words, staff=scope.staff) for row in rows]


def get_request(conn: Conn, request_id: str, *, scope: SpotScope, role: str | None = None) -> dict:
    """One service request by id (or token) within `scope`; NotFound otherwise, whether it does not exist or
    lies outside the scope, so a reader learns nothing of requests they may not see."""
    found = get_requests(conn, scope=scope, role=role, request_ids=request_id) if request_id.strip() else []
    if not found:
        raise NotFound("service_request_id_request", request_id=request_id, field="service_request_id")
    return found[0]


def request_for_token(conn: Conn, token: str) -> dict:
    """What a token (our tokens are the reports' UUIDs) tells whoever holds it, the citizen who posted the
    request: its service_request_id and whether it is open or closed, at any stage, and nothing else."""
    try:
        key = str(uuidlib.UUID(token))
    except ValueError as exc:
        raise NotFound("token_request_with_token", token=token, field="token") from exc
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT r.id, coalesce(s.status, 'open') FROM report r
            LEFT JOIN spot s0 ON s0.id = r.spot_id LEFT JOIN spot s ON s.id = coalesce(s0.merged_into, s0.id)
            WHERE r.source = 'hotline_137' AND r.uuid = %s
            """,
            (key,),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound("token_request_with_token", token=token, field="token")
    status = "closed" if row[1] in CLOSED_STATUSES else "open"
    return {"service_request_id": str(row[0]), "token": token, "status": status}


def discovery(base_url: str) -> dict:
    """The GeoReport service discovery document for this server."""
    return {
        "changeset": "2026-11-25T00:00:00+03:30",
        "contact": "دفتر GIS منطقهٔ ۲۲ شهرداری تهران — District 22 GIS office, Tehran Municipality",
        "key_service": "API keys for the 137 hotline's system are issued by the District 22 GIS office.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": f"{base_url.rstrip('/')}/open311/v2",
                "changeset": "2026-11-25T00:00:00+03:30",
                "type": "production",
                "formats": ["application/json", "text/xml"],
                "jurisdiction_id": JURISDICTION_ID,
                "tokens": "POST requests.json returns service_request_id at once "
                "(every service is realtime); "
                "its token (the request's UUID) also resolves through tokens/{token}.json",
            }
        ],
    }
