"""Every write route × every role (and a facilitator outside their neighbourhood), as the access table says:
each route names the action of gis/access.py that guards it and the roles come from roles_for(action). Who may
not write is refused with 401 or 403 in the JSON error shape and changes nothing in the database; who may
write succeeds (2xx), on an object made for the call in the state the move needs (a stage-1 spot to verify, a
stage-4 one to close...), so a refusal is the guard's and a success is real, never a 409 or 422 in disguise.

The routes are enumerated from the app itself, so a new write route fails the run until WRITES names it.
"""

import io
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import psycopg2
import pytest
from argon2 import PasswordHasher
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from gis import users
from gis.access import ROLE_CODES, Scope, bound, may, roles_for, scope_of
from gis.aggregation import edits
from gis.db import Conn, transaction
from gis.intake.files import ImportOptions, import_reports
from gis.intake.files.jobs import create_job
from gis.intake.files.withdraw import withdraw_batch
from gis.intake.focus_groups import FocusGroupCreate, create_session
from gis.intake.reports import ReportCreate, submit_report
from gis.programme import workflow
from gis.programme.activities import add_activity
from gis.programme.agencies import add_agency, set_agency_active
from gis.programme.follow_ups import add_follow_up
from gis.programme.routing import add_rule
from gis.users import create_user, get_user, issue_token
from gis.vocabulary import AUDIT_KEYS
from tests.conftest import DEMO_TEMPLATE, _fresh, query_one
from tests.reliability.conftest import make_role_tokens

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ELSEWHERE = "facilitator_elsewhere"  # a facilitator acting on another neighbourhood's objects
IDENTITIES = ("anonymous", *ROLE_CODES, ELSEWHERE)


def _png() -> bytes:
    """A real 1×1 PNG: photos are decoded, so a PNG header alone is refused."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
PREFIX = "authz"
PASSWORD = "long enough password"
AUDIT = {key: 3 for key in AUDIT_KEYS}
SPOT = "/api/spots/{spot_id}"
AGENCY = "urban_services"  # the agency user's agency: every stage-3 spot made here has an action of it


@dataclass
class World:
    """Objects to act on, in the facilitator's neighbourhood ("in") and in another one ("out")."""

    hood: dict[str, str] = field(default_factory=dict)
    place: dict[str, tuple[float, float]] = field(default_factory=dict)
    report: dict[str, tuple[int, str]] = field(default_factory=dict)
    session: dict[str, int] = field(default_factory=dict)
    phase: int = 0


class Maker:
    """Makes, in one transaction, the object one call acts on: spots at a stage, actions, agencies, jobs."""

    def __init__(self, conn: Conn, world: World, side: str, who: str = "") -> None:
        self.conn, self.world, self.side, self.who = conn, world, side, who
        self.gis, self.deputy = get_user(conn, f"{PREFIX}-gis-office"), get_user(conn, f"{PREFIX}-deputy")
        self.agency = get_user(conn, f"{PREFIX}-agency")

    def value(self, query: str, params: tuple = ()) -> object:
        """The first column of the first row `query` returns, in the maker's transaction."""
        with self.conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchone()[0]

    def spot(self, stage: int = 1, *, done: bool = False) -> int:
        """A new spot in this side's neighbourhood at `stage`; from stage 3 with an open action of AGENCY
        (done, with `done` or at stage 4), at stage 4 re-audited."""
        spot = self.value(
            "INSERT INTO spot (geom, category, area_id, title) SELECT ST_PointOnSurface(geom),"
            " 'poor_lighting', id, 'matrix spot' FROM area WHERE code = %s RETURNING id",
            (self.world.hood[self.side],),
        )
        version = 1
        if stage >= 2:
            version = workflow.verify(self.conn, user=self.gis, spot_id=spot, version=version)
        if stage >= 3:
            version = workflow.start_remediation(self.conn, user=self.gis, spot_id=spot, version=version)
            workflow.assign_action(
                self.conn,
                user=self.deputy,
                spot_id=spot,
                version=version,
                agency=AGENCY,
                what="lamps",
                due_on=date(2026, 1, 1),
            )
        if stage >= 4 or done:
            action = self.action_of(spot)
            workflow.update_action(
                self.conn, user=self.agency, action_id=action, version=1, status="done", note="lit"
            )
        if stage >= 4:
            workflow.evaluate(
                self.conn,
                user=self.gis,
                spot_id=spot,
                version=self.version("spot", spot),
                visited_on=date(2024, 5, 1),
                audit=AUDIT,
            )
        return spot

    def action_of(self, spot: int) -> int:
        return self.value("SELECT id FROM spot_action WHERE spot_id = %s ORDER BY id DESC LIMIT 1", (spot,))

    def version(self, table: str, key: int) -> int:
        return self.value(f"SELECT version FROM {table} WHERE id = %s", (key,))

    def report(self) -> int:
        """A new report at this side's place (it joins whatever spot is there)."""
        lon, lat = self.world.place[self.side]
        return submit_report(
            self.conn,
            ReportCreate(
                source="field",
                category="vacant_lot",
                lon=lon,
                lat=lat,
                uuid=str(uuid.uuid4()),
                description="seen",
            ),
        ).report_id

    def accounts(self) -> dict[str, str]:
        """A new account per role and its bearer token, for a call that revokes tokens or changes the
        password: the matrix's own identities must keep working."""
        tokens = {}
        for role in ROLE_CODES:
            user = create_user(
                self.conn,
                username=f"{PREFIX}-{uuid.uuid4().hex[:12]}",
                password=PASSWORD,
                role=role,
                areas=[self.world.hood["in"]] if bound(role) is Scope.AREAS else (),
                agency=AGENCY if bound(role) is Scope.AGENCY else None,
            )
            tokens[role], _ = issue_token(self.conn, user.id)
        return tokens

    def follow_up(self) -> int:
        """A meeting's open follow-up owned by the identity that will act on it when a staff role owns such
        (the GIS office), else by AGENCY (the deputy marks any done)."""
        activity = add_activity(
            self.conn, user=self.deputy, kind="meeting", held_on=date(2024, 5, 1), title="matrix meeting"
        )
        owner = self.who if self.who in roles_for("follow_up.own") else AGENCY
        return add_follow_up(
            self.conn,
            user=self.deputy,
            activity_id=activity["id"],
            decision="light the alley",
            what="lamps",
            owner=owner,
            due_on=date(2024, 6, 1),
        )

    def agency_code(self, *, active: bool) -> str:
        code = f"ngo_{uuid.uuid4().hex[:8]}"
        add_agency(self.conn, user=self.deputy, code=code, name_fa="سمن محله")
        if not active:
            set_agency_active(self.conn, user=self.deputy, code=code, active=False)
        return code


Target = dict  # the path's parameters and what a body needs (place, neighbourhood, the spot to merge into)
Prepare = Callable[[Maker], Target]
Call = Callable[[Target, str], dict]


@dataclass(frozen=True)
class Write:
    """A write route: the access-table actions that guard it (one of them suffices), how to make the object a
    call acts on, and the request. Routes outside the table (signing in and out, Open311's own keys) name who
    gets through in `open_to` instead."""

    actions: tuple[str, ...] = ()
    call: Call = lambda target, who: {}
    prepare: Prepare = lambda make: {}
    open_to: frozenset[str] = frozenset()
    refusal: str = "json"  # "georeport": Open311 answers in its own error format
    effect: Callable[[str, Target], bool] | None = None  # after an allowed call: is its change there?

    def allows(self, who: str) -> bool:
        """Whether `who` may call the route: the table's roles, a facilitator only where the scope allows."""
        if not self.actions:
            return who in self.open_to
        role = {"anonymous": None, ELSEWHERE: "facilitator"}.get(who, who)
        scopes = [scope_of(role, action) for action in self.actions if may(role, action)]
        return bool(scopes) and (who != ELSEWHERE or Scope.AREAS not in scopes)

    def area_bound(self) -> bool:
        """Whether a facilitator may call it only in their neighbourhoods (elsewhere: refused on "area")."""
        return any(scope_of("facilitator", action) is Scope.AREAS for action in self.actions)


