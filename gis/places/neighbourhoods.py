"""Neighbourhoods as people name them: by code, by Persian or Latin name, or by the programme's local names.

This is the one neighbourhood resolver of every channel (a mayor's file, focus groups, Open311, the tablet);
names are compared by `gis.lang.match_key`, and the local names (Abshar) are `NEIGHBOURHOOD_ALIASES`.
"""

import re

from shapely import wkb
from shapely.geometry.base import BaseGeometry

from gis.db import Conn
from gis.errors import InvalidInput
from gis.lang import match_key
from gis.vocabulary import NEIGHBOURHOOD_ALIASES, saved_aliases

NAMES_SQL = "SELECT id, code, name_fa, name_en, name_latin FROM area WHERE level = 'neighbourhood'"


def neighbourhood_names(conn: Conn) -> dict[str, tuple[int, str]]:
    """(area id, code) by the match key of every code, name, local name and confirmed alias; load once for a
    whole file."""
    with conn.cursor() as cur:
        cur.execute(NAMES_SQL)
        rows = cur.fetchall()
    by_code = {code: area_id for area_id, code, *_ in rows}
    names = {
        match_key(alias): (by_code[code], code)
        for alias, code in NEIGHBOURHOOD_ALIASES.items()
        if code in by_code
    }
    names |= {match_key(name): (area_id, code) for area_id, code, *labels in rows for name in labels if name}
    names |= {match_key(code): (area_id, code) for code, area_id in by_code.items()}
    confirmed = saved_aliases(conn, "neighbourhood")  # the GIS office's; the layer's own names win
    return {key: (by_code[code], code) for key, code in confirmed.items() if code in by_code} | names


def neighbourhood(conn: Conn, text: object, *, field: str = "area") -> tuple[int, str]:
    """(area id, code) of the neighbourhood '2201', '۲۲۰۱', 'محله دریاچه' or 'Abshar' names; else InvalidInput
    naming `field`."""
    return resolve_neighbourhood(neighbourhood_names(conn), text, field=field)


def resolve_neighbourhood(
    names: dict[str, tuple[int, str]], text: object, *, field: str = "area"
) -> tuple[int, str]:
    """`neighbourhood` over names loaded once (`neighbourhood_names`), for a file of many rows."""
    key = match_key(text).removesuffix(".0")  # .0: a code a spreadsheet read as a number
    found = names.get(key) or names.get(key.removeprefix("محله "))
    if found is None:
        raise InvalidInput(field, "neighbourhood_with_code_name", text=text)
    return found


def neighbourhood_id(conn: Conn, text: object, *, field: str = "area") -> int:
    """The id of the neighbourhood `text` names (see `neighbourhood`)."""
    return neighbourhood(conn, text, field=field)[0]


def neighbourhood_in_text(conn: Conn, text: str) -> str | None:
    """The code of the neighbourhood an address names (the longest name wins; codes don't count), or None."""
    return named_in_text(neighbourhood_names(conn), text)


def named_in_text(names: dict[str, tuple[int, str]], text: str) -> str | None:
    """`neighbourhood_in_text` over names already loaded (a file's lookups), for many addresses."""
    plain = match_key(text)
    candidates = [(name, code) for name, (_, code) in names.items() if name != code]
    for name, code in sorted(candidates, key=lambda item: -len(item[0])):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", plain):
            return code
    return None


def neighbourhood_outlines(conn: Conn) -> list[tuple[str, BaseGeometry]]:
    """Every neighbourhood's code and outline (WGS 84), to place many points without a query each."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, ST_AsBinary(geom) FROM area WHERE level = 'neighbourhood' ORDER BY code")
        return [(code, wkb.loads(bytes(shape))) for code, shape in cur.fetchall()]
