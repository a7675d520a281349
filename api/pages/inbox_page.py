"""/inbox: the signed-in user's notifications; each opens where the work is (an agency's actions on /work, a
spot's page for staff) and is marked read on the way."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB
from api.pages.charts import number
from api.pages.nav import top_bar
from api.pages.render import language, page_user, render
from gis.access import may
from gis.db import Conn
from gis.lang import jalali
from gis.programme.inbox import inbox
from gis.users import User

router = APIRouter(include_in_schema=False)


def _target(item: dict, user: User, suffix: str) -> str:
    """Where an item is worked on: an agency's list, the spot's page, or the programme page for follow-ups."""
    if may(user.role, "action.progress"):
        anchor = f"#action-{item['action_id']}" if item["action_id"] else ""
        return f"/work{suffix}{anchor}"
    if item["spot_id"]:
        return f"/spots/{item['spot_id']}{suffix}"
    return f"/programme{suffix}"


# A kind of message whose word other pages already have (the rest are inbox.kind_<kind>).
KIND_WORDS = {"overdue": "dashboard.overdue"}


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, user: User = Depends(page_user), conn: Conn = DB) -> Response:
    lang = language(request)
    suffix = "?lang=en" if lang == "en" else ""
    items = [
        {
            **item,
            "href": _target(item, user, suffix),
            "when": number(jalali(item["created_at"]), lang) if lang == "fa" else item["created_at"].date(),
        }
        for item in inbox(conn, user=user, lang=lang)
    ]
    context = {"user": user, "bar": top_bar(request, user), "items": items, "KIND_WORDS": KIND_WORDS}
    return render(request, "inbox.html", context)
