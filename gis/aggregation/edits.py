"""The GIS office's hand edits of the aggregation: merge two spots, split a report off, and their reversals.

Each edit locks the spots it touches (in id order, so two edits never deadlock), moves reports, bumps the
spots' versions (so a stale stage transition is refused) and appends events to both spots' histories. The
events carry what the reversal needs: a merge lists the reports it moved, so `unmerge` moves exactly those
back; a split report is re-attached (or its spot merged back) with `reattach`.
"""

from dataclasses import dataclass

from gis.aggregation.aggregate import NEW_SPOT_SQL, refresh_spots
from gis.db import Conn, one_value
from gis.errors import Conflict, InvalidInput, NotFound
from gis.spots import record_event
from gis.users import User

# A spot whose history holds one of these was shaped by hand: `safemap aggregate --rebuild` leaves it alone.
HAND_EDITED_SQL = """
    EXISTS (SELECT 1 FROM spot_event e WHERE e.spot_id = s.id
            AND (e.kind IN ('merged', 'merge_received', 'unmerged', 'unmerge_released', 'report_split',
                            'report_moved')
                 OR (e.kind IN ('created', 'report_attached')
                     AND (e.payload ? 'split_from' OR e.payload ? 'from'))))
"""

CANDIDATES_SQL = """
    SELECT coalesce(json_agg(c ORDER BY c.distance_m, c.id), '[]')
    FROM (
        SELECT o.id, o.title, o.category, cat.label_fa AS category_fa, cat.label_en AS category_en,
               category_compatible(s.category, o.category) AS compatible, o.stage, o.status, o.priority,
               o.report_count,
               round(ST_Distance(s.geom::geography, o.geom::geography)::numeric, 1) AS distance_m,
               (SELECT coalesce(json_agg(DISTINCT r.source), '[]') FROM report r WHERE r.spot_id = o.id)
                   AS sources
        FROM spot s
        JOIN spot o ON o.id <> s.id AND o.status IN ('open', 'resolved')
                   AND ST_DWithin(s.geom::geography, o.geom::geography, %(radius)s)
        JOIN category cat ON cat.code = o.category
        WHERE s.id = %(spot)s
        ORDER BY ST_Distance(s.geom::geography, o.geom::geography), o.id
        LIMIT %(limit)s
    ) c
"""

# No contact data here: it lives in report_contact and stays there.
SPOT_REPORTS_SQL = """
    SELECT coalesce(json_agg(x ORDER BY x.reported_at, x.id), '[]')
    FROM (
        SELECT r.id, r.source, src.label_fa AS source_fa, src.label_en AS source_en, r.category,
               cat.label_fa AS category_fa, cat.label_en AS category_en, r.description, r.time_of_day,
               r.reported_at,
               round(ST_Distance(s.geom::geography, r.geom::geography)::numeric, 1) AS distance_m
        FROM report r
        JOIN spot s ON s.id = r.spot_id
        JOIN source src ON src.code = r.source
        JOIN category cat ON cat.code = r.category
        WHERE r.spot_id = %(spot)s
    ) x
"""

# A stage-1 spot sits where its first report put it; when that report leaves, it moves to the next one.
RESEAT_SQL = """
    UPDATE spot s SET geom = first.geom, area_id = first.area_id,
                      location_precision = first.location_precision
    FROM report gone, LATERAL (SELECT r.geom, r.area_id, r.location_precision FROM report r
                               WHERE r.spot_id = %(spot)s
                               ORDER BY r.id LIMIT 1) first
    WHERE s.id = %(spot)s AND gone.id = %(report)s AND s.stage = 1 AND ST_Equals(s.geom, gone.geom)
"""


@dataclass(frozen=True)
class EditedSpot:
    """The locked row of a spot being edited."""

    id: int
    stage: int
    status: str
    version: int
    merged_into: int | None
    reports: int


def _note(note: str | None) -> str:
    text = (note or "").strip()
    if not text:
        raise InvalidInput("note", "say_why_kept_both_spots")
    if len(text) > 4000:
        raise InvalidInput("note", "at_most_4000_characters")
    return text


