"""Sign in and out: bearer tokens for API clients, a session cookie for the pages."""

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.auth import CSRF_COOKIE, SESSION_COOKIE, require_user
from api.deps import DB
from gis.db import Conn
from gis.users import TOKEN_DAYS, User, authenticate, issue_token, revoke_token

router = APIRouter(tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=256)


def _public(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "agency_id": user.agency_id,
        "area_ids": list(user.area_ids),
    }


@router.post("/api/auth/token", summary="Exchange a user name and password for a bearer token")
def token(credentials: Credentials, conn: Conn = DB) -> dict:
    user = authenticate(conn, credentials.username, credentials.password)
    value, _ = issue_token(conn, user.id, kind="bearer")
    return {
        "access_token": value,
        "token_type": "bearer",
        "expires_in_days": TOKEN_DAYS["bearer"],
        "user": _public(user),
    }


@router.post("/api/auth/login", summary="Open a browser session (HttpOnly cookie + CSRF cookie)")
def login(credentials: Credentials, request: Request, response: Response, conn: Conn = DB) -> dict:
    user = authenticate(conn, credentials.username, credentials.password)
    session, csrf = issue_token(conn, user.id, kind="session")
    secure = request.url.scheme == "https"
    age = TOKEN_DAYS["session"] * 86400
    response.set_cookie(SESSION_COOKIE, session, max_age=age, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict", secure=secure)
    return {"user": _public(user), "csrf": csrf}


@router.post("/api/auth/logout", summary="Close the browser session")
def logout(request: Request, response: Response, user: User = Depends(require_user), conn: Conn = DB) -> dict:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        revoke_token(conn, session)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return {"signed_out": user.username}


@router.get("/api/auth/me", summary="Who am I?")
def me(user: User = Depends(require_user)) -> dict:
    return _public(user)
