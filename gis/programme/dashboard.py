"""The programme dashboard's figures, each one SQL query over spots, events, actions, audits and activities.

Filters: a neighbourhood (or the district: everything) and a period. The period selects spots first seen in it
(stages per neighbourhood), months (the funnel), actions due in it (overdue), stage stays that ended in it
(median days), spots resolved in it (before/after audits) and activities held in it.
"""

from datetime import date

import jdatetime

from gis import clock
from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput
from gis.places.areas import area_id_by_code
from gis.programme.activities import list_activities, list_phases
from gis.vocabulary import AUDIT_KEYS

MAX_MONTHS = 24

SCOPE = """
    scope AS (SELECT id FROM area WHERE %(area)s::int IS NULL OR id = %(area)s OR parent_id = %(area)s)
"""
IN_PERIOD = """(%(since)s::date IS NULL
               OR {col} >= %(since)s::date::timestamp AT TIME ZONE %(tz)s)
          AND (%(until)s::date IS NULL
               OR {col} < (%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s)"""
TODAY = "%(today)s::date"

STAGES_BY_AREA = f"""
    WITH {SCOPE}
    SELECT a.code, a.name_fa, a.name_en,
           count(s.id) FILTER (WHERE s.stage = 1) AS stage_1,
           count(s.id) FILTER (WHERE s.stage = 2) AS stage_2,
           count(s.id) FILTER (WHERE s.stage = 3) AS stage_3,
           count(s.id) FILTER (WHERE s.stage = 4) AS stage_4,
           count(s.id) FILTER (WHERE s.status = 'resolved') AS resolved, count(s.id) AS total
    FROM area a
    LEFT JOIN spot s ON s.area_id = a.id AND s.status IN ('open', 'resolved')
                    AND {IN_PERIOD.format(col="s.created_at")}
    WHERE a.level = 'neighbourhood' AND a.id IN (SELECT id FROM scope)
    GROUP BY a.id ORDER BY a.code
"""

FUNNEL = f"""
    WITH {SCOPE}, reached AS (
        SELECT s.id, s.created_at AS r1,
               min(t.at) FILTER (WHERE t.to_stage >= 2) AS r2,
               min(t.at) FILTER (WHERE t.to_stage >= 3) AS r3,
               min(t.at) FILTER (WHERE t.to_stage >= 4) AS r4,
               (SELECT min(e.at) FROM spot_event e WHERE e.spot_id = s.id AND e.kind = 'resolved') AS r5
        FROM spot s LEFT JOIN spot_transition t ON t.spot_id = s.id
        WHERE s.status <> 'merged' AND s.area_id IN (SELECT id FROM scope)
        GROUP BY s.id
    )
    SELECT edge, count(*) FILTER (WHERE r1 < edge_at) AS stage_1,
           count(*) FILTER (WHERE r2 < edge_at) AS stage_2,
           count(*) FILTER (WHERE r3 < edge_at) AS stage_3, count(*) FILTER (WHERE r4 < edge_at) AS stage_4,
           count(*) FILTER (WHERE r5 < edge_at) AS resolved
    FROM (SELECT edge, edge::timestamp AT TIME ZONE %(tz)s AS edge_at
          FROM unnest(%(edges)s::date[]) AS edge) e
    LEFT JOIN reached ON true
    GROUP BY edge ORDER BY edge
"""

OVERDUE_BY_AGENCY = f"""
    WITH {SCOPE}
    SELECT g.code, g.name_fa, g.name_en,
           count(*) FILTER (WHERE xs.is_open) AS open,
           count(*) FILTER (WHERE xs.is_open AND x.due_on < {TODAY}) AS overdue,
           count(*) FILTER (WHERE x.status = 'done') AS done,
           coalesce(max({TODAY} - x.due_on) FILTER (WHERE xs.is_open AND x.due_on < {TODAY}), 0) AS worst_days
    FROM spot_action x JOIN agency g ON g.id = x.agency_id JOIN action_status xs ON xs.code = x.status
    JOIN spot s ON s.id = x.spot_id
    WHERE s.area_id IN (SELECT id FROM scope)
      AND (%(since)s::date IS NULL OR x.due_on >= %(since)s)
      AND (%(until)s::date IS NULL OR x.due_on <= %(until)s)
    GROUP BY g.id ORDER BY overdue DESC, open DESC, g.code
"""

