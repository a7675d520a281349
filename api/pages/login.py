"""The sign-in page (the sign-in itself is POST /api/auth/login)."""

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import current_user
from api.pages.render import render
from gis.users import User

router = APIRouter(tags=["pages"])


def same_site(target: str, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default`: browsers read '/\\host', '/<tab>/host' and
    '//host' as another site, so only a single leading '/' with no backslash or control character passes."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(
    request: Request, next: str = Query("/", max_length=200), user: User | None = Depends(current_user)
) -> HTMLResponse:
    return render(request, "login.html", {"next": same_site(next), "user": user})
