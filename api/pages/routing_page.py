"""/routing: the deputy's routing rules as a page (staff read it): which agency fixes which category where,
in how many days. The form and delete buttons call /api/routing-rules (api/static/programme/forms.js)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB
from api.pages.nav import render_for
from api.pages.render import page_reader
from gis.access import may
from gis.db import Conn
from gis.programme.agencies import list_agencies
from gis.programme.routing import list_rules
from gis.users import User
from gis.vocabulary import alias_targets

router = APIRouter(include_in_schema=False)


@router.get("/routing", response_class=HTMLResponse)
def routing_page(
    request: Request, user: User = Depends(page_reader("routing.read")), conn: Conn = DB
) -> Response:
    return render_for(
        request,
        user,
        "routing.html",
        {
            "rules": list_rules(conn),
            "categories": alias_targets(conn, "category"),
            "areas": alias_targets(conn, "neighbourhood"),
            "agencies": list_agencies(conn),
            "manage": may(user.role, "routing.manage"),
        },
    )
