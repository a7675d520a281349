"""The deputy's dashboard page: the figures with SVG charts, printable, Persian (or English)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB, AreaCode, Period, Radius
from api.pages import charts
from api.pages.nav import top_bar
from api.pages.render import language, page_reader, render
from api.pages.strings import words
from gis.db import Conn
from gis.lang import jalali, jalali_month
from gis.places.areas import area_id_by_code
from gis.programme.dashboard import dashboard
from gis.programme.evaluation import evaluation_figures
from gis.users import User
from gis.vocabulary import AUDIT_CRITERIA

router = APIRouter(tags=["dashboard"])
STAGE_COLOURS = ("#d62728", "#ff7f0e", "#1f77b4", "#2ca02c")


def _charts(figures: dict, lang: str) -> dict:
    """The page's SVG charts, labelled in the page's language."""
    fa = lang == "fa"
    text = words("dashboard", lang)
    name = "name_fa" if fa else "name_en"
    stages = [
        (text["stage_number"].format(number=charts.number(n, lang)), colour)
        for n, colour in enumerate(STAGE_COLOURS, 1)
    ]
    funnel = figures["funnel"]
    return {
        "stages": charts.stacked_bars(
            [
                (row[name] or row["code"], [row[f"stage_{n}"] for n in range(1, 5)])
                for row in figures["stages_by_area"]
            ],
            stages,
            title=text["stages_chart"],
            lang=lang,
        ),
        "funnel": charts.lines(
            [charts.number(jalali_month(row["month"], lang), lang) for row in funnel],
            [
                (label, colour, [row[f"stage_{n}"] for row in funnel])
                for n, (label, colour) in enumerate(stages, 1)
            ]
            + [(text["resolved"], "#7f7f7f", [row["resolved"] for row in funnel])],
            title=text["funnel_chart"],
            lang=lang,
        ),
        "overdue": charts.bars(
            [(row[name] or row["code"], row["overdue"]) for row in figures["overdue_by_agency"]],
            title=text["overdue_chart"],
            lang=lang,
            colour="#d62728",
        ),
        "median": charts.bars(
            [(row["label_fa" if fa else "label_en"], row["median_days"]) for row in figures["median_days"]],
            title=text["median_chart"],
            lang=lang,
        ),
        "audit": charts.paired_bars(
            [
                (AUDIT_CRITERIA[row["criterion"]][0 if fa else 1], row["before"], row["after"])
                for row in figures["audit_criteria"]
            ],
            series=[(text["before"], "#d62728"), (text["after"], "#2ca02c")],
            title=text["audit_chart"],
            lang=lang,
            most=3,
        ),
    }


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(
    request: Request,
    period: Period,
    radius_m: Radius,
    area: AreaCode = None,
    user: User = Depends(page_reader("dashboard.read")),
    conn: Conn = DB,
) -> Response:
    figures = dashboard(conn, area=area or None, since=period.since, until=period.until)
    lang = language(request)
    evaluation = evaluation_figures(
        conn, radius_m=radius_m, area_id=area_id_by_code(conn, area) if area else None
    )
    return render(
        request,
        "dashboard.html",
        {
            "user": user,
            "bar": top_bar(request, user),
            "d": figures,
            "ev": evaluation,
            "charts": _charts(figures, lang),
            "criteria": AUDIT_CRITERIA,
            "jd": lambda value: charts.number(jalali(value), lang),
            "month": lambda value: charts.number(jalali_month(value, lang), lang),
            # the form shows the period as it was typed
            "query": {
                "area": area or "",
                "since": request.query_params.get("since", ""),
                "until": request.query_params.get("until", ""),
            },
        },
    )