def _spot_at(stage: int, *, done: bool = False) -> Prepare:
    return lambda make: {"spot_id": make.spot(stage, done=done)}


def _open_action(make: Maker) -> Target:
    return {"action_id": make.action_of(make.spot(3))}


def _re_audited_spot(make: Maker) -> Target:
    spot = make.spot(4)
    visit = make.value("SELECT id FROM site_visit WHERE spot_id = %s AND purpose = 're_audit'", (spot,))
    return {"spot_id": spot, "visit_id": visit}


def _two_spots(make: Maker) -> Target:
    return {"spot_id": make.spot(1), "into": make.spot(1)}


def _merged_spot(make: Maker) -> Target:
    gone, kept = make.spot(1), make.spot(1)
    edits.merge(make.conn, user=make.gis, spot_id=gone, into=kept, note="same place")
    return {"spot_id": gone}


def _report_on_shared_spot(make: Maker) -> Target:
    """A report whose spot has another report too (a split needs one left behind)."""
    first = make.report()
    make.report()
    return {"report_id": first}


def _report_and_spot(make: Maker) -> Target:
    return {"report_id": make.report(), "into": make.spot(1)}


def _queued_job(make: Maker) -> Target:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "matrix.csv"
        path.write_text("lat,lon,category\n35.75,51.15,vacant_lot\n", encoding="utf-8")
        return {"job": create_job(make.conn, path, ImportOptions(source="mayor"), file_name="matrix.csv")}


def _imported_batch(make: Maker) -> Target:
    """A mayor's letter of one row, imported: to withdraw."""
    lon, lat = make.world.place[make.side]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "letter.csv"
        row = f"{lat:.6f},{lon:.6f},vacant_lot,letter {uuid.uuid4()}"
        path.write_text(f"lat,lon,category,description\n{row}\n", encoding="utf-8")
        return {"batch": import_reports(make.conn, path, ImportOptions(source="mayor")).batch_id}


def _withdrawn_batch(make: Maker) -> Target:
    """A letter imported and withdrawn: to put back."""
    target = _imported_batch(make)
    withdraw_batch(make.conn, target["batch"])
    return target


def _batch(make: Maker) -> Target:
    """An import batch to keep a letter with."""
    batch = make.value(
        "INSERT INTO import_batch (source, file_name, file_sha256, file_format) VALUES"
        " ('mayor', 'matrix.csv', repeat('0', 64), 'csv') RETURNING id"
    )
    return {"batch_id": batch}


def _closed_report(make: Maker) -> Target:
    """A report of a closed demo spot whose reporter was not asked yet."""
    report = make.value(
        "SELECT r.id FROM report r JOIN spot s ON s.id = r.spot_id WHERE s.status = 'resolved' AND NOT"
        " EXISTS (SELECT 1 FROM reporter_follow_up f WHERE f.report_id = r.id) ORDER BY r.id LIMIT 1"
    )
    return {"closed_report": report}


def _routing_rule(make: Maker) -> Target:
    """A rule to remove (made again after a removal: the same rule is one row)."""
    rule = add_rule(make.conn, user=make.deputy, category="park_corner", agency=AGENCY, due_days=7)
    return {"rule_id": rule["id"]}


def _follow_up(make: Maker) -> Target:
    return {"follow_up_id": make.follow_up()}


