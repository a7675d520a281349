"""Who is asking: bearer tokens for API clients, session cookies (with a CSRF check) for pages."""

from fastapi import Depends, Request

from api.deps import DB
from gis.access import SpotScope, scope_for
from gis.db import Conn
from gis.errors import Forbidden, Unauthorized
from gis.users import User, user_for_token

SESSION_COOKIE = "safemap_session"
CSRF_COOKIE = "safemap_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def current_user(request: Request, conn: Conn = DB) -> User | None:
    """The signed-in user, or None for an anonymous request; a bad token is an error, not anonymity."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
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
