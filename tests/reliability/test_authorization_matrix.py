"""Every write route × every role (and a facilitator outside their neighbourhood): who may not write is
refused with 401 or 403 in the JSON error shape and changes nothing in the database; who may write gets past
the guard.

The routes are enumerated from the app itself, so a new write route fails the run until WRITES names it.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import httpx
import psycopg2
import pytest
from argon2 import PasswordHasher
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from gis import users
from gis.db import transaction
from gis.intake.focus_groups import FocusGroupCreate, create_session
from gis.intake.reports import ReportCreate, submit_report
from gis.programme import workflow
from gis.users import get_user
from gis.vocabulary import AUDIT_KEYS
from tests.conftest import DEMO_TEMPLATE, _fresh
from tests.reliability.conftest import make_role_tokens

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
IDENTITIES = ("anonymous", "viewer", "facilitator", "facilitator_elsewhere", "agency", "gis_office", "deputy")
SIGNED_IN = frozenset(IDENTITIES) - {"anonymous"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
PREFIX = "authz"


@dataclass
class World:
    """Objects to act on, in the facilitator's neighbourhood ("in") and in another one ("out")."""

    hood: dict[str, str] = field(default_factory=dict)
    place: dict[str, tuple[float, float]] = field(default_factory=dict)
    spot: dict[str, int] = field(default_factory=dict)
    action: dict[str, int] = field(default_factory=dict)
    report: dict[str, tuple[int, str]] = field(default_factory=dict)
    session: dict[str, int] = field(default_factory=dict)
    phase: int = 0


Call = Callable[[World, str, str], dict]


@dataclass(frozen=True)
class Write:
    """Who may call a route; `area`: facilitators only in their neighbourhoods; `call` builds the request."""

    roles: frozenset[str]
    call: Call = lambda world, side, who: {}
    area: bool = False
    refusal: str = "json"  # "georeport": Open311 answers in its own error format


def _note(world: World, side: str, who: str) -> dict:
    return {"json": {"note": "authorization matrix"}}


def _report_body(world: World, side: str, who: str) -> dict:
    lon, lat = world.place[side]
    return {
        "json": {
            "uuid": str(uuid.uuid4()),
            "category": "vacant_lot",
            "lon": lon,
            "lat": lat,
            "source": "field",
        }
    }


def _points(world: World, side: str, who: str) -> dict:
    lon, lat = world.place[side]
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"category": "vacant_lot", "description": "marked in the session"},
    }
    return {"json": {"type": "FeatureCollection", "features": [point]}}


def _action_update(world: World, side: str, who: str) -> dict:
    return {"json": {"status": "in_progress" if who == "agency" else "cancelled", "note": "matrix"}}


def _import(world: World, side: str, who: str) -> dict:
    lon, lat = world.place[side]
    text = f"lat,lon,category,description\n{lat:.6f},{lon:.6f},vacant_lot,matrix {uuid.uuid4()}\n"
    return {"files": {"file": ("matrix.csv", text.encode(), "text/csv")}}


AUDIT = {key: 3 for key in AUDIT_KEYS}
MANAGERS = frozenset({"gis_office", "deputy"})
FIELD = MANAGERS | {"facilitator"}
GIS = frozenset({"gis_office"})
DEPUTY = frozenset({"deputy"})
REPORTERS = frozenset({"facilitator", "gis_office"})
SPOT = "/api/spots/{spot_id}"

