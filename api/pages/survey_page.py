"""/calls: the staff's list of reporters to ask, four weeks after their spot closed, whether the place is
safer now; each row records the answer through /api/reporter-calls. Contacts: report.contact roles only."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import current_user
from api.deps import DB
from api.pages.charts import number
from api.pages.nav import render_for
from api.pages.render import language, sign_in_first
from gis.db import Conn
from gis.lang import jalali
from gis.programme.reporter_calls import ANSWERS, answer_counts, due_calls
from gis.users import User

router = APIRouter(include_in_schema=False)


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, user: User | None = Depends(current_user), conn: Conn = DB) -> Response:
    if user is None:
        return sign_in_first(request)
    user.require("report.contact")
    lang = language(request)
    calls = [
        {**c, "closed": number(jalali(c["closed_at"]), lang) if lang == "fa" else c["closed_at"].date()}
        for c in due_calls(conn, user=user)
    ]
    return render_for(
        request,
        user,
        "calls.html",
        {
            "calls": calls,
            "answers": ANSWERS,
            "counts": answer_counts(conn),
        },
    )