def _lock(conn: Conn, *spot_ids: int) -> dict[int, EditedSpot]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.id, s.stage, s.status, s.version, s.merged_into,"
            " (SELECT count(*) FROM report r WHERE r.spot_id = s.id)"
            " FROM spot s WHERE s.id = ANY(%s) ORDER BY s.id FOR UPDATE OF s",
            (list(spot_ids),),
        )
        found = {row[0]: EditedSpot(*row) for row in cur.fetchall()}
    for spot_id in spot_ids:
        if spot_id not in found:
            raise NotFound("spot_does_exist", spot_id=spot_id, field="spot")
    return found


def _report_spot(conn: Conn, report_id: int) -> tuple[int, str]:
    with conn.cursor() as cur:
        cur.execute("SELECT spot_id, source FROM report WHERE id = %s", (report_id,))
        row = cur.fetchone()
    if row is None:
        raise NotFound("report_does_exist", report_id=report_id, field="report")
    return row


def _touch(cur, *spot_ids: int) -> None:
    cur.execute(
        "UPDATE spot SET version = version + 1, updated_at = now() WHERE id = ANY(%s)", (list(spot_ids),)
    )


def _open_target(spot: EditedSpot) -> None:
    if spot.status in ("merged", "rejected"):
        raise Conflict("spot_reports_cannot_join", spot_id=spot.id, status=spot.status, field="into")


def candidates(conn: Conn, *, spot_id: int, radius_m: float = 200.0, limit: int = 20) -> list[dict]:
    """Open or resolved spots near a spot, nearest first, with distance, category and sources."""
    if not 0 < radius_m <= 5000:
        raise InvalidInput("radius", "between_0_and_5000_metres")
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM spot WHERE id = %s", (spot_id,))
        if cur.fetchone() is None:
            raise NotFound("spot_does_exist", spot_id=spot_id, field="id")
        cur.execute(CANDIDATES_SQL, {"spot": spot_id, "radius": radius_m, "limit": limit})
        return cur.fetchone()[0]


def spot_reports(conn: Conn, *, spot_id: int) -> list[dict]:
    """The reports a spot aggregates, oldest first, with source, category and distance from the spot."""
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM spot WHERE id = %s", (spot_id,))
        if cur.fetchone() is None:
            raise NotFound("spot_does_exist", spot_id=spot_id, field="id")
        cur.execute(SPOT_REPORTS_SQL, {"spot": spot_id})
        return cur.fetchone()[0]


def merge(conn: Conn, *, user: User, spot_id: int, into: int, note: str, version: int | None = None) -> dict:
    """Merge `spot_id` into `into`: its reports move there, it becomes 'merged'. Undone by `unmerge`."""
    user.require("spot.edit")
    note = _note(note)
    if into == spot_id:
        raise InvalidInput("into", "spot_cannot_merged_into_itself")
    spots = _lock(conn, spot_id, into)
    gone, kept = spots[spot_id], spots[into]
    if version is not None and version != gone.version:
        raise Conflict(
            "spot_changed_since_you_read",
            spot_id=spot_id,
            version=version,
            current=gone.version,
            field="version",
        )
    if gone.status == "merged":
        raise Conflict(
            "spot_already_merged_into_spot", spot_id=spot_id, merged_into=gone.merged_into, field="status"
        )
    _open_target(kept)
    if gone.stage > kept.stage:
        raise Conflict(
            "spot_at_stage_spot_at",
            spot_id=spot_id,
            stage=gone.stage,
            into=into,
            into_stage=kept.stage,
            field="into",
        )
    with conn.cursor() as cur:
        cur.execute("UPDATE report SET spot_id = %s WHERE spot_id = %s RETURNING id", (into, spot_id))
        moved = sorted(row[0] for row in cur.fetchall())
        cur.execute("UPDATE spot SET status = 'merged', merged_into = %s WHERE id = %s", (into, spot_id))
        _touch(cur, spot_id, into)
        record_event(
            cur, spot_id, user, "merged", note, into=into, report_ids=moved, status_before=gone.status
        )
        record_event(cur, into, user, "merge_received", note, **{"from": spot_id}, report_ids=moved)
    refresh_spots(conn, [spot_id, into])
    return {"spot": spot_id, "into": into, "moved_reports": moved}