WRITES: dict[tuple[str, str], Write] = {
    ("POST", "/api/auth/token"): Write(
        frozenset(IDENTITIES),
        lambda w, s, who: {"json": {"username": f"{PREFIX}-viewer", "password": "long enough password"}},
    ),
    ("POST", "/api/auth/login"): Write(
        frozenset(IDENTITIES),
        lambda w, s, who: {"json": {"username": f"{PREFIX}-viewer", "password": "long enough password"}},
    ),
    ("POST", "/api/auth/logout"): Write(SIGNED_IN),
    ("POST", f"{SPOT}/verify"): Write(GIS, _note),
    ("POST", f"{SPOT}/reject"): Write(GIS, lambda w, s, who: {"json": {"reason": "not_unsafe", "note": "x"}}),
    ("POST", f"{SPOT}/remediation"): Write(MANAGERS, _note),
    ("POST", f"{SPOT}/visits"): Write(
        FIELD,
        lambda w, s, who: {"json": {"visited_on": "1403/01/15", "findings": "dark at night"}},
        area=True,
    ),
    ("POST", f"{SPOT}/actions"): Write(
        MANAGERS,
        lambda w, s, who: {"json": {"agency": "traffic", "what": "clear the bushes", "due_on": "1405/10/30"}},
    ),
    ("PATCH", "/api/actions/{action_id}"): Write(MANAGERS | {"agency"}, _action_update),
    ("POST", f"{SPOT}/notes"): Write(MANAGERS | {"agency"}, _note),
    ("POST", f"{SPOT}/evaluation"): Write(
        FIELD, lambda w, s, who: {"json": {"visited_on": "1403/01/20", "audit": AUDIT}}, area=True
    ),
    ("POST", f"{SPOT}/close"): Write(DEPUTY, lambda w, s, who: {"json": {"reason": "fixed"}}),
    ("POST", f"{SPOT}/reopen"): Write(DEPUTY, lambda w, s, who: {"json": {"reason": "complaints again"}}),
    ("POST", "/api/reports"): Write(REPORTERS, _report_body, area=True),
    ("POST", "/api/reports/{report_uuid}/photos"): Write(
        REPORTERS,
        lambda w, s, who: {
            "data": {"uuid": str(uuid.uuid4())},
            "files": {"file": ("p.png", PNG, "image/png")},
        },
        area=True,
    ),
    ("POST", "/api/focus-groups"): Write(
        FIELD,
        lambda w, s, who: {
            "json": {
                "area": w.hood[s],
                "held_on": "1403/02/01",
                "facilitator": "Sara",
                "participants": 9,
                "women": 7,
                "uuid": str(uuid.uuid4()),
            }
        },
        area=True,
    ),
    ("POST", "/api/focus-groups/{session_id}/points"): Write(FIELD, _points, area=True),
    ("POST", "/open311/v2/requests.{fmt}"): Write(
        frozenset(),
        lambda w, s, who: {
            "data": {"service_code": "vacant_lot", "lat": str(w.place[s][1]), "long": str(w.place[s][0])}
        },
        refusal="georeport",
    ),
    ("POST", "/api/imports/reports"): Write(GIS, _import),
    ("POST", f"{SPOT}/merge"): Write(
        GIS, lambda w, s, who: {"json": {"into": w.spot["out"], "note": "same place"}}
    ),
    ("POST", f"{SPOT}/unmerge"): Write(GIS, _note),
    ("POST", "/api/reports/{report_id}/split"): Write(GIS, _note),
    ("POST", "/api/reports/{report_id}/attach"): Write(
        GIS, lambda w, s, who: {"json": {"into": w.spot["out"], "note": "belongs there"}}
    ),
    ("POST", "/api/agencies"): Write(
        DEPUTY, lambda w, s, who: {"json": {"code": f"ngo_{uuid.uuid4().hex[:8]}", "name_fa": "سمن محله"}}
    ),
    ("POST", "/api/agencies/{code}/deactivate"): Write(DEPUTY),
    ("POST", "/api/agencies/{code}/activate"): Write(DEPUTY),
    ("POST", "/api/programme/activities"): Write(
        DEPUTY,
        lambda w, s, who: {"json": {"kind": "meeting", "held_on": "1403/02/10", "title": "working group"}},
    ),
    ("POST", "/api/programme/phases"): Write(
        DEPUTY,
        lambda w, s, who: {
            "json": {"name_fa": "شناسایی", "planned_start": "1403/01/01", "planned_end": "1403/03/01"}
        },
    ),
    ("PATCH", "/api/programme/phases/{phase_id}"): Write(
        DEPUTY, lambda w, s, who: {"json": {"actual_start": "1403/01/05"}}
    ),
    # The catch-all answers 404 in GeoReport's format for what Open311 does not define; it writes nothing.
    **{
        (method, "/open311/{rest:path}"): Write(frozenset(), refusal="georeport")
        for method in ("POST", "PUT", "PATCH", "DELETE")
    },
}


