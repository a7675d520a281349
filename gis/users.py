"""Users, roles, passwords (Argon2) and tokens: who may see and change what."""

import hashlib
import math
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gis import access, clock
from gis.db import Conn, one_value
from gis.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts, Unauthorized
from gis.settings import get_settings

MIN_PASSWORD = 8
SESSION_DAYS = 1

# Argon2id with 19 MiB and two passes (OWASP's first choice), and at most HASHING hashes at once per process:
# 40 sign-ins at the same moment cost 4 × 19 MiB, not 40 × 64 MiB. Older hashes still verify and are
# rehashed with these parameters at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
HASHING = 4
_hashing = threading.BoundedSemaphore(HASHING)

# Failed sign-ins before each further attempt waits, per account and per client address; the wait doubles with
# every failure past these, up to MAX_WAIT seconds, and failures older than WINDOW are forgotten.
FREE_FAILURES = {"user": 5, "address": 20}
MAX_WAIT = 15 * 60
WINDOW = timedelta(hours=1)


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
    missing = InvalidInput("agency", "unknown_agency", agency=agency)
    agency_id = (
        one_value(conn, "SELECT id FROM agency WHERE code = %s", (agency,), missing) if agency else None
    )
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM app_user WHERE username = %s", (username,))
        if cur.fetchone():
            raise Conflict("username_taken", username=username, field="username")
        cur.execute(
            "INSERT INTO app_user (username, full_name, role, password_hash, agency_id)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (username, full_name, role, _hash(password), agency_id),
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


def set_email(conn: Conn, username: str, email: str | None) -> None:
    """Give a user the address their inbox is mailed to (None: no mail)."""
    email = (email or "").strip() or None
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise InvalidInput("email", "not_an_email", email=email)
    missing = NotFound("no_such_user", username=username, field="username")
    update = "UPDATE app_user SET email = %s WHERE username = %s RETURNING id"
    one_value(conn, update, (email, username), missing)


def disable_user(conn: Conn, username: str) -> None:
    """Disable the account and revoke every token it holds; history keeps its name."""
    with conn.cursor() as cur:
        cur.execute("UPDATE app_user SET active = false WHERE username = %s RETURNING id", (username,))
        row = cur.fetchone()
        if row is None:
            raise NotFound("no_such_user", username=username, field="username")
        cur.execute("UPDATE api_token SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL", row)


def _hash(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; an unknown user is checked against a dummy hash, so a wrong name
    costs the same time as a wrong password and does not tell which names exist."""
    with _hashing:
        try:
            return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def authenticate(conn: Conn, username: str, password: str) -> User:
    """The active user with this password; the same Unauthorized whether the name or the password is wrong."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, password_hash FROM app_user WHERE username = %s AND active", (username,))
        row = cur.fetchone()
    if not _verify(row[1] if row else None, password):
        raise Unauthorized("wrong_user_name_password", field="password")
    if _hasher.check_needs_rehash(row[1]):
        with conn.cursor() as cur:
            cur.execute("UPDATE app_user SET password_hash = %s WHERE id = %s", (_hash(password), row[0]))
    return get_user(conn, username)


def _attempt_keys(username: str, address: str) -> dict[str, str]:
    return {"user": f"user:{username}", "address": f"address:{address}"}


def sign_in_wait(conn: Conn, username: str, address: str) -> int:
    """Seconds before this account or this address may try again (0: now); counts every attempt it allows,
    so parallel guesses count too. The caller commits even when the sign-in then fails."""
    keys = sorted(_attempt_keys(username, address).values())  # one lock order for every request
    now = clock.now()
    wait = 0.0
    with conn.cursor() as cur:
        cur.execute(
            "SELECT key, failures, last_failed_at FROM sign_in_attempt WHERE key = ANY(%s) FOR UPDATE",
            (keys,),
        )
        for key, failures, last in cur.fetchall():
            past = failures - FREE_FAILURES[key.split(":", 1)[0]]
            if past >= 0 and now - last < WINDOW:
                until = last + timedelta(seconds=min(2**past, MAX_WAIT))
                wait = max(wait, (until - now).total_seconds())
        if wait > 0:
            return math.ceil(wait)
        cur.execute(
            """
            INSERT INTO sign_in_attempt AS a (key, failures, last_failed_at)
            SELECT unnest(%(keys)s::text[]), 1, %(now)s
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN a.last_failed_at < %(now)s - %(window)s THEN 1 ELSE a.failures + 1 END,
                last_failed_at = %(now)s
            """,
            {"keys": keys, "now": now, "window": WINDOW},
        )
    return 0


def signed_in(conn: Conn, username: str, address: str) -> None:
    """A success clears the account's failures and takes back the one it counted for the address (which keeps
    the rest, so one good account does not reset a guesser's count); rows past the window are dropped."""
    keys = _attempt_keys(username, address)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM sign_in_attempt WHERE key = %s", (keys["user"],))
        cur.execute(
            "UPDATE sign_in_attempt SET failures = greatest(failures - 1, 0) WHERE key = %s",
            (keys["address"],),
        )
        cur.execute("DELETE FROM sign_in_attempt WHERE last_failed_at < %s", (clock.now() - WINDOW,))


def refuse_until_allowed(conn: Conn, username: str, address: str) -> None:
    """Raise TooManyAttempts when this account or address must wait; otherwise count the attempt."""
    wait = sign_in_wait(conn, username, address)
    if wait:
        raise TooManyAttempts("too_many_sign_in_attempts", seconds=wait, retry_after=wait, field="password")


def change_password(conn: Conn, user: User, current: str, new: str, *, keep_token: str | None) -> None:
    """Set a new password after checking the current one; every other token of the account is revoked, so a
    stolen one stops working."""
    with conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM app_user WHERE id = %s AND active", (user.id,))
        row = cur.fetchone()
    if not _verify(row[0] if row else None, current):
        raise InvalidInput("current_password", "wrong_current_password")
    if len(new) < MIN_PASSWORD:
        raise InvalidInput("new_password", "at_least_characters", min_password=MIN_PASSWORD)
    with conn.cursor() as cur:
        cur.execute("UPDATE app_user SET password_hash = %s WHERE id = %s", (_hash(new), user.id))
        cur.execute(
            "UPDATE api_token SET revoked_at = now()"
            " WHERE user_id = %s AND revoked_at IS NULL AND token_hash <> %s",
            (user.id, _digest(keep_token) if keep_token else ""),
        )


def token_days(kind: str) -> int:
    """How long a new token lives: a day for a browser session, the configured days for a bearer token."""
    return SESSION_DAYS if kind == "session" else get_settings().bearer_token_days


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
            (_digest(token), user_id, kind, csrf, timedelta(days=token_days(kind))),
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
