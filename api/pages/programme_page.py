"""/programme: the deputy records meetings (attendees by body, decisions, follow-ups with owners and dates),
trainings in the neighbourhood houses and phases' dates from a page; staff and viewers read it. The forms
call /api/programme/* (api/static/programme/forms.js). /programme/focus-groups/new records a focus group and
the places it named through /api/focus-groups (api/static/programme/focus_group.js)."""

import json
import uuid
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB
from api.pages.basemaps import basemap_config
from api.pages.charts import number
from api.pages.nav import render_for
from api.pages.render import language, page_reader
from api.pages.strings import WORDS, words
from gis.access import may
from gis.db import Conn
from gis.errors import pick
from gis.intake.field import field_categories, field_neighbourhoods
from gis.intake.focus_groups import list_sessions
from gis.lang import jalali
from gis.programme.activities import list_activities, list_phases
from gis.programme.agencies import list_agencies
from gis.programme.follow_ups import STAFF_OWNERS, list_follow_ups, may_complete
from gis.users import User
from gis.vocabulary import TIMES_OF_DAY, alias_targets

router = APIRouter(include_in_schema=False)
BLANK_FOLLOW_UPS = 3  # empty follow-up lines the meeting form offers; rows left empty are not sent


def _day(value: date | None, lang: str) -> str:
    """A date as the page shows it: Jalali in Persian digits, ISO on English pages, a dash for none."""
    if value is None:
        return "–"
    return number(jalali(value), lang) if lang == "fa" else value.isoformat()


@router.get("/programme", response_class=HTMLResponse)
def programme_page(
    request: Request, user: User = Depends(page_reader("programme.read")), conn: Conn = DB
) -> Response:
    lang = language(request)
    follow_ups: dict[int, list[dict]] = {}
    for item in list_follow_ups(conn, user=user):
        follow_ups.setdefault(item["activity_id"], []).append(item)
    return render_for(
        request,
        user,
        "programme.html",
        {
            "activities": list_activities(conn)[::-1],
            "follow_ups": follow_ups,
            "phases": list_phases(conn),
            "agencies": list_agencies(conn),
            "staff_owners": STAFF_OWNERS,
            "areas": alias_targets(conn, "neighbourhood"),
            "manage": may(user.role, "programme.manage"),
            "calls": may(user.role, "report.contact"),
            "focus_groups": list_sessions(conn) if may(user.role, "focus_group.read") else None,
            "record_focus_group": may(user.role, "focus_group.record"),
            "blank_rows": range(BLANK_FOLLOW_UPS),
            "may_complete": lambda follow_up: may_complete(user, follow_up),
            "jd": lambda value: _day(value, lang),
        },
    )


@router.get("/programme/focus-groups/new", response_class=HTMLResponse)
def focus_group_page(
    request: Request, user: User = Depends(page_reader("focus_group.record")), conn: Conn = DB
) -> Response:
    """The GIS office (and the deputy) record a session held in a neighbourhood house and the places its
    participants named: each put on a small map, or left to be placed with its address."""
    lang = language(request)
    config = {
        "uuid": str(uuid.uuid4()),  # a second send of the same form returns the same session
        "basemaps": basemap_config(conn, request, lang),
        "neighbourhoods": json.loads(field_neighbourhoods(conn, user)),
        "text": words("focus", lang)
        | {
            key: pick(WORDS[word], lang)
            for key, word in (
                ("point", "field.place"),
                ("saving", "place.saving"),
                ("required", "field.required"),
                ("need_number", "field.need_number"),
            )
        },
    }
    return render_for(
        request,
        user,
        "focus_group_new.html",
        {
            "areas": alias_targets(conn, "neighbourhood"),
            "categories": field_categories(conn),
            "times": TIMES_OF_DAY,
            "config": config,
        },
    )