def _write_routes() -> set[tuple[str, str]]:
    app = create_app("postgresql://unused@127.0.0.1/unused")
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in (getattr(route, "methods", None) or ())
        if method in WRITE_METHODS
    }


def test_every_write_route_has_an_expectation():
    routes = _write_routes()
    assert routes - set(WRITES) == set(), "new write routes: add them to WRITES"
    assert set(WRITES) - routes == set(), "WRITES names routes the app no longer has"


@pytest.fixture(scope="module")
def matrix_db(cluster) -> Iterator[str]:
    """One demo database for the whole matrix; allowed writes land there, refused ones must not."""
    yield from _fresh(cluster, DEMO_TEMPLATE)


@pytest.fixture(scope="module")
def headers(matrix_db: str) -> dict[str, dict[str, str]]:
    """Bearer headers per identity; cheap password hashes, as every identity signs in on the auth routes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        tokens = make_role_tokens(matrix_db, prefix=PREFIX)
    by_role = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
    return {"anonymous": {}, "facilitator_elsewhere": by_role["facilitator"], **by_role}


@pytest.fixture(scope="module")
def world(matrix_db: str, headers) -> World:
    """A stage-3 spot with an open urban_services action, a report and a focus group on each side."""
    found = World()
    with transaction(matrix_db) as conn:
        gis, deputy = get_user(conn, f"{PREFIX}-gis-office"), get_user(conn, f"{PREFIX}-deputy")
        with conn.cursor() as cur:
            cur.execute(
                "SELECT code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM area"
                " WHERE level = 'neighbourhood' ORDER BY code LIMIT 2"
            )
            for side, (code, lon, lat) in zip(("in", "out"), cur.fetchall()):
                found.hood[side], found.place[side] = code, (lon, lat)
        for side in ("in", "out"):
            with conn.cursor() as cur:
                cur.execute(
                    "INSERT INTO spot (geom, category, area_id, title)"
                    " SELECT ST_PointOnSurface(geom), 'poor_lighting', id, 'matrix spot' FROM area"
                    " WHERE code = %s RETURNING id",
                    (found.hood[side],),
                )
                spot = cur.fetchone()[0]
            version = workflow.verify(conn, user=gis, spot_id=spot, version=1)
            version = workflow.start_remediation(conn, user=gis, spot_id=spot, version=version)
            workflow.assign_action(
                conn,
                user=deputy,
                spot_id=spot,
                version=version,
                agency="urban_services",
                what="lamps",
                due_on=date(2026, 1, 1),
            )
            with conn.cursor() as cur:
                cur.execute("SELECT id FROM spot_action WHERE spot_id = %s", (spot,))
                found.spot[side], found.action[side] = spot, cur.fetchone()[0]
            lon, lat = found.place[side]
            report = submit_report(
                conn,
                ReportCreate(
                    source="field",
                    category="vacant_lot",
                    lon=lon,
                    lat=lat,
                    uuid=str(uuid.uuid4()),
                    description="seen",
                ),
            )
            with conn.cursor() as cur:
                cur.execute("SELECT uuid::text FROM report WHERE id = %s", (report.report_id,))
                found.report[side] = (report.report_id, cur.fetchone()[0])
                cur.execute("SELECT id FROM area WHERE code = %s", (found.hood[side],))
                area_id = cur.fetchone()[0]
            found.session[side], _ = create_session(
                conn,
                FocusGroupCreate(
                    area_id=area_id, held_on="1403/01/10", facilitator="Sara", participants=8, women=6
                ),
            )
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO programme_phase (name_fa, planned_start, planned_end)"
                " VALUES ('پایش', '2024-01-01', '2024-06-01') RETURNING id"
            )
            found.phase = cur.fetchone()[0]
    return found


@pytest.fixture(scope="module")
def client(matrix_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(matrix_db)) as test_client:
        yield test_client


def _fingerprint(db_url: str) -> dict[str, str]:
    """An md5 of every table's rows (the PostGIS catalogue aside), to see whether anything changed."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' ORDER BY 1"
        )
        tables = [row[0] for row in cur.fetchall()]
        cur.execute(
            " UNION ALL ".join(
                f"SELECT '{name}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f' FROM "{name}" t'
                for name in tables
            )
        )
        prints = dict(cur.fetchall())
    conn.close()
    return prints


