"""/calls: the staff's list of reporters to ask, four weeks after their spot closed, whether the place is
safer now; each row records the answer through /api/reporter-calls. Contacts: report.contact roles only."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB
from api.pages.charts import number
from api.pages.nav import render_for
from api.pages.render import language, page_reader
from gis.db import Conn
from gis.lang import jalali
from gis.programme.reporter_calls import ANSWERS, answer_counts, due_calls
from gis.users import User

router = APIRouter(include_in_schema=False)


@router.get("/calls", response_class=HTMLResponse)
def calls_page(
    request: Request, user: User = Depends(page_reader("report.contact")), conn: Conn = DB
) -> Response:
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