def unmerge(conn: Conn, *, user: User, spot_id: int, note: str) -> dict:
    """Undo the last merge of `spot_id`: the reports it brought go back and it takes its former status."""
    user.require("spot.edit")
    note = _note(note)
    with conn.cursor() as cur:
        cur.execute("SELECT merged_into FROM spot WHERE id = %s", (spot_id,))
        row = cur.fetchone()
    if row is None:
        raise NotFound("spot_does_exist", spot_id=spot_id, field="spot")
    if row[0] is None:
        raise Conflict("spot_merged", spot_id=spot_id, field="status")
    spots = _lock(conn, spot_id, row[0])
    gone, kept = spots[spot_id], spots[row[0]]
    if gone.merged_into != kept.id:
        raise Conflict("spot_changed_while_you_asked", spot_id=spot_id, field="status")
    if kept.status == "merged":
        raise Conflict(
            "spot_was_itself_merged_into", kept_id=kept.id, merged_into=kept.merged_into, field="status"
        )
    payload = one_value(
        conn,
        "SELECT payload FROM spot_event WHERE spot_id = %s AND kind = 'merged' ORDER BY id DESC LIMIT 1",
        (spot_id,),
        Conflict("spot_was_merged_by_rebuild", spot_id=spot_id, field="status"),
    )
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE report SET spot_id = %s WHERE id = ANY(%s) AND spot_id = %s RETURNING id",
            (spot_id, payload["report_ids"], kept.id),
        )
        back = sorted(r[0] for r in cur.fetchall())
        cur.execute(
            "UPDATE spot SET status = %s, merged_into = NULL WHERE id = %s",
            (payload.get("status_before", "open"), spot_id),
        )
        _touch(cur, spot_id, kept.id)
        record_event(cur, spot_id, user, "unmerged", note, **{"from": kept.id}, report_ids=back)
        record_event(cur, kept.id, user, "unmerge_released", note, to=spot_id, report_ids=back)
    refresh_spots(conn, [spot_id, kept.id])
    return {"spot": spot_id, "from": kept.id, "moved_reports": back}


def split(conn: Conn, *, user: User, report_id: int, note: str) -> dict:
    """Take a report off its spot to a new stage-1 spot of its own (a different place after all)."""
    user.require("spot.edit")
    note = _note(note)
    spot_id, source = _report_spot(conn, report_id)
    old = _lock(conn, spot_id)[spot_id]
    if old.reports < 2:
        raise Conflict(
            "report_already_only_report_spot", report_id=report_id, spot_id=spot_id, field="report"
        )
    with conn.cursor() as cur:
        cur.execute(NEW_SPOT_SQL, {"report": report_id})
        new_id = cur.fetchone()[0]
        cur.execute("UPDATE report SET spot_id = %s WHERE id = %s", (new_id, report_id))
        cur.execute(RESEAT_SQL, {"spot": spot_id, "report": report_id})
        _touch(cur, spot_id)
        record_event(cur, spot_id, user, "report_split", note, report_id=report_id, to=new_id)
        record_event(
            cur, new_id, user, "created", note, report_id=report_id, source=source, split_from=spot_id
        )
    refresh_spots(conn, [spot_id, new_id])
    return {"report": report_id, "from": spot_id, "spot": new_id}


def reattach(conn: Conn, *, user: User, report_id: int, into: int, note: str) -> dict:
    """Move a report to another spot (undoes a split); a spot left without reports is merged there."""
    user.require("spot.edit")
    note = _note(note)
    spot_id, source = _report_spot(conn, report_id)
    if spot_id == into:
        raise InvalidInput("into", "report_already_spot", report_id=report_id, into=into)
    spots = _lock(conn, spot_id, into)
    if spots[spot_id].reports < 2:
        return merge(conn, user=user, spot_id=spot_id, into=into, note=note) | {"report": report_id}
    _open_target(spots[into])
    with conn.cursor() as cur:
        cur.execute("UPDATE report SET spot_id = %s WHERE id = %s", (into, report_id))
        cur.execute(RESEAT_SQL, {"spot": spot_id, "report": report_id})
        _touch(cur, spot_id, into)
        record_event(cur, spot_id, user, "report_moved", note, report_id=report_id, to=into)
        record_event(
            cur, into, user, "report_attached", note, report_id=report_id, source=source, **{"from": spot_id}
        )
    refresh_spots(conn, [spot_id, into])
    return {"report": report_id, "from": spot_id, "spot": into}