def _follow_up_done(db_url: str, target: Target) -> bool:
    done = query_one(
        db_url, "SELECT done_at, outcome FROM follow_up WHERE id = %s", (target["follow_up_id"],)
    )
    return done is not None and done[0] is not None and done[1] == "authorization matrix"


def _note(target: Target, who: str) -> dict:
    return {"json": {"note": "authorization matrix"}}


def _report_body(target: Target, who: str) -> dict:
    lon, lat = target["place"]
    return {
        "json": {
            "uuid": str(uuid.uuid4()),
            "category": "vacant_lot",
            "lon": lon,
            "lat": lat,
            "source": "field",
        }
    }


def _points(target: Target, who: str) -> dict:
    lon, lat = target["place"]
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"category": "vacant_lot", "description": "marked in the session"},
    }
    return {"json": {"type": "FeatureCollection", "features": [point]}}


def _action_update(target: Target, who: str) -> dict:
    """An agency works its action; staff cancel one."""
    return {
        "json": {"status": "in_progress" if may(who, "action.progress") else "cancelled", "note": "matrix"}
    }


def _import(target: Target, who: str) -> dict:
    lon, lat = target["place"]
    text = f"lat,lon,category,description\n{lat:.6f},{lon:.6f},vacant_lot,matrix {uuid.uuid4()}\n"
    return {"files": {"file": ("matrix.csv", text.encode(), "text/csv")}}


def _own_account(target: Target, who: str) -> dict:
    """Signing out revokes the token sent, changing the password every other one: act as an account made
    for this call, not as the identity's."""
    role = {ELSEWHERE: "facilitator"}.get(who, who)
    return {"headers": {"Authorization": f"Bearer {target['tokens'][role]}"}} if role in ROLE_CODES else {}


def _sign_in(target: Target, who: str) -> dict:
    return {"json": {"username": f"{PREFIX}-viewer", "password": PASSWORD}}


EVERYONE = frozenset(IDENTITIES)
SIGNED_IN = EVERYONE - {"anonymous"}

