"""Sign in and out: bearer tokens for API clients, a session cookie for the pages; guesses slow down."""

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.auth import CSRF_COOKIE, SESSION_COOKIE, require_user
from api.deps import DB
from gis.access import ROLES, actions_for
from gis.db import Conn
from gis.users import (
    User,
    authenticate,
    change_password,
    issue_token,
    refuse_until_allowed,
    revoke_token,
    signed_in,
    token_days,
)

router = APIRouter(tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=256)


class PasswordChange(BaseModel):
    current_password: str = Field(..., min_length=1, max_length=256)
    new_password: str = Field(..., min_length=1, max_length=256)


def _public(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_fa": ROLES[user.role].fa,
        "role_en": ROLES[user.role].en,
        "agency_id": user.agency_id,
        "area_ids": list(user.area_ids),
        "may": list(actions_for(user.role)),  # pages offer these moves; the server checks them again
    }


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _sign_in(conn: Conn, request: Request, credentials: Credentials) -> User:
    """The user behind these credentials, unless this account or address must wait (429 with Retry-After)."""
    address = _address(request)
    refuse_until_allowed(conn, credentials.username, address)
    # The attempt is counted before the password is checked, and kept even though a failure rolls back the
    # request's transaction: parallel guesses all count.
    conn.commit()
    user = authenticate(conn, credentials.username, credentials.password)
    signed_in(conn, credentials.username, address)
    return user


def _presented_token(request: Request) -> str | None:
    """The bearer token or session cookie this request was signed in with."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(SESSION_COOKIE)


@router.post("/api/auth/token", summary="Exchange a user name and password for a bearer token")
def token(credentials: Credentials, request: Request, conn: Conn = DB) -> dict:
    user = _sign_in(conn, request, credentials)
    value, _ = issue_token(conn, user.id, kind="bearer")
    return {
        "access_token": value,
        "token_type": "bearer",
        "expires_in_days": token_days("bearer"),
        "user": _public(user),
    }


@router.post("/api/auth/login", summary="Open a browser session (HttpOnly cookie + CSRF cookie)")
def login(credentials: Credentials, request: Request, response: Response, conn: Conn = DB) -> dict:
    user = _sign_in(conn, request, credentials)
    session, csrf = issue_token(conn, user.id, kind="session")
    secure = request.url.scheme == "https"
    age = token_days("session") * 86400
    response.set_cookie(SESSION_COOKIE, session, max_age=age, httponly=True, samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict", secure=secure)
    return {"user": _public(user), "csrf": csrf}


@router.post("/api/auth/logout", summary="Close the browser session or revoke the bearer token used")
def logout(request: Request, response: Response, user: User = Depends(require_user), conn: Conn = DB) -> dict:
    presented = _presented_token(request)
    if presented:
        revoke_token(conn, presented)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return {"signed_out": user.username}


@router.post(
    "/api/auth/password",
    summary="Change your password (every other token of the account is signed out)",
    responses={400: {"description": "current_password wrong, or new_password too short"}},
)
def password(
    change: PasswordChange, request: Request, user: User = Depends(require_user), conn: Conn = DB
) -> dict:
    refuse_until_allowed(conn, user.username, _address(request))
    conn.commit()
    change_password(
        conn, user, change.current_password, change.new_password, keep_token=_presented_token(request)
    )
    signed_in(conn, user.username, _address(request))
    return {"password_changed": user.username}


@router.get("/api/auth/me", summary="Who am I?")
def me(user: User = Depends(require_user)) -> dict:
    return _public(user)
