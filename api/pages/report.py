"""The council report: the dashboard's figures for a period as a designed A4 PDF, drawn on the server by
WeasyPrint with Vazirmatn embedded (no browser), for GET /dashboard/report.pdf and `safemap report
council`."""

import base64
import re
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import require
from api.deps import DB, Radius
from api.pages import charts
from api.pages.render import language, page_words, templates
from gis.db import Conn
from gis.lang import jalali, jalali_month, latin_digits
from gis.programme.council import (
    RESOLVED_COLOUR,
    STAGE_COLOURS,
    council_figures,
    district_map_png,
    parse_period,
)
from gis.users import User

router = APIRouter(include_in_schema=False)
FONTS = (
    Path(__file__).parent.parent / "static" / "vendor" / "vazirmatn" / "Vazirmatn-wght.woff2",
    Path(__file__).parent.parent.parent
    / "frontend"
    / "node_modules"
    / "vazirmatn"
    / "fonts"
    / "webfonts"
    / "Vazirmatn[wght].woff2",
)


def _change(value: int, words: dict[str, str], lang: str) -> str:
    """+3 → '3 more', -2 → '2 fewer', 0 → 'no change', in the report's language."""
    if value == 0:
        return words["report.same"]
    return words["report.more" if value > 0 else "report.fewer"].format(n=charts.number(abs(value), lang))


def council_pdf(conn: Conn, period_text: str | None, lang: str = "fa", *, radius_m: float) -> bytes:
    """The council report of a period ('1399/09', '1399', '1399/07..1399/09') as PDF bytes."""
    from weasyprint import HTML  # heavy: loaded when a report is asked for, not when the app starts

    report = council_figures(conn, parse_period(period_text), radius_m=radius_m)
    words = page_words(lang)
    num = lambda value: charts.number(value, lang)  # noqa: E731
    stages = report["open_by_stage"]
    summary = words["report.summary_text"].format(
        new=num(report["current"]["new"]),
        new_change=_change(report["change"]["new"], words, lang),
        resolved=num(report["current"]["resolved"]),
        resolved_change=_change(report["change"]["resolved"], words, lang),
        open=num(sum(stages)),
        **{f"stage_{n}": num(count) for n, count in enumerate(stages, 1)},
        overdue=num(report["overdue_total"]),
        meetings=num(report["current"]["meetings"]),
        meetings_change=_change(report["change"]["meetings"], words, lang),
        trainings=num(report["current"]["trainings"]),
        focus_groups=num(report["current"]["focus_groups"]),
    )
    font = next((f for f in FONTS if f.exists()), FONTS[0])
    html = templates.get_template("council_report.html").render(
        lang=lang,
        dir="ltr" if lang == "en" else "rtl",
        w=words,
        r=report,
        summary=summary,
        font=font.as_uri(),
        map_src="data:image/png;base64," + base64.b64encode(district_map_png(conn)).decode(),
        stage_colours=STAGE_COLOURS,
        resolved_colour=RESOLVED_COLOUR,
        num=num,
        jd=lambda value: num(jalali(value)),
        month=lambda value: num(jalali_month(value, lang)),
    )
    return HTML(string=html, base_url=str(font.parent)).write_pdf()


@router.get("/dashboard/report.pdf")
def council_report(
    request: Request,
    radius_m: Radius,
    period: str = Query(..., max_length=40, description="1399/09, 1399 or 1399/07..1399/09"),
    user: User = Depends(require("dashboard.read")),
    conn: Conn = DB,
) -> Response:
    pdf = council_pdf(conn, period, language(request), radius_m=radius_m)
    name = "council-report-" + re.sub(r"[^0-9A-Za-z]+", "-", latin_digits(period)).strip("-") + ".pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )
