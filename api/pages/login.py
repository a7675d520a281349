"""The sign-in page (the sign-in itself is POST /api/auth/login)."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import current_user
from api.pages.render import render
from gis.users import User

router = APIRouter(tags=["pages"])


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(
    request: Request, next: str = Query("/", max_length=200), user: User | None = Depends(current_user)
) -> HTMLResponse:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return render(request, "login.html", {"next": target, "user": user})
