"""Neighbourhoods as people name them: by code, by Persian or Latin name, or by the programme's local names."""

import re

from gis.db import Conn
from gis.errors import InvalidInput
from gis.lang import latin_digits, normalise_persian

# Names the programme uses that are not in the municipal layer (Abshar is taken as Omid-Dezhban, 2203),
# and the short names its focus groups go by.
LOCAL_NAMES = {
    "آبشار": "2203",
    "abshar": "2203",
    "شریف": "2201",
    "sharif": "2201",
    "زیبادشت": "2205",
    "zibadasht": "2205",
    "دریاچه": "2209",
    "daryacheh": "2209",
}


def _plain(text: str) -> str:
    """Lower case, Persian letter forms, Latin digits, and spaces for the zero-width non-joiner and '_'."""
    text = latin_digits(normalise_persian(text)).replace("\u200c", " ").replace("_", " ").lower()
    return re.sub(r"\s+", " ", text).strip()


def _names(conn: Conn) -> list[tuple[str, int, str]]:
    """(plain name, area id, code) for every neighbourhood name and local name, longest first."""
    with conn.cursor() as cur:
        cur.execute("SELECT id, code, name_fa, name_en, name_latin FROM area WHERE level = 'neighbourhood'")
        rows = cur.fetchall()
    by_code = {code: area_id for area_id, code, *_ in rows}
    names = [(_plain(name), area_id, code) for area_id, code, *labels in rows for name in labels if name]
    names += [(_plain(name), by_code[code], code) for name, code in LOCAL_NAMES.items() if code in by_code]
    return sorted(names, key=lambda item: -len(item[0]))


def neighbourhood_id(conn: Conn, text: str, *, field: str = "area") -> int:
    """The neighbourhood with this code or name ('2201', 'دریاچه', 'Abshar'); InvalidInput names `field`."""
    wanted = _plain(str(text))
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM area WHERE code = %s AND level = 'neighbourhood'", (wanted,))
        row = cur.fetchone()
    if row is not None:
        return row[0]
    for name, area_id, _ in _names(conn):
        if name == wanted:
            return area_id
    raise InvalidInput(field, "neighbourhood_with_code_name", text=text)


def neighbourhood_in_text(conn: Conn, text: str) -> str | None:
    """The code of the neighbourhood an address names (longest name wins), or None."""
    plain = _plain(text)
    for name, _, code in _names(conn):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", plain):
            return code
    return None