OVERDUE_ACTIONS = f"""
    WITH {SCOPE}
    SELECT x.id, x.spot_id, s.title, g.code AS agency, g.name_fa AS agency_fa, g.name_en AS agency_en, x.what,
           x.due_on, {TODAY} - x.due_on AS days_late
    FROM spot_action x JOIN agency g ON g.id = x.agency_id JOIN action_status xs ON xs.code = x.status
    JOIN spot s ON s.id = x.spot_id
    WHERE xs.is_open AND x.due_on < {TODAY} AND s.area_id IN (SELECT id FROM scope)
      AND (%(since)s::date IS NULL OR x.due_on >= %(since)s)
      AND (%(until)s::date IS NULL OR x.due_on <= %(until)s)
    ORDER BY x.due_on, x.id LIMIT 100
"""

MEDIAN_DAYS = f"""
    WITH {SCOPE}, moves AS (
        SELECT s.id AS spot, s.created_at AS at, 1 AS entered FROM spot s
        WHERE s.status <> 'merged' AND s.area_id IN (SELECT id FROM scope)
        UNION ALL
        SELECT t.spot_id, t.at, t.to_stage
        FROM spot_transition t JOIN spot s ON s.id = t.spot_id
        WHERE s.status <> 'merged' AND s.area_id IN (SELECT id FROM scope)
        UNION ALL
        -- Closing a spot ends its stay in a stage without starting another.
        SELECT e.spot_id, e.at, NULL
        FROM spot_event e JOIN spot s ON s.id = e.spot_id
        WHERE e.kind IN ('resolved', 'rejected')
          AND s.status <> 'merged' AND s.area_id IN (SELECT id FROM scope)
    ), spans AS (
        SELECT entered AS stage, at AS started, lead(at) OVER (PARTITION BY spot ORDER BY at) AS ended
        FROM moves
    )
    SELECT st.number AS stage, st.label_fa, st.label_en, count(spans.ended) AS spans,
           round((percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM spans.ended - spans.started) / 86400))::numeric, 1) AS median_days
    FROM stage st LEFT JOIN spans ON spans.stage = st.number AND spans.ended IS NOT NULL
                                 AND {IN_PERIOD.format(col="spans.ended")}
    GROUP BY st.number ORDER BY st.number
"""

RESOLVED_AUDITS = f"""
    WITH {SCOPE}
    SELECT s.id, s.title, a.code AS area_code, a.name_fa AS area_fa, a.name_en AS area_en, r.resolved_at,
           spot_audit_before(s.id) AS audit_before, spot_audit_after(s.id) AS audit_after,
           round(safety_audit_mean(spot_audit_before(s.id)), 2) AS before,
           round(safety_audit_mean(spot_audit_after(s.id)), 2) AS after
    FROM spot s LEFT JOIN area a ON a.id = s.area_id
    CROSS JOIN LATERAL (SELECT max(e.at) AS resolved_at FROM spot_event e
                        WHERE e.spot_id = s.id AND e.kind = 'resolved') r
    WHERE s.status = 'resolved' AND s.area_id IN (SELECT id FROM scope)
      AND {IN_PERIOD.format(col="r.resolved_at")}
    ORDER BY r.resolved_at, s.id
"""


