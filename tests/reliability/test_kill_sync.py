"""A tablet's sync cut mid-request: the server is killed (SIGKILL) while one of the queued items is being
written, at four points (a report, a photo, a focus-group session and its points); the tablet then sends
what it still holds again, with the same UUIDs, to the restarted server. Every item is stored exactly once,
none half-written, and sending the whole queue a third time adds nothing (each answer a 200, not a 201).

The requests are the ones api/static/field/field.js sends: the report's JSON with its `uuid`, then its photo
(multipart, `uuid` and `file`) under the report's UUID, then a session (JSON with `uuid`) and its points (a
FeatureCollection whose features carry a `uuid` each). Like the page, the sender goes through the queue in
order, forgets an item on a 2xx only, and stops at the first lost connection.

The kill is timed by the database: before the chosen item is sent, a test connection locks the table that
item writes last (spot_event for a report or points: the report row and its spot are already written), so the
request stops inside its transaction; once the server's session waits on that lock, the server is killed.
"""

import io
import threading
import time
import uuid
from collections.abc import Callable

import httpx
import psycopg2
from PIL import Image

from tests.conftest import query_one as _query
from tests.reliability.conftest import make_role_tokens
from tests.reliability.test_kill_import import _kill, _wait_for_backends_to_go

REPORTS = 8
POINTS = 5
HELD_ON = "1402/10/25"


def _jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


def _places(db_url: str, count: int) -> tuple[str, list[tuple[float, float]]]:
    """The facilitator's neighbourhood and `count` places in it, 300 m apart at least (one spot each)."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT code, id FROM area WHERE level = 'neighbourhood' ORDER BY code LIMIT 1")
        code, area_id = cur.fetchone()
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints("
            " ST_Buffer(geom::geography, -60)::geometry, 400, 19))).geom AS p FROM area WHERE id = %s) q",
            (area_id,),
        )
        candidates = cur.fetchall()
    conn.close()
    chosen: list[tuple[float, float]] = []
    for lon, lat in candidates:
        if all(abs(lon - x) * 90_400 + abs(lat - y) * 111_000 > 300 for x, y in chosen):
            chosen.append((lon, lat))
    assert len(chosen) >= count, "the neighbourhood is too small for the queue's places"
    return code, chosen[:count]


def _queue(db_url: str) -> list[dict]:
    """The tablet's outbox, in its order: each report then its photo, then a session with its points."""
    code, places = _places(db_url, REPORTS + POINTS)
    items: list[dict] = []
    for n, (lon, lat) in enumerate(places[:REPORTS]):
        report = str(uuid.uuid4())
        body = {
            "uuid": report,
            "category": "vacant_lot",
            "lat": lat,
            "lon": lon,
            "description": f"زمین رها شده {n}",
            "time_of_day": "night",
            "audit": None,
            "reported_at": "2024-01-15T18:30:00+03:30",
            "source": "field",
        }
        items.append({"id": report, "kind": "report", "url": "/api/reports", "body": body})
        items.append({"id": str(uuid.uuid4()), "kind": "photo", "report": report, "blob": _jpeg(n * 20)})
    session = str(uuid.uuid4())
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"category": "poor_lighting", "description": "", "uuid": str(uuid.uuid4())},
        }
        for lon, lat in places[REPORTS:]
    ]
    items.append(
        {
            "id": session,
            "kind": "focus_group",
            "body": {
                "session": {
                    "area": code,
                    "held_on": HELD_ON,
                    "facilitator": "خانم رضایی",
                    "participants": 12,
                    "women": 9,
                    "notes": "",
                    "uuid": session,
                },
                "points": {"type": "FeatureCollection", "features": features},
            },
        }
    )
    return items


class Tablet:
    """field.js's sender: the same requests, in order, forgetting an item on a 2xx only."""

    def __init__(self, token: str, items: list[dict]) -> None:
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "fa"}
        self.outbox = list(items)
        self.answers: list[httpx.Response] = []

    def _post(self, url: str, **kwargs) -> httpx.Response:
        return httpx.post(url, headers=self.headers, timeout=60, **kwargs)

    def send(self, base: str, item: dict) -> httpx.Response:
        if item["kind"] == "photo":
            return self._post(
                f"{base}/api/reports/{item['report']}/photos",
                data={"uuid": item["id"]},
                files={"file": (f"{item['id']}.jpg", item["blob"], "image/jpeg")},
            )
        if item["kind"] == "focus_group":
            session = self._post(f"{base}/api/focus-groups", json=item["body"]["session"])
            if not session.is_success:
                return session
            points = f"{base}/api/focus-groups/{session.json()['id']}/points"
            return self._post(points, json=item["body"]["points"])
        return self._post(f"{base}{item['url']}", json=item["body"])

    def flush(self, base: str, until: int | None = None) -> bool:
        """Send the outbox (its first `until` items only, when given); False when the connection was lost."""
        while self.outbox and (until is None or until > 0):
            try:
                response = self.send(base, self.outbox[0])
            except httpx.TransportError:
                return False
            assert response.is_success, response.text
            self.answers.append(response)
            self.outbox.pop(0)
            until = None if until is None else until - 1
        return True


STATE_SQL = """
    SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM report_photo),
           (SELECT count(*) FROM focus_group), (SELECT count(*) FROM spot), (SELECT count(*) FROM spot_event)
"""