WRITES: dict[tuple[str, str], Write] = {
    ("POST", "/api/auth/token"): Write(call=_sign_in, open_to=EVERYONE),
    ("POST", "/api/auth/login"): Write(call=_sign_in, open_to=EVERYONE),
    ("POST", "/api/auth/logout"): Write(
        call=_own_account, prepare=lambda make: {"tokens": make.accounts()}, open_to=SIGNED_IN
    ),
    ("POST", "/api/auth/password"): Write(
        call=lambda t, who: (
            _own_account(t, who)
            | {"json": {"current_password": PASSWORD, "new_password": "another long password"}}
        ),
        prepare=lambda make: {"tokens": make.accounts()},
        open_to=SIGNED_IN,
    ),
    ("POST", f"{SPOT}/verify"): Write(("spot.verify",), _note, _spot_at(1)),
    ("POST", f"{SPOT}/reject"): Write(
        ("spot.reject",), lambda t, who: {"json": {"reason": "not_unsafe", "note": "x"}}, _spot_at(1)
    ),
    ("POST", f"{SPOT}/remediation"): Write(("spot.remediate",), _note, _spot_at(2)),
    ("POST", f"{SPOT}/visits"): Write(
        ("spot.visit",),
        lambda t, who: {"json": {"visited_on": "1403/01/15", "findings": "dark"}},
        _spot_at(3),
    ),
    ("POST", f"{SPOT}/actions"): Write(
        ("action.assign",),
        lambda t, who: {"json": {"agency": "traffic", "what": "clear the bushes", "due_on": "1405/10/30"}},
        _spot_at(3),
    ),
    ("PATCH", "/api/actions/{action_id}"): Write(
        ("action.progress", "action.cancel"), _action_update, _open_action
    ),
    ("POST", "/api/actions/{action_id}/photos"): Write(
        ("action.progress",),
        lambda t, who: {"data": {"uuid": str(uuid.uuid4())}, "files": {"file": ("p.png", PNG, "image/png")}},
        _open_action,
    ),
    ("POST", f"{SPOT}/visits/{{visit_id}}/photos"): Write(
        ("spot.visit",),
        lambda t, who: {"data": {"uuid": str(uuid.uuid4())}, "files": {"file": ("p.png", PNG, "image/png")}},
        _re_audited_spot,
    ),
    ("POST", f"{SPOT}/notes"): Write(("spot.note",), _note, _spot_at(3)),
    ("POST", f"{SPOT}/evaluation"): Write(
        ("spot.evaluate",),
        lambda t, who: {"json": {"visited_on": "1403/01/20", "audit": AUDIT}},
        _spot_at(3, done=True),
    ),
    ("POST", f"{SPOT}/close"): Write(
        ("spot.close",), lambda t, who: {"json": {"reason": "fixed"}}, _spot_at(4)
    ),
    ("POST", f"{SPOT}/reopen"): Write(
        ("spot.reopen",), lambda t, who: {"json": {"reason": "complaints again"}}, _spot_at(4)
    ),
    ("POST", "/api/reports"): Write(("report.submit",), _report_body),
    ("POST", "/api/reports/{report_uuid}/photos"): Write(
        ("report.submit",),
        lambda t, who: {"data": {"uuid": str(uuid.uuid4())}, "files": {"file": ("p.png", PNG, "image/png")}},
    ),
    ("POST", "/api/focus-groups"): Write(
        ("focus_group.record",),
        lambda t, who: {
            "json": {
                "area": t["hood"],
                "held_on": "1403/02/01",
                "facilitator": "Sara",
                "participants": 9,
                "women": 7,
                "uuid": str(uuid.uuid4()),
            }
        },
    ),
    ("POST", "/api/focus-groups/{session_id}/points"): Write(("focus_group.record",), _points),
    ("POST", "/open311/v2/requests.{fmt}"): Write(
        call=lambda t, who: {
            "data": {"service_code": "vacant_lot", "lat": str(t["place"][1]), "long": str(t["place"][0])}
        },
        refusal="georeport",
    ),
    ("POST", "/api/imports/reports"): Write(("import.reports",), _import),
    ("POST", "/api/imports/{job}/cancel"): Write(("import.reports",), prepare=_queued_job),
    ("POST", "/api/imports/preview"): Write(("import.reports",), _import),
    ("POST", "/api/imports/aliases"): Write(
        ("import.reports",),
        lambda t, who: {"json": {"aliases": [{"kind": "category", "written": "x", "code": "vacant_lot"}]}},
    ),
    ("POST", "/api/imports/date-rules"): Write(
        ("import.reports",), lambda t, who: {"json": {"rule": "two_digit_year"}}
    ),
    ("POST", "/api/imports/batches/{batch_id}/letter"): Write(
        ("import.reports",),
        lambda t, who: {"data": {"number": "12", "date": "1403/08/12"}, "files": {"scan": ("s.png", PNG)}},
        _batch,
    ),
    ("POST", "/api/imports/batches/{batch}/withdraw"): Write(("import.reports",), prepare=_imported_batch),
    ("POST", "/api/imports/batches/{batch}/restore"): Write(("import.reports",), prepare=_withdrawn_batch),
    ("PATCH", f"{SPOT}/location"): Write(
        ("spot.edit",),
        lambda t, who: {"json": {"x": t["place"][0], "y": t["place"][1], "note": "surveyed"}},
        _spot_at(1),
    ),
    ("POST", f"{SPOT}/merge"): Write(
        ("spot.edit",), lambda t, who: {"json": {"into": t["into"], "note": "same place"}}, _two_spots
    ),
    ("POST", f"{SPOT}/unmerge"): Write(("spot.edit",), _note, _merged_spot),
    ("POST", "/api/reports/{report_id}/split"): Write(("spot.edit",), _note, _report_on_shared_spot),
    ("POST", "/api/reports/{report_id}/attach"): Write(
        ("spot.edit",),
        lambda t, who: {"json": {"into": t["into"], "note": "belongs there"}},
        _report_and_spot,
    ),
    ("POST", "/api/agencies"): Write(
        ("agency.manage",),
        lambda t, who: {"json": {"code": f"ngo_{uuid.uuid4().hex[:8]}", "name_fa": "سمن محله"}},
    ),
    ("POST", "/api/agencies/{code}/deactivate"): Write(
        ("agency.manage",), prepare=lambda make: {"code": make.agency_code(active=True)}
    ),
    ("POST", "/api/agencies/{code}/activate"): Write(
        ("agency.manage",), prepare=lambda make: {"code": make.agency_code(active=False)}
    ),
    ("POST", "/api/programme/activities"): Write(
        ("programme.manage",),
        lambda t, who: {"json": {"kind": "meeting", "held_on": "1403/02/10", "title": "working group"}},
    ),
    ("POST", "/api/programme/phases"): Write(
        ("programme.manage",),
        lambda t, who: {
            "json": {"name_fa": "شناسایی", "planned_start": "1403/01/01", "planned_end": "1403/03/01"}
        },
    ),
    ("PATCH", "/api/programme/phases/{phase_id}"): Write(
        ("programme.manage",), lambda t, who: {"json": {"actual_start": "1403/01/05"}}
    ),
    ("POST", "/api/programme/follow-ups/{follow_up_id}/done"): Write(
        ("follow_up.complete",), _note, _follow_up, effect=_follow_up_done
    ),
    ("POST", "/api/routing-rules"): Write(
        ("routing.manage",),
        lambda t, who: {"json": {"category": "vacant_lot", "agency": AGENCY, "due_days": 14}},
    ),
    ("DELETE", "/api/routing-rules/{rule_id}"): Write(("routing.manage",), prepare=_routing_rule),
    ("POST", "/api/inbox/read"): Write(call=lambda t, who: {"json": {}}, open_to=SIGNED_IN),
    ("POST", "/api/reporter-calls"): Write(
        ("report.contact",),
        lambda t, who: {"json": {"report_id": t["closed_report"], "answer": "same"}},
        _closed_report,
    ),
    # The catch-all answers 404 in GeoReport's format for what Open311 does not define; it writes nothing.
    **{
        (method, "/open311/{rest:path}"): Write(refusal="georeport")
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


def test_the_expectations_are_the_access_tables():
    """The roles each route lets through are roles_for(its actions), not a copy."""
    verify = WRITES[("POST", f"{SPOT}/verify")]
    assert {who for who in IDENTITIES if verify.allows(who)} == {"gis_office"}
    visits = WRITES[("POST", f"{SPOT}/visits")]
    assert {who for who in IDENTITIES if visits.allows(who)} == {"gis_office", "deputy", "facilitator"}
    assert visits.area_bound() and not WRITES[("POST", f"{SPOT}/notes")].area_bound()


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
    return {"anonymous": {}, ELSEWHERE: by_role["facilitator"], **by_role}


@pytest.fixture(scope="module")
def world(matrix_db: str, headers) -> World:
    """Two neighbourhoods, the facilitator's first ("in"), with a report and a focus group each."""
    found = World()
    with transaction(matrix_db) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM area"
                " WHERE level = 'neighbourhood' ORDER BY code LIMIT 2"
            )
            for side, (code, lon, lat) in zip(("in", "out"), cur.fetchall()):
                found.hood[side], found.place[side] = code, (lon, lat)
        for side in ("in", "out"):
            report = Maker(conn, found, side).report()
            with conn.cursor() as cur:
                cur.execute("SELECT uuid::text FROM report WHERE id = %s", (report,))
                found.report[side] = (report, cur.fetchone()[0])
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
    """The app on the matrix database, its import worker stopped: a queued job must stay queued while the
    matrix looks at it (the worker is not what is tested here)."""
    with TestClient(create_app(matrix_db)) as test_client:
        test_client.app.state.import_worker.stop()
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


def _side(who: str) -> str:
    return "out" if who == ELSEWHERE else "in"


def _target(db_url: str, world: World, write: Write, side: str, who: str = "") -> Target:
    """The path's parameters on `side`, with a new object made for the call (by `who`, when it is to be
    theirs) where the route needs one."""
    with transaction(db_url) as conn:
        made = write.prepare(Maker(conn, world, side, who))
    return {
        "report_id": world.report[side][0],
        "report_uuid": world.report[side][1],
        "session_id": world.session[side],
        "phase_id": world.phase,
        "fmt": "json",
        "place": world.place[side],
        "hood": world.hood[side],
        **made,
    }


def _version(db_url: str, path: str, target: Target) -> str:
    """The If-Match a client that just read the object would send."""
    table, key = ("spot_action", "action_id") if "{action_id}" in path else ("spot", "spot_id")
    if key not in target:
        return ""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT version FROM {table} WHERE id = %s", (target[key],))
        version = cur.fetchone()[0]
    conn.close()
    return f'"{version}"'


def _request(
    client: TestClient, db_url: str, method: str, path: str, write: Write, who: str, target: Target, headers
) -> httpx.Response:
    """One request as `who` on `target`, sending the object's current version as If-Match."""
    url = path.replace("{rest:path}", "v2/requests/1.json").format_map(target)
    version = _version(db_url, path, target)
    kwargs = write.call(target, who)
    sent = {**headers[who], **kwargs.pop("headers", {}), **({"If-Match": version} if version else {})}
    client.cookies.clear()  # a session opened by /api/auth/login must not sign the next identity in
    return client.request(method, url, headers=sent, **kwargs)


@pytest.mark.parametrize(("method", "path"), sorted(WRITES), ids=[f"{m} {p}" for m, p in sorted(WRITES)])
def test_who_may_not_write_is_refused_and_who_may_succeeds(client, matrix_db, world, headers, method, path):
    write = WRITES[(method, path)]
    refused = [who for who in IDENTITIES if not write.allows(who)]
    # A refused call changes nothing, so the refused share one object per side, made before the fingerprint.
    targets = {side: _target(matrix_db, world, write, side) for side in {_side(who) for who in refused}}
    before = _fingerprint(matrix_db)
    for who in refused:
        response = _request(client, matrix_db, method, path, write, who, targets[_side(who)], headers)
        where = f"{method} {path} as {who}: {response.status_code} {response.text[:300]}"
        if write.refusal == "georeport":
            assert response.status_code in (403, 404), where
            assert {"code", "description"} <= set(response.json()[0]), where
        elif who == ELSEWHERE and write.area_bound() and "{" in path:
            # A record in another neighbourhood, named by its id, is not found: its existence is not told.
            assert response.status_code == 404, where
            assert response.json()["error"]["code"] == "not_found", where
        else:
            assert response.status_code == (401 if who == "anonymous" else 403), where
            error = response.json()["error"]
            assert {"code", "message", "field"} <= set(error) and error["message"], where
            if who == ELSEWHERE and write.area_bound():
                assert error["field"] == "area", where
    changed = {table for table, value in _fingerprint(matrix_db).items() if before.get(table) != value}
    assert not changed, f"{method} {path} refused to {', '.join(refused)} yet changed {sorted(changed)}"
    for who in IDENTITIES:
        if write.allows(who):
            target = _target(matrix_db, world, write, _side(who), who)
            response = _request(client, matrix_db, method, path, write, who, target, headers)
            assert 200 <= response.status_code < 300, (
                f"{method} {path} as {who}: {response.status_code} {response.text[:300]}"
            )
            assert write.effect is None or write.effect(matrix_db, target), f"{method} {path} as {who}"