def month_edges(start: date, end: date) -> list[date]:
    """The first days (ISO) of the Jalali months from the one holding `start` to the one after `end`."""
    day = jdatetime.date.fromgregorian(date=start)
    year, month = day.year, day.month
    edges = []
    while True:
        edge = jdatetime.date(year, month, 1).togregorian()
        edges.append(edge)
        if edge > end:
            return edges[-(MAX_MONTHS + 1) :]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _focus_groups(conn: Conn, params: dict) -> dict:
    """The sessions held in the scope and period, and how many took part."""
    with conn.cursor() as cur:
        cur.execute(
            f"""
            WITH {SCOPE}
            SELECT count(*), coalesce(sum(participants), 0) FROM focus_group
            WHERE area_id IN (SELECT id FROM scope)
              AND (%(since)s::date IS NULL OR held_on >= %(since)s)
              AND (%(until)s::date IS NULL OR held_on <= %(until)s)
            """,
            params,
        )
        count, attendance = cur.fetchone()
    return {"count": count, "attendance": attendance}


def _criteria(rows: list[dict]) -> list[dict]:
    """Mean before and after score of each audit criterion over the resolved spots that assessed it (a
    criterion not assessed is skipped, a 0 counts)."""
    result = []
    for key in AUDIT_KEYS:
        before = [
            float(r["audit_before"][key]) for r in rows if (r["audit_before"] or {}).get(key) is not None
        ]
        after = [float(r["audit_after"][key]) for r in rows if (r["audit_after"] or {}).get(key) is not None]
        result.append(
            {
                "criterion": key,
                "before": round(sum(before) / len(before), 2) if before else None,
                "after": round(sum(after) / len(after), 2) if after else None,
            }
        )
    return result


def dashboard(
    conn: Conn, *, area: str | None = None, since: date | None = None, until: date | None = None
) -> dict:
    """Every figure of the dashboard for a neighbourhood (or all) and a period (or all time)."""
    if since and until and since > until:
        raise InvalidInput("until", "period_reversed")
    area_id = area_id_by_code(conn, area) if area else None
    today = clock.today()
    params = {"area": area_id, "since": since, "until": until, "today": today, "tz": clock.zone_name()}
    with dict_cursor(conn) as cur:
        cur.execute(STAGES_BY_AREA, params)
        stages = cur.fetchall()
        cur.execute("SELECT min(created_at) FROM spot")
        first = cur.fetchone()["min"]
        start = since or (clock.day_of(first) if first else today)
        edges = month_edges(start, min(until or today, today))
        cur.execute(FUNNEL, {**params, "edges": edges[1:]})
        funnel = [{**row, "month": edge} for edge, row in zip(edges, cur.fetchall())]
        cur.execute(OVERDUE_BY_AGENCY, params)
        agencies = cur.fetchall()
        cur.execute(OVERDUE_ACTIONS, params)
        overdue = cur.fetchall()
        cur.execute(MEDIAN_DAYS, params)
        medians = cur.fetchall()
        cur.execute(RESOLVED_AUDITS, params)
        resolved = cur.fetchall()
        cur.execute("SELECT code, name_fa, name_en FROM area WHERE level = 'neighbourhood' ORDER BY code")
        neighbourhoods = cur.fetchall()
    activities = [
        a
        for a in list_activities(conn, since=since, until=until)
        if area_id is None or a["kind"] == "meeting" or a["area_code"] == area
    ]
    held = {
        kind: {
            "count": sum(1 for a in activities if a["kind"] == kind),
            "attendance": sum(a["attendance"] or 0 for a in activities if a["kind"] == kind),
        }
        for kind in ("meeting", "training")
    }
    held["focus_group"] = _focus_groups(conn, params)
    return {
        "filters": {"area": area, "since": since, "until": until},
        "today": today,
        "neighbourhoods": neighbourhoods,
        "stages_by_area": stages,
        "totals": {
            key: sum(row[key] for row in stages)
            for key in ("stage_1", "stage_2", "stage_3", "stage_4", "resolved", "total")
        },
        "funnel": funnel,
        "overdue_by_agency": agencies,
        "overdue_actions": overdue,
        "median_days": medians,
        "resolved_audits": resolved,
        "audit_criteria": _criteria(resolved),
        "activities_held": held,
        "activities": activities,
        "phases": list_phases(conn),
    }
