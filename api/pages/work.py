"""/work: each role's work list. The GIS office's spots waiting for a decision (a table beside a map), an
agency's actions to move on; a role with no list here gets the error page in its language."""

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB
from api.pages.basemaps import basemap_config
from api.pages.nav import top_bar
from api.pages.render import language, page_reader, render
from api.pages.strings import words
from gis.access import may
from gis.db import Conn
from gis.lang import jalali, persian_digits
from gis.programme.action_photos import photos_of
from gis.programme.follow_ups import list_follow_ups
from gis.programme.workflow import list_actions
from gis.programme.worklist import office_work
from gis.users import User

router = APIRouter(include_in_schema=False)


def _actions(conn: Conn, user: User, lang: str) -> list[dict]:
    """The agency's actions, open ones first (soonest due first), with the due day as its readers write it."""
    rows = list_actions(conn, user=user)
    rows.sort(key=lambda row: (row["status"] not in ("assigned", "in_progress"), row["due_on"], row["id"]))
    photos = photos_of(conn, [row["id"] for row in rows])
    return [
        {
            **row,
            "due_on": row["due_on"].isoformat(),
            "photos": [f"/api/actions/{row['id']}/photos/{uuid}" for uuid in photos.get(row["id"], [])],
            "due_label": row["due_on"].isoformat() if lang == "en" else persian_digits(jalali(row["due_on"])),
        }
        for row in rows
    ]


@router.get("/work", response_class=HTMLResponse)
def work_page(
    request: Request,
    user: User = Depends(page_reader("spot.verify", "action.progress")),
    conn: Conn = DB,
    batch: int | None = Query(None, ge=1, description="the open spots of an import batch's rows instead"),
    show: Literal["accepted", "new", "place", "duplicates"] = Query("accepted"),
) -> Response:
    lang = language(request)
    common = words("map", lang)  # the filters' labels are the map's
    text = {
        "all": common["all"],
        "stage": common["stage"],
        "category": common["categories"],
        "neighbourhood": common["neighbourhood"],
        **words("work", lang),
    }
    context = {"user": user, "bar": top_bar(request, user), "text": text}
    if may(user.role, "spot.verify"):
        spots = office_work(conn, user=user, batch=batch, show=show)
        basemaps = basemap_config(conn, request, lang)
        shown = {"batch": batch, "show": show, "name": text[f"batch_{show}"]} if batch else None
        context |= {"spots": spots, "basemaps": basemaps, "batch": shown}
        return render(request, "work_office.html", context)
    follow_ups = [
        {**f, "due_label": f["due_on"].isoformat() if lang == "en" else persian_digits(jalali(f["due_on"]))}
        for f in list_follow_ups(conn, user=user, open_only=True)
    ]
    context["follow_ups"] = follow_ups
    return render(request, "work_actions.html", {**context, "actions": _actions(conn, user, lang)})
