"""Who is asking: bearer tokens for API clients, HTTP Basic for QGIS and GDAL (whose stock dialogs send only
that), session cookies (with a CSRF check) for pages."""

import base64
import binascii

from fastapi import Depends, Request

from api.deps import DB
from gis.access import SpotScope, scope_for
from gis.db import Conn
from gis.errors import Forbidden, Unauthorized
from gis.users import User, authenticate, refuse_until_allowed, signed_in, user_for_token

SESSION_COOKIE = "safemap_session"
CSRF_COOKIE = "safemap_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def current_user(request: Request, conn: Conn = DB) -> User | None:
    """The signed-in user, or None for an anonymous request; a bad token is an error, not anonymity."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "basic":
            return _basic_user(request, conn, token.strip())
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("authorization_header_bearer_token", field="authorization")
        found = user_for_token(conn, token.strip(), kind="bearer")
        if found is None:
            raise Unauthorized("token_unknown_expired_revoked", field="authorization")
        return found[0]
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        return None
    found = user_for_token(conn, session, kind="session")
    if found is None:
        return None
    user, csrf = found
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != csrf:
        raise Forbidden("missing_wrong_csrf_token_send", field="csrf")
    return user


def _basic_user(request: Request, conn: Conn, encoded: str) -> User:
    """HTTP Basic: a user name with one of that user's bearer tokens as the password (fast: what the README
    tells QGIS users to store), or with the password itself, counted against guessing like a sign-in."""
    try:
        username, colon, secret = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        colon = ""
    if not colon or not username or not secret:
        raise Unauthorized("authorization_header_bearer_token", field="authorization")
    found = user_for_token(conn, secret, kind="bearer")
    if found is not None and found[0].username == username:
        return found[0]
    address = request.client.host if request.client else "unknown"
    refuse_until_allowed(conn, username, address)
    conn.commit()  # the attempt counts even when the password is wrong and the request's work rolls back
    user = authenticate(conn, username, secret)
    signed_in(conn, username, address)
    return user


def require_user(user: User | None = Depends(current_user)) -> User:
    """Any signed-in user."""
    if user is None:
        raise Unauthorized("sign_first_bearer_token_session", field="authorization")
    return user


def require(action: str):
    """A dependency admitting only the roles the access table lets do `action`."""

    def dependency(user: User = Depends(require_user)) -> User:
        user.require(action)
        return user

    return dependency


def spot_scope(request: Request, user: User | None = Depends(current_user)) -> SpotScope:
    """The spots the asker may read: by role, or the public map's when nobody is signed in."""
    return scope_for(user, public_map=request.app.state.settings.public_map)