def _stored(db_url: str, items: list[dict]) -> dict[str, int]:
    """How many rows hold each of the queue's UUIDs (reports, photos, the session, its points)."""
    uuids = [i["id"] for i in items]
    for item in items:
        if item["kind"] == "focus_group":
            uuids += [f["properties"]["uuid"] for f in item["body"]["points"]["features"]]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT u, (SELECT count(*) FROM report WHERE uuid::text = u)"
            " + (SELECT count(*) FROM report_photo WHERE uuid::text = u)"
            " + (SELECT count(*) FROM focus_group WHERE uuid::text = u) FROM unnest(%s::text[]) AS u",
            (uuids,),
        )
        found = dict(cur.fetchall())
    conn.close()
    return found


def _consistent(db_url: str) -> None:
    """No half-written item: every report on a spot that counts it, every spot's creation logged, every photo
    whole, every session's points all there or none."""
    checks = {
        "a report without its spot": "SELECT count(*) FROM report WHERE spot_id IS NULL",
        "a spot whose count is not its reports'": "SELECT count(*) FROM spot s WHERE status <> 'merged'"
        " AND report_count <> (SELECT count(*) FROM report r WHERE r.spot_id = s.id)",
        "a spot without its 'created' event": "SELECT count(*) FROM spot s WHERE NOT EXISTS"
        " (SELECT 1 FROM spot_event e WHERE e.spot_id = s.id AND e.kind IN ('created', 'split'))",
        "a photo whose bytes are not the ones stored": "SELECT count(*) FROM report_photo"
        " WHERE octet_length(bytes) = 0 OR sha256 <> encode(sha256(bytes), 'hex')",
    }
    for what, sql in checks.items():
        assert _query(db_url, sql)[0] == 0, what


def _outcome(flush: Callable[[str], bool], base: str) -> bool | AssertionError:
    """What the sender ended with: False for a lost connection, or the refusal it met."""
    try:
        return flush(base)
    except AssertionError as refused:
        return refused


def _held(db_url: str, table: str, until: Callable[[], bool], outcome: list) -> None:
    """Block until the server's session waits on `table`'s lock (its request stopped mid-write)."""
    deadline = time.monotonic() + 60
    sql = (
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        f" WHERE NOT l.granted AND l.relation = '{table}'::regclass AND a.application_name = 'safemap'"
    )
    while not _query(db_url, sql)[0]:
        assert until(), f"the request ended before it reached the locked table: {outcome}"
        assert time.monotonic() < deadline, f"the request never reached {table}"
        time.sleep(0.01)


# (index in the queue, the table the request is stopped at): report 1 (its row and spot written), photo 3,
# the session itself, then its points (their reports and spots written). Each kill costs a server start.
KILL_POINTS = [
    (0, "spot_event"),
    (5, "report_photo"),
    (2 * REPORTS, "focus_group"),
    (2 * REPORTS, "spot_event"),
]


def test_sync_killed_mid_request_at_four_points_stores_every_item_exactly_once(db_url, start_server):
    token = make_role_tokens(db_url, prefix="sync")["facilitator"]
    items = _queue(db_url)
    tablet = Tablet(token, items)
    before = _query(db_url, STATE_SQL)
    server, base = start_server()
    for index, table in KILL_POINTS:
        sent = len(items) - len(tablet.outbox)
        assert tablet.flush(base, until=index - sent)
        if table == "spot_event" and tablet.outbox[0]["kind"] == "focus_group":
            # The session is stored and its answer lost; the points are cut when the tablet sends both again.
            session = tablet.outbox[0]["body"]["session"]
            assert tablet._post(f"{base}/api/focus-groups", json=session).status_code == 201
        outcome: list[bool] = []
        with psycopg2.connect(db_url) as holder, holder.cursor() as cur:
            cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            sync = threading.Thread(target=lambda: outcome.append(_outcome(tablet.flush, base)))
            sync.start()
            _held(db_url, table, sync.is_alive, outcome)
            _kill(server)
            sync.join(timeout=30)
        holder.close()
        assert outcome == [False], f"the request at {index} was answered"
        _wait_for_backends_to_go(db_url)
        _consistent(db_url)
        cut = tablet.outbox[0]
        stored = _stored(db_url, [cut])
        if cut["kind"] == "focus_group":
            points = [stored[f["properties"]["uuid"]] for f in cut["body"]["points"]["features"]]
            assert points in ([0] * POINTS, [1] * POINTS), f"some of the session's points after kill {index}"
        else:
            assert stored[cut["id"]] == 0, f"the {cut['kind']} cut at {index} was kept"
        server, base = start_server()

    assert tablet.flush(base)
    stored = _stored(db_url, items)
    assert set(stored.values()) == {1}, {u: n for u, n in stored.items() if n != 1}
    _consistent(db_url)
    added = [after - was for after, was in zip(_query(db_url, STATE_SQL), before)]
    assert added[:3] == [REPORTS + POINTS, REPORTS, 1]

    again = Tablet(token, items)
    assert again.flush(base)
    assert [r.status_code for r in again.answers] == [200] * len(items)
    assert all(r.json()["created"] in (False, 0) for r in again.answers)
    assert _stored(db_url, items) == stored
    assert [after - was for after, was in zip(_query(db_url, STATE_SQL), before)] == added
