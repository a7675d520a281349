"""Withdrawing a batch: a letter imported by mistake leaves the map, and can be put back.

Its reports leave their spots (each kept whole in withdrawn_report, with the rows that hang on it: contact,
photos, the call back), the spots' counts and priority are recomputed, a spot the batch founded that nobody
else reported is closed, and every spot touched records the event in its history. Restoring puts the same
reports back on the same spots, reopens those spots and records that too. A withdrawn batch no longer counts
as "imported before" for the same file.
"""

import psycopg2.extras
from psycopg2 import sql

from gis import clock
from gis.aggregation.aggregate import refresh_spots
from gis.db import Conn, keyed, one_row
from gis.errors import Conflict, NotFound

WITHDRAWN, RESTORED = "import_withdrawn", "import_restored"

# The tables whose rows hang on a report (the reporter's contact, photos taken there, the call back to the
# reporter): kept with a withdrawn report, so it leaves whole and comes back whole. A test checks that these
# are all the tables whose foreign key points at report.
LINKED = ("report_contact", "report_photo", "reporter_follow_up")

# The report as it was, its geometry as hex EWKB (which PostGIS reads back as it wrote it), and its linked
# rows as {table: [rows]} (bytea as hex text, which reads back as it was).
KEEP_SQL = sql.SQL("""
    INSERT INTO withdrawn_report (report_id, batch_id, record, linked)
    SELECT r.id, r.import_batch_id,
           to_jsonb(r) || jsonb_build_object('geom', encode(ST_AsEWKB(r.geom), 'hex')),
           jsonb_strip_nulls(jsonb_build_object({linked}))
    FROM report r WHERE r.import_batch_id = %s
""").format(
    linked=sql.SQL(", ").join(
        sql.SQL("{name}, (SELECT jsonb_agg(to_jsonb(t)) FROM {table} t WHERE t.report_id = r.id)").format(
            name=sql.Literal(table), table=sql.Identifier(table)
        )
        for table in LINKED
    )
)


def _batch(conn: Conn, batch_id: int) -> dict:
    return one_row(
        conn,
        "SELECT id, source_ref, withdrawn_at, withdrawn_spots FROM import_batch WHERE id = %s FOR UPDATE",
        (batch_id,),
        NotFound("no_such_import_batch", batch_id=batch_id, field="batch"),
        as_dict=True,
    )


def _record(
    conn: Conn, kind: str, counts: dict[int, int], batch: dict, actor_id: int | None, actor: str
) -> None:
    """One event per spot touched: how many of its reports the letter took away or brought back."""
    events = [
        (
            spot_id,
            kind,
            actor_id,
            actor,
            batch["source_ref"],
            psycopg2.extras.Json({"import_batch": batch["id"], "letter": batch["source_ref"], "reports": n}),
        )
        for spot_id, n in sorted(counts.items())
    ]
    with conn.cursor() as cur:
        psycopg2.extras.execute_values(
            cur,
            "INSERT INTO spot_event (spot_id, kind, actor_id, actor_name, note, payload) VALUES %s",
            events,
        )


def _spot_counts(conn: Conn, batch_id: int) -> dict[int, int]:
    return keyed(
        conn,
        "SELECT spot_id, count(*) FROM report WHERE import_batch_id = %s AND spot_id IS NOT NULL GROUP BY 1",
        (batch_id,),
    )


def withdraw_batch(conn: Conn, batch_id: int, *, actor_id: int | None = None, actor_name: str = "") -> dict:
    """Take a batch's reports off the map (undoable with `restore_batch`)."""
    batch = _batch(conn, batch_id)
    if batch["withdrawn_at"] is not None:
        raise Conflict("import_batch_withdrawn", batch_id=batch_id, field="batch")
    counts = _spot_counts(conn, batch_id)
    spots = sorted(counts)
    with conn.cursor() as cur:
        cur.execute(KEEP_SQL, (batch_id,))
        reports = cur.rowcount
        for table in LINKED:
            cur.execute(
                sql.SQL(
                    "DELETE FROM {} t USING report r WHERE t.report_id = r.id AND r.import_batch_id = %s"
                ).format(sql.Identifier(table)),
                (batch_id,),
            )
        cur.execute("DELETE FROM report WHERE import_batch_id = %s", (batch_id,))
        refresh_spots(conn, spots)
        # A spot the letter alone reported is closed with it.
        cur.execute(
            "UPDATE spot s SET status = 'rejected' WHERE s.id = ANY(%s) AND s.status = 'open'"
            " AND NOT EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id) RETURNING s.id",
            (spots,),
        )
        closed = sorted(row[0] for row in cur.fetchall())
        cur.execute(
            "UPDATE import_batch SET withdrawn_at = %s, withdrawn_by = %s, withdrawn_spots = %s"
            " WHERE id = %s",
            (clock.now(), actor_id, closed, batch_id),
        )
    _record(conn, WITHDRAWN, counts, batch, actor_id, actor_name)
    return {
        "batch_id": batch_id,
        "withdrawn": True,
        "reports": reports,
        "spots": spots,
        "closed_spots": closed,
    }


def _report_columns(conn: Conn) -> list[str]:
    """The report columns a row is written with (not the generated ones)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = 'report' AND is_generated = 'NEVER' ORDER BY ordinal_position"
        )
        return [row[0] for row in cur.fetchall()]


def restore_batch(conn: Conn, batch_id: int, *, actor_id: int | None = None, actor_name: str = "") -> dict:
    """Put a withdrawn batch's reports back where they were, and reopen the spots closed with it."""
    batch = _batch(conn, batch_id)
    if batch["withdrawn_at"] is None:
        raise Conflict("import_batch_not_withdrawn", batch_id=batch_id, field="batch")
    columns = sql.SQL(", ").join(map(sql.Identifier, _report_columns(conn)))
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL(
                "INSERT INTO report ({columns}) SELECT {columns} FROM withdrawn_report w,"
                " jsonb_populate_record(NULL::report, w.record) WHERE w.batch_id = %s"
            ).format(columns=columns),
            (batch_id,),
        )
        reports = cur.rowcount
        for table in LINKED:
            cur.execute(
                sql.SQL(
                    "INSERT INTO {table} SELECT t.* FROM withdrawn_report w,"
                    " jsonb_populate_recordset(NULL::{table}, w.linked -> {name}) t WHERE w.batch_id = %s"
                ).format(table=sql.Identifier(table), name=sql.Literal(table)),
                (batch_id,),
            )
        cur.execute("DELETE FROM withdrawn_report WHERE batch_id = %s", (batch_id,))
        cur.execute(
            "UPDATE spot SET status = 'open' WHERE id = ANY(%s) AND status = 'rejected'",
            (batch["withdrawn_spots"],),
        )
        counts = _spot_counts(conn, batch_id)
        refresh_spots(conn, sorted(counts))
        cur.execute(
            "UPDATE import_batch SET withdrawn_at = NULL, withdrawn_by = NULL, withdrawn_spots = '{}'"
            " WHERE id = %s",
            (batch_id,),
        )
    _record(conn, RESTORED, counts, batch, actor_id, actor_name)
    return {"batch_id": batch_id, "withdrawn": False, "reports": reports, "spots": sorted(counts)}
