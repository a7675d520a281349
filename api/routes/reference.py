"""Reference lists: categories, stages, sources (Persian and English labels)."""

from fastapi import APIRouter

from api.deps import DB
from gis.db import Conn, dict_cursor

router = APIRouter(prefix="/api", tags=["reference"])


def _rows(conn: Conn, query: str) -> list[dict]:
    with dict_cursor(conn) as cur:
        cur.execute(query)
        return cur.fetchall()


@router.get("/categories", summary="The taxonomy of defenseless spaces")
def categories(conn: Conn = DB) -> list[dict]:
    return _rows(conn, "SELECT code, label_fa, label_en, icon FROM category ORDER BY sort")


@router.get("/stages", summary="The programme's four stages")
def stages(conn: Conn = DB) -> list[dict]:
    return _rows(conn, "SELECT number, code, label_fa, label_en, colour FROM stage ORDER BY number")


@router.get("/sources", summary="Where reports come from")
def sources(conn: Conn = DB) -> list[dict]:
    return _rows(conn, "SELECT code, label_fa, label_en FROM source ORDER BY code")
