"""The GIS office's work list: the spots still at stage 1 or 2, each with what it waits for."""

from gis.db import Conn
from gis.users import User

# Another live spot of the same kind this close (metres) may be the same place reported twice.
DUPLICATE_M = 100

# Which decisions a spot waits for: "verify" (a stage-1 report nobody checked), "place" (a spot known only by
# its address or neighbourhood, until the GIS office places it), "duplicate" (a live spot of its kind nearby),
# "review" (an imported report flagged a conflict: a محله its coordinates disagree with, a two-digit year).
WORK_SQL = """
    SELECT s.id, s.title, s.stage, s.category, c.label_fa, c.label_en, a.code, a.name_fa, a.name_en,
           s.report_count, s.priority::float8, s.version, s.updated_at,
           ST_Y(ST_PointOnSurface(s.geom)), ST_X(ST_PointOnSurface(s.geom)),
           s.stage = 1,
           s.location_precision IN ('address', 'neighbourhood'),
           EXISTS (SELECT 1 FROM spot o
                   WHERE o.id <> s.id AND o.category = s.category AND o.status IN ('open', 'resolved')
                     AND ST_DWithin(o.geom::geography, s.geom::geography, %(near)s)),
           EXISTS (SELECT 1 FROM report r WHERE r.spot_id = s.id AND r.provenance ? 'flags')
    FROM spot s JOIN category c ON c.code = s.category LEFT JOIN area a ON a.id = s.area_id
    WHERE s.status = 'open' AND {which}
    ORDER BY s.stage, s.priority DESC, s.id
"""
WAITING = "s.stage <= 2"
# The spots an import batch's rows went to, at any stage, by what the import's summary counts: its accepted
# rows' spots, the spots it founded, those of its rows to be placed, and those its duplicate rows repeat.
BATCH_SPOTS = {
    "accepted": "s.id IN (SELECT r.spot_id FROM report r WHERE r.import_batch_id = %(batch)s)",
    "new": "(SELECT r.import_batch_id FROM report r WHERE r.spot_id = s.id ORDER BY r.id LIMIT 1)"
    " = %(batch)s",
    "place": "s.location_precision IN ('address', 'neighbourhood')"
    " AND s.id IN (SELECT r.spot_id FROM report r WHERE r.import_batch_id = %(batch)s)",
    "duplicates": "s.id IN (SELECT r.spot_id FROM import_duplicate_row d JOIN report r ON r.id = d.report_id"
    " WHERE d.batch_id = %(batch)s)",
}
KEYS = (
    "id",
    "title",
    "stage",
    "category",
    "category_fa",
    "category_en",
    "area_code",
    "area_fa",
    "area_en",
    "report_count",
    "priority",
    "version",
    "updated_at",
    "lat",
    "lon",
)
NEEDS = ("verify", "place", "duplicate", "review")
# The conflicts imports flagged on the listed spots' reports, each with its report.
FLAGS_SQL = """
    SELECT r.spot_id, r.id, f FROM report r, jsonb_array_elements(r.provenance->'flags') f
    WHERE r.spot_id = ANY(%s) ORDER BY r.spot_id, r.id
"""


def office_work(conn: Conn, *, user: User, batch: int | None = None, show: str = "accepted") -> list[dict]:
    """Every open stage-1/2 spot with the decisions it waits for, most urgent first; for the GIS office,
    which alone may verify, place and merge them. With `batch`, the open spots of an import batch's rows
    instead (`show`: one of BATCH_SPOTS), so the import's summary can open them."""
    user.require("spot.verify")
    which = WAITING if batch is None else BATCH_SPOTS[show]
    with conn.cursor() as cur:
        cur.execute(WORK_SQL.format(which=which), {"near": DUPLICATE_M, "batch": batch})
        rows = cur.fetchall()
    work = []
    for row in rows:
        item = dict(zip(KEYS, row[: len(KEYS)]))
        item["updated_at"] = item["updated_at"].isoformat()
        item["needs"] = [need for need, flag in zip(NEEDS, row[len(KEYS) :]) if flag]
        item["flags"] = []
        work.append(item)
    flagged = {item["id"]: item for item in work if "review" in item["needs"]}
    if flagged:
        with conn.cursor() as cur:
            cur.execute(FLAGS_SQL, (list(flagged),))
            for spot_id, report_id, flag in cur.fetchall():
                flagged[spot_id]["flags"].append({"report_id": report_id} | flag)
    return work
