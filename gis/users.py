"""Users, roles, passwords (Argon2) and tokens: who may see and change what."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gis import access
from gis.db import Conn
from gis.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized

MIN_PASSWORD = 8
TOKEN_DAYS = {"bearer": 90, "session": 1}

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A signed-in person: role, and the neighbourhoods (facilitator) or agency (agency) they are bound to."""

    id: int
    username: str
    role: str
    full_name: str = ""
    agency_id: int | None = None
    area_ids: tuple[int, ...] = field(default_factory=tuple)

    @property
    def sees_personal_data(self) -> bool:
        """Reporters' contact data and exact report details are for the roles the access table names."""
        return access.may(self.role, "report.contact")

    def covers_area(self, area_id: int | None) -> bool:
        """Facilitators act only in their neighbourhoods; other roles are not bound to areas."""
        return access.bound(self.role) is not access.Scope.AREAS or (
            area_id is not None and area_id in self.area_ids
        )

    def require_area(self, area_id: int | None) -> None:
        if not self.covers_area(area_id):
            raise Forbidden("this_neighbourhood_one_yours", field="area")

    def require(self, *actions: str) -> None:
        """Refuse unless the access table lets this user's role do one of `actions` at least."""
        roles = access.roles_for(*actions)
        if self.role not in roles:
            raise Forbidden("this_needs_role_you_are", roles=" or ".join(roles), role=self.role, field="role")


USER_SQL = """
    SELECT u.id, u.username, u.role, u.full_name, u.agency_id,
           coalesce(array_agg(ua.area_id ORDER BY ua.area_id) FILTER (WHERE ua.area_id IS NOT NULL), '{}')
    FROM app_user u LEFT JOIN user_area ua ON ua.user_id = u.id
"""


def _user(row: tuple) -> User:
    return User(
        id=row[0], username=row[1], role=row[2], full_name=row[3], agency_id=row[4], area_ids=tuple(row[5])
    )


def create_user(
    conn: Conn,
    *,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    areas: list[str] | tuple[str, ...] = (),
    agency: str | None = None,
) -> User:
    """Add a user; facilitators need at least one neighbourhood, agency users an agency."""
    if role not in access.ROLES:
        raise InvalidInput("role", "one_of", choices=", ".join(access.ROLE_CODES))
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", "at_least_characters", min_password=MIN_PASSWORD)
    if access.bound(role) is access.Scope.AREAS and not areas:
        raise InvalidInput("areas", "facilitator_needs_at_least_one")
    if access.bound(role) is access.Scope.AGENCY and not agency:
        raise InvalidInput("agency", "agency_user_needs_agency_code")
    if access.bound(role) is not access.Scope.AGENCY and agency:
        raise InvalidInput("agency", "only_agency_users_are_bound")
    with conn.cursor() as cur:
        agency_id = None
        if agency:
            cur.execute("SELECT id FROM agency WHERE code = %s", (agency,))
            row = cur.fetchone()
            if row is None:
                raise InvalidInput("agency", "unknown_agency", agency=agency)
            agency_id = row[0]
        cur.execute("SELECT 1 FROM app_user WHERE username = %s", (username,))
        if cur.fetchone():
            raise Conflict("username_taken", username=username, field="username")
        cur.execute(
            "INSERT INTO app_user (username, full_name, role, password_hash, agency_id)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (username, full_name, role, _hasher.hash(password), agency_id),
        )
        user_id = cur.fetchone()[0]
        for code in areas:
            cur.execute("SELECT id FROM area WHERE code = %s AND level = 'neighbourhood'", (code,))
            row = cur.fetchone()
            if row is None:
                raise InvalidInput("areas", "no_neighbourhood_with_code", code=code)
            cur.execute(
                "INSERT INTO user_area (user_id, area_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (user_id, row[0]),
            )
    return get_user(conn, username)


def get_user(conn: Conn, username: str) -> User:
    with conn.cursor() as cur:
        cur.execute(USER_SQL + " WHERE u.username = %s GROUP BY u.id", (username,))
        row = cur.fetchone()
    if row is None:
        raise NotFound("no_such_user", username=username, field="username")
    return _user(row)


def list_users(conn: Conn) -> list[dict]:
    """Users with their role, state and bindings, for `safemap user list`."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT u.username, u.role, u.full_name, u.active, g.code,
                   coalesce(string_agg(a.code, ',' ORDER BY a.code), '')
            FROM app_user u
            LEFT JOIN agency g ON g.id = u.agency_id
            LEFT JOIN user_area ua ON ua.user_id = u.id
            LEFT JOIN area a ON a.id = ua.area_id
            GROUP BY u.id, g.code ORDER BY u.username
            """
        )
        keys = ("username", "role", "full_name", "active", "agency", "areas")
        return [dict(zip(keys, row)) for row in cur.fetchall()]


def disable_user(conn: Conn, username: str) -> None:
    """Disable the account and revoke every token it holds; history keeps its name."""
    with conn.cursor() as cur:
        cur.execute("UPDATE app_user SET active = false WHERE username = %s RETURNING id", (username,))
        row = cur.fetchone()
        if row is None:
            raise NotFound("no_such_user", username=username, field="username")
        cur.execute("UPDATE api_token SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL", row)


def authenticate(conn: Conn, username: str, password: str) -> User:
    """The active user with this password; the same Unauthorized whether the name or the password is wrong."""
    with conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM app_user WHERE username = %s AND active", (username,))
        row = cur.fetchone()
    try:
        if row is None:
            raise VerificationError
        _hasher.verify(row[0], password)
    except (VerificationError, InvalidHashError) as exc:
        raise Unauthorized("wrong_user_name_password", field="password") from exc
    return get_user(conn, username)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(conn: Conn, user_id: int, *, kind: str = "bearer") -> tuple[str, str]:
    """A new random token (only its hash is stored) and, for sessions, its CSRF value."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else ""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO api_token (token_hash, user_id, kind, csrf, expires_at)"
            " VALUES (%s, %s, %s, %s, now() + %s)",
            (_digest(token), user_id, kind, csrf, timedelta(days=TOKEN_DAYS[kind])),
        )
    return token, csrf


def user_for_token(conn: Conn, token: str, *, kind: str) -> tuple[User, str] | None:
    """The active user behind a live token, with the token's CSRF value; None when unknown or expired."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT u.username, t.csrf FROM api_token t JOIN app_user u ON u.id = t.user_id"
            " WHERE t.token_hash = %s AND t.kind = %s AND t.revoked_at IS NULL AND t.expires_at > now()"
            " AND u.active",
            (_digest(token), kind),
        )
        row = cur.fetchone()
    return None if row is None else (get_user(conn, row[0]), row[1])


def revoke_token(conn: Conn, token: str) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE api_token SET revoked_at = now() WHERE token_hash = %s", (_digest(token),))
