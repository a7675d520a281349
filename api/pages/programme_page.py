"""/programme: the deputy records meetings (attendees by body, decisions, follow-ups with owners and dates),
trainings in the neighbourhood houses and phases' dates from a page; staff and viewers read it. The forms
call /api/programme/* (api/static/programme/forms.js)."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import current_user
from api.deps import DB
from api.pages.charts import number
from api.pages.nav import top_bar
from api.pages.render import language, render, sign_in_first
from gis import clock
from gis.access import may
from gis.db import Conn
from gis.lang import jalali
from gis.programme.activities import list_activities, list_phases
from gis.programme.agencies import list_agencies
from gis.programme.follow_ups import STAFF_OWNERS, list_follow_ups, may_complete
from gis.users import User
from gis.vocabulary import alias_targets

router = APIRouter(include_in_schema=False)
BLANK_FOLLOW_UPS = 3  # empty follow-up lines the meeting form offers; rows left empty are not sent


def _day(value: date | None, lang: str) -> str:
    """A date as the page shows it: Jalali in Persian digits, ISO on English pages, a dash for none."""
    if value is None:
        return "–"
    return number(jalali(value), lang) if lang == "fa" else value.isoformat()


@router.get("/programme", response_class=HTMLResponse)
def programme_page(request: Request, user: User | None = Depends(current_user), conn: Conn = DB) -> Response:
    if user is None:
        return sign_in_first(request)
    user.require("programme.read")
    lang = language(request)
    follow_ups: dict[int, list[dict]] = {}
    for item in list_follow_ups(conn, user=user):
        follow_ups.setdefault(item["activity_id"], []).append(item)
    today = clock.today()
    return render(
        request,
        "programme.html",
        {
            "user": user,
            "bar": top_bar(request, user),
            "activities": list_activities(conn)[::-1],
            "follow_ups": follow_ups,
            "phases": [
                {**p, "late": p["actual_end"] is None and p["planned_end"] < today} for p in list_phases(conn)
            ],
            "agencies": list_agencies(conn),
            "staff_owners": STAFF_OWNERS,
            "areas": alias_targets(conn, "neighbourhood"),
            "manage": may(user.role, "programme.manage"),
            "calls": may(user.role, "report.contact"),
            "blank_rows": range(BLANK_FOLLOW_UPS),
            "may_complete": lambda follow_up: may_complete(user, follow_up),
            "jd": lambda value: (
                (number(jalali(value), lang) if lang == "fa" else str(value)) if value else "–"
            ),
        },
    )
