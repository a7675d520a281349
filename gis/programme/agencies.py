"""Agencies: the bodies that take on actions (urban services, traffic, police liaison, ...)."""

import re

from gis.db import Conn
from gis.errors import Conflict, InvalidInput, NotFound
from gis.lang import normalise_persian
from gis.users import User

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def list_agencies(conn: Conn, *, include_inactive: bool = False) -> list[dict]:
    """Agencies by code, with their number of open actions."""
    with conn.cursor() as cur:
        cur.execute(
            """
            SELECT g.code, g.name_fa, g.name_en, g.active,
                   count(x.id) FILTER (WHERE xs.is_open)
            FROM agency g LEFT JOIN spot_action x ON x.agency_id = g.id
            LEFT JOIN action_status xs ON xs.code = x.status
            WHERE g.active OR %s
            GROUP BY g.id ORDER BY g.code
            """,
            (include_inactive,),
        )
        keys = ("code", "name_fa", "name_en", "active", "open_actions")
        return [dict(zip(keys, row)) for row in cur.fetchall()]


def add_agency(conn: Conn, *, user: User, code: str, name_fa: str, name_en: str = "") -> dict:
    """The deputy adds an agency; codes are unique (reactivate an old one instead of re-adding it)."""
    user.require("agency.manage")
    if not CODE.match(code or ""):
        raise InvalidInput("code", "characters_z_starting_with_letter")
    name_fa = normalise_persian((name_fa or "").strip())
    if not name_fa:
        raise InvalidInput("name_fa", "required")
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO agency (code, name_fa, name_en) VALUES (%s, %s, %s)"
            " ON CONFLICT (code) DO NOTHING RETURNING id",
            (code, name_fa, (name_en or "").strip()),
        )
        if cur.fetchone() is None:
            raise Conflict("agency_with_code_already_exists", code=code, field="code")
    return {
        "code": code,
        "name_fa": name_fa,
        "name_en": (name_en or "").strip(),
        "active": True,
        "open_actions": 0,
    }


def set_agency_active(conn: Conn, *, user: User, code: str, active: bool) -> None:
    """The deputy deactivates an agency (no new actions; history stays) or reactivates it."""
    user.require("agency.manage")
    with conn.cursor() as cur:
        cur.execute("UPDATE agency SET active = %s WHERE code = %s RETURNING id", (active, code))
        if cur.fetchone() is None:
            raise NotFound("no_such_agency", code=code, field="code")
