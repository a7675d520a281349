"""The council report's content: a period, the dashboard's figures for it and the one before, a district map.

The figures come from gis/programme/dashboard.py (no second copy of its queries); this module only picks the
period, compares it with the previous one, names the oldest overdue action of each agency, measures the
phases' delays (also of a phase past its planned end that has not ended) and draws the map as a PNG.
"""

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import jdatetime
from PIL import Image, ImageDraw

from gis import clock
from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput
from gis.lang import latin_digits
from gis.programme.dashboard import dashboard
from gis.programme.evaluation import programme_evaluation
from gis.programme.reporter_calls import answer_counts

STAGE_COLOURS = ("#d62728", "#ff7f0e", "#1f77b4", "#2ca02c")
RESOLVED_COLOUR = "#7f7f7f"
_PERIOD = re.compile(r"^(\d{4})(?:[/-](\d{1,2}))?(?:\s*(?:\.\.|–|_|to)\s*(\d{4})[/-](\d{1,2}))?$")


@dataclass(frozen=True)
class Period:
    """Whole Jalali months: a year (1399), a month (1399/09) or a span of months (1399/07..1399/09)."""

    text: str
    since: date
    until: date

    def previous(self) -> "Period":
        """The period of as many days just before this one: what the report's changes compare against."""
        days = (self.until - self.since).days + 1
        until = self.since - timedelta(days=1)
        return Period(f"previous {self.text}", until - timedelta(days=days - 1), until)


def _month_start(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValueError(month)
    return jdatetime.date(year, month, 1).togregorian()


def _month_end(year: int, month: int) -> date:
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return _month_start(*following) - timedelta(days=1)


def parse_period(text: str | None) -> Period:
    """'1399' (a Jalali year), '1399/09' (a month) or '1399/07..1399/09' (months), Persian digits too."""
    cleaned = latin_digits(text or "").strip()
    match = _PERIOD.match(cleaned)
    if not match:
        raise InvalidInput("period", "not_a_period", text=text or "")
    year, month, end_year, end_month = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            if end_year is not None:
                raise ValueError(text)
            return Period(cleaned, _month_start(year, 1), _month_end(year, 12))
        since = _month_start(year, month)
        until = _month_end(end_year or year, end_month or month)
    except ValueError as exc:
        raise InvalidInput("period", "not_a_period", text=text or "") from exc
    if until < since:
        raise InvalidInput("period", "period_reversed")
    return Period(cleaned, since, until)


def _oldest_by_agency(actions: list[dict]) -> dict[str, dict]:
    """The oldest overdue action of each agency (the dashboard lists them oldest first)."""
    oldest: dict[str, dict] = {}
    for action in actions:
        oldest.setdefault(action["agency"], action)
    return oldest


def council_figures(conn: Conn, period: Period, *, radius_m: float) -> dict:
    """The report's figures: the period's, the previous period's, overdue actions as of today, phases, and
    the evaluation (fixed spots against the baseline; reporters' answers in the period)."""
    today = clock.today()
    now = dashboard(conn, since=period.since, until=period.until)
    before = dashboard(conn, since=period.previous().since, until=period.previous().until)
    standing = dashboard(conn)  # overdue as of today, whatever the due date: the council chases all of them
    oldest = _oldest_by_agency(standing["overdue_actions"])

    def key(figures: dict) -> dict[str, int]:
        return {
            "new": figures["totals"]["total"],
            "resolved": len(figures["resolved_audits"]),
            "meetings": figures["activities_held"]["meeting"]["count"],
            "trainings": figures["activities_held"]["training"]["count"],
            "focus_groups": figures["activities_held"]["focus_group"]["count"],
        }

    current, previous = key(now), key(before)
    with dict_cursor(conn) as cur:
        cur.execute(
            """SELECT stage, count(*) FILTER (WHERE status = 'open') AS open,
                      count(*) FILTER (WHERE status = 'resolved') AS resolved
               FROM spot WHERE status IN ('open', 'resolved') GROUP BY stage ORDER BY stage"""
        )
        standing_stages = {row["stage"]: row for row in cur.fetchall()}
    return {
        "period": period,
        "today": today,
        "current": current,
        "previous": previous,
        "change": {k: current[k] - previous[k] for k in current},
        "overdue_total": sum(row["overdue"] for row in standing["overdue_by_agency"]),
        "open_by_stage": [standing_stages.get(n, {"open": 0})["open"] for n in range(1, 5)],
        "figures": now,
        "overdue_by_agency": [
            {**row, "oldest": oldest.get(row["code"])}
            for row in standing["overdue_by_agency"]
            if row["overdue"]
        ],
        "phases": now["phases"],
        "reporters": answer_counts(conn, since=period.since, until=period.until),
        "evaluation": programme_evaluation(conn, radius_m=radius_m),
    }


MAP_SQL = """
    WITH frame AS (
        SELECT ST_Transform(ST_Collect(geom), 32639) AS geom FROM area WHERE level = 'neighbourhood'
    )
    SELECT 'area' AS kind, NULL::smallint AS stage, NULL::text AS status,
           ST_AsGeoJSON(ST_Transform(a.geom, 32639), 1) AS shape
    FROM area a WHERE a.level = 'neighbourhood'
    UNION ALL
    SELECT 'spot', s.stage, s.status, ST_AsGeoJSON(ST_Transform(ST_PointOnSurface(s.geom), 32639), 1)
    FROM spot s, frame WHERE s.status IN ('open', 'resolved')
    UNION ALL
    SELECT 'frame', NULL, NULL, ST_AsGeoJSON(ST_Envelope(frame.geom), 1) FROM frame
"""


def _rings(shape: dict) -> list[list[list[float]]]:
    if shape["type"] == "Polygon":
        return shape["coordinates"]
    return [ring for polygon in shape["coordinates"] for ring in polygon]


def district_map_png(conn: Conn, *, width: int = 1600) -> bytes:
    """The neighbourhoods' outlines and every open or resolved spot coloured by stage (grey: resolved), as a
    PNG drawn on the server: no browser, and a raster the PDF embeds as an image."""
    with dict_cursor(conn) as cur:
        cur.execute(MAP_SQL)
        rows = [{**row, "shape": json.loads(row["shape"])} for row in cur.fetchall() if row["shape"]]
    frame = next((r["shape"] for r in rows if r["kind"] == "frame"), None)
    if frame is None or frame["type"] != "Polygon":
        return _blank(width)
    xs = [x for x, _ in frame["coordinates"][0]]
    ys = [y for _, y in frame["coordinates"][0]]
    margin = 20
    scale = (width - 2 * margin) / max(max(xs) - min(xs), 1)
    height = int((max(ys) - min(ys)) * scale) + 2 * margin

    def pixel(x: float, y: float) -> tuple[float, float]:
        return margin + (x - min(xs)) * scale, height - margin - (y - min(ys)) * scale

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for row in rows:
        if row["kind"] == "area":
            for ring in _rings(row["shape"]):
                draw.polygon([pixel(x, y) for x, y in ring], fill="#f2f2ee", outline="#555555", width=3)
    radius = max(width // 160, 6)
    for row in sorted((r for r in rows if r["kind"] == "spot"), key=lambda r: r["status"] == "open"):
        x, y = pixel(*row["shape"]["coordinates"])
        colour = STAGE_COLOURS[row["stage"] - 1] if row["status"] == "open" else RESOLVED_COLOUR
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour, outline="white", width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _blank(width: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, width // 2), "white").save(out, format="PNG")
    return out.getvalue()
