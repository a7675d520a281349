"""Stage 4, monitoring and evaluation: did the fixes make the places safer?

For one spot (its evaluation panel): the audits before and after the fix by day and night with their safety
scores (gis.programme.safety), the score change and the criteria that changed, and recurrence: reports
within the aggregation radius of the spot before and after the fix, per month of exposure.

For the programme (the dashboard): how many fixed spots improved and by how much, recurrence after the
fixes, and the same for comparable spots not yet fixed as the baseline. A spot is *fixed* when one of its
actions is done; its fix date is the last action done. Comparable unfixed spots are open spots of the same
categories with no action done; their "before/after" split is the median fix date of the fixed spots, and
their score change is from their first audit to their latest.
"""

from datetime import datetime

from gis import clock
from gis.db import Conn, dict_cursor
from gis.programme.safety import IN_AREA, PERIODS, all_audits, band, criteria_vs_feeling, neighbourhood_scores
from gis.vocabulary import AUDIT_KEYS

DAYS_PER_MONTH = 30.4375

PANEL_SQL = """
    SELECT s.id, s.created_at,
           (SELECT max(x.done_at) FROM spot_action x WHERE x.spot_id = s.id AND x.status = 'done')
               AS fixed_at,
           spot_audit_before(s.id) AS before, spot_audit_after(s.id) AS after,
           safety_audit_score(spot_audit_before(s.id)) AS score_before,
           safety_audit_score(spot_audit_after(s.id)) AS score_after,
           spot_audit_time_before(s.id) AS time_before, spot_audit_time_after(s.id) AS time_after,
           (SELECT coalesce(json_agg(json_build_object(
                'id', v.id, 'purpose', v.purpose, 'visited_on', v.visited_on, 'time_of_day', v.time_of_day,
                'period', safety_period(v.time_of_day), 'audit', v.audit,
                'score', safety_audit_score(v.audit)) ORDER BY v.visited_on, v.id), '[]')
            FROM site_visit v WHERE v.spot_id = s.id AND v.audit IS NOT NULL) AS audits,
           (SELECT coalesce(json_object_agg(p.period, p.score), '{}') FROM (
                SELECT safety_period(r.time_of_day) AS period,
                       round(avg(safety_audit_score(r.audit)), 1) AS score
                FROM report r WHERE r.spot_id = s.id AND r.audit IS NOT NULL AND r.time_of_day IS NOT NULL
                GROUP BY 1) p) AS report_scores
    FROM spot s WHERE s.id = %(id)s
"""

# Reports within the radius of a spot, before and after a date (the fix), and since when they count.
RECURRENCE_SQL = """
    SELECT count(*) FILTER (WHERE r.reported_at < %(at)s) AS before,
           count(*) FILTER (WHERE r.reported_at >= %(at)s) AS after,
           least(min(r.reported_at), (SELECT created_at FROM spot WHERE id = %(id)s)) AS first
    FROM report r
    WHERE ST_DWithin(r.geom::geography, (SELECT geom FROM spot WHERE id = %(id)s)::geography, %(radius)s)
"""