def _versions(db_url: str, world: World, side: str) -> tuple[int, int]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT (SELECT version FROM spot WHERE id = %s), (SELECT version FROM spot_action"
            " WHERE id = %s)",
            (world.spot[side], world.action[side]),
        )
        versions = cur.fetchone()
    conn.close()
    return versions


def _request(
    client: TestClient,
    db_url: str,
    world: World,
    method: str,
    path: str,
    write: Write,
    who: str,
    headers: dict[str, dict[str, str]],
) -> httpx.Response:
    """One request as `who` on the objects of their side, sending the current version as If-Match."""
    side = "out" if who == "facilitator_elsewhere" else "in"
    spot_version, action_version = _versions(db_url, world, side)
    params = {
        "spot_id": world.spot[side],
        "action_id": world.action[side],
        "report_id": world.report[side][0],
        "report_uuid": world.report[side][1],
        "session_id": world.session[side],
        "code": "parks",
        "phase_id": world.phase,
        "fmt": "json",
    }
    url = path.replace("{rest:path}", "v2/requests/1.json").format_map(params)
    version = action_version if "{action_id}" in path else spot_version
    kwargs = write.call(world, side, who)
    client.cookies.clear()  # a session opened by /api/auth/login must not sign the next identity in
    return client.request(method, url, headers={**headers[who], "If-Match": f'"{version}"'}, **kwargs)


@pytest.mark.parametrize(("method", "path"), sorted(WRITES), ids=[f"{m} {p}" for m, p in sorted(WRITES)])
def test_who_may_not_write_is_refused_and_nothing_changes(client, matrix_db, world, headers, method, path):
    write = WRITES[(method, path)]
    refused = [who for who in IDENTITIES if not _allowed(write, who)]
    before = _fingerprint(matrix_db)
    for who in refused:
        response = _request(client, matrix_db, world, method, path, write, who, headers)
        where = f"{method} {path} as {who}: {response.status_code} {response.text[:300]}"
        if write.refusal == "georeport":
            assert response.status_code in (403, 404), where
            assert {"code", "description"} <= set(response.json()[0]), where
        else:
            assert response.status_code == (401 if who == "anonymous" else 403), where
            error = response.json()["error"]
            assert {"code", "message", "field"} <= set(error) and error["message"], where
            if who == "facilitator_elsewhere" and "facilitator" in write.roles:
                assert error["field"] == "area", where
    changed = {table for table, value in _fingerprint(matrix_db).items() if before.get(table) != value}
    assert not changed, f"{method} {path} refused to {', '.join(refused)} yet changed {sorted(changed)}"
    for who in IDENTITIES:
        if who not in refused:
            response = _request(client, matrix_db, world, method, path, write, who, headers)
            assert response.status_code not in (401, 403) and response.status_code < 500, (
                f"{method} {path} as {who}: {response.status_code} {response.text[:300]}"
            )


def _allowed(write: Write, who: str) -> bool:
    if who == "facilitator_elsewhere":
        return "facilitator" in write.roles and not write.area
    return who in write.roles