def _months(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end <= start:
        return None
    return round((end - start).total_seconds() / 86400 / DAYS_PER_MONTH, 2)


def _rate(count: int, months: float | None) -> float | None:
    return round(count / months, 2) if months else None


def recurrence(conn: Conn, spot_id: int, at: datetime, radius_m: float) -> dict:
    """Reports within `radius_m` of the spot before and after `at`, and per month of exposure each side."""
    with dict_cursor(conn) as cur:
        cur.execute(RECURRENCE_SQL, {"id": spot_id, "at": at, "radius": radius_m})
        row = cur.fetchone()
    months_before, months_after = _months(row["first"], at), _months(at, clock.now())
    return {
        "since": at,
        "before": row["before"],
        "after": row["after"],
        "months_before": months_before,
        "months_after": months_after,
        "per_month_before": _rate(row["before"], months_before),
        "per_month_after": _rate(row["after"], months_after),
    }


def _num(value) -> float | None:
    return float(value) if value is not None else None


def changed_criteria(before: dict | None, after: dict | None) -> list[dict]:
    """The criteria assessed both times whose score changed, in the programme's order."""
    before, after = before or {}, after or {}
    return [
        {
            "criterion": k,
            "before": _num(before[k]),
            "after": _num(after[k]),
            "change": _num(after[k] - before[k]),
        }
        for k in AUDIT_KEYS
        if before.get(k) is not None and after.get(k) is not None and after[k] != before[k]
    ]


def spot_evaluation(conn: Conn, spot_id: int, *, radius_m: float) -> dict:
    """A spot's evaluation panel (callers have checked the user may read the spot)."""
    with dict_cursor(conn) as cur:
        cur.execute(PANEL_SQL, {"id": spot_id})
        row = cur.fetchone()
    by_period = {}
    for period in PERIODS:
        visits = [a for a in row["audits"] if a["period"] == period]
        first = next((a for a in reversed(visits) if a["purpose"] == "visit"), None)
        later = next((a for a in reversed(visits) if a["purpose"] == "re_audit"), None)
        before = first["score"] if first else row["report_scores"].get(period)
        after = later["score"] if later else None
        by_period[period] = {
            "before": _num(before),
            "after": _num(after),
            "band_before": band(_num(before)),
            "band_after": band(_num(after)),
            "change": round(after - before, 1) if before is not None and after is not None else None,
        }
    score_before, score_after = _num(row["score_before"]), _num(row["score_after"])
    return {
        "spot_id": spot_id,
        "fixed_at": row["fixed_at"],
        "audits": row["audits"],
        "periods": by_period,
        "before": {
            "audit": row["before"],
            "score": score_before,
            "band": band(score_before),
            "time_of_day": row["time_before"],
        },
        "after": {
            "audit": row["after"],
            "score": score_after,
            "band": band(score_after),
            "time_of_day": row["time_after"],
        },
        "change": round(score_after - score_before, 1) if None not in (score_before, score_after) else None,
        "changed_criteria": changed_criteria(row["before"], row["after"]),
        "recurrence": recurrence(conn, spot_id, row["fixed_at"], radius_m) if row["fixed_at"] else None,
    }


# Fixed spots: an action done; their scores before and after, and the last action's date.
FIXED_SQL = f"""
    SELECT s.id, s.category, max(x.done_at) AS fixed_at,
           safety_audit_score(spot_audit_before(s.id)) AS before,
           safety_audit_score(spot_audit_after(s.id)) AS after
    FROM spot s JOIN spot_action x ON x.spot_id = s.id AND x.status = 'done'
    WHERE s.status IN ('open', 'resolved')
      AND {IN_AREA}
    GROUP BY s.id ORDER BY s.id
"""

# Comparable spots not yet fixed: open, no action done, of the fixed spots' categories; their first and
# latest audit's score (reports' and visits' audits, by when they were taken).
BASELINE_SQL = f"""
    WITH audits AS (
        SELECT r.spot_id, r.reported_at AS at, r.id AS n, safety_audit_score(r.audit) AS score
        FROM report r WHERE r.audit IS NOT NULL
        UNION ALL
        SELECT v.spot_id, v.visited_on::timestamp AT TIME ZONE %(tz)s, v.id, safety_audit_score(v.audit)
        FROM site_visit v WHERE v.audit IS NOT NULL
    )
    SELECT s.id,
           (SELECT a.score FROM audits a WHERE a.spot_id = s.id ORDER BY a.at, a.n LIMIT 1) AS before,
           (SELECT a.score FROM audits a WHERE a.spot_id = s.id ORDER BY a.at DESC, a.n DESC LIMIT 1)
               AS after,
           (SELECT count(DISTINCT a.at) FROM audits a WHERE a.spot_id = s.id) AS times
    FROM spot s
    WHERE s.status = 'open' AND s.category = ANY(%(categories)s)
      AND NOT EXISTS (SELECT 1 FROM spot_action x WHERE x.spot_id = s.id AND x.status = 'done')
      AND {IN_AREA}
    ORDER BY s.id
"""


def _group(conn: Conn, rows: list[dict], at_of, radius_m: float) -> dict:
    """Score change and recurrence figures of a group of spots (each row: id, before, after)."""
    scored = [r for r in rows if r["before"] is not None and r["after"] is not None]
    changes = [float(r["after"] - r["before"]) for r in scored]
    before = after = 0
    months_before = months_after = 0.0
    for r in rows:
        at = at_of(r)
        if at is None:
            continue
        rec = recurrence(conn, r["id"], at, radius_m)
        before, after = before + rec["before"], after + rec["after"]
        months_before += rec["months_before"] or 0
        months_after += rec["months_after"] or 0
    return {
        "spots": len(rows),
        "re_audited": len(scored),
        "improved": sum(1 for c in changes if c > 0),
        "mean_change": round(sum(changes) / len(changes), 2) if changes else None,
        "reports_before": before,
        "reports_after": after,
        "per_month_before": _rate(before, round(months_before, 2)),
        "per_month_after": _rate(after, round(months_after, 2)),
    }


def programme_evaluation(conn: Conn, *, radius_m: float, area_id: int | None = None) -> dict:
    """The fixed spots' improvement and recurrence, and the same for comparable unfixed spots (baseline)."""
    with dict_cursor(conn) as cur:
        cur.execute(FIXED_SQL, {"area": area_id})
        fixed = cur.fetchall()
        categories = sorted({r["category"] for r in fixed})
        cur.execute(BASELINE_SQL, {"area": area_id, "categories": categories, "tz": clock.zone_name()})
        baseline = [r if r["times"] > 1 else {**r, "after": None} for r in cur.fetchall()]
    dates = sorted(r["fixed_at"] for r in fixed)
    split = dates[len(dates) // 2] if dates else None
    return {
        "fixed": _group(conn, fixed, lambda r: r["fixed_at"], radius_m),
        "baseline": {**_group(conn, baseline, lambda r: split, radius_m), "split_at": split},
    }


def evaluation_figures(conn: Conn, *, radius_m: float, area_id: int | None = None) -> dict:
    """The dashboard's evaluation: the programme's fixes against the baseline, each neighbourhood's day and
    night safety score, and how each criterion goes with the feeling of safety."""
    return {
        "programme": programme_evaluation(conn, radius_m=radius_m, area_id=area_id),
        "neighbourhoods": neighbourhood_scores(conn, area_id),
        "criteria": criteria_vs_feeling(all_audits(conn, area_id)),
    }
