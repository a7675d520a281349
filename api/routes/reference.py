"""Reference lists: categories, stages, sources (Persian and English labels)."""
from fastapi import APIRouter, Depends

from api.deps import get_conn
from gis.db import dict_cursor

router = APIRouter(prefix="/api", tags=["reference"])


def _rows(conn, query: str) -> list[dict]:
    with dict_cursor(conn) as cur:
        cur.execute(query)
        return cur.fetchall()


@router.get("/categories", summary="The taxonomy of defenseless spaces")
def categories(conn=Depends(get_conn)) -> list[dict]:
    return _rows(conn, "SELECT code, label_fa, label_en, icon FROM category ORDER BY sort")


@router.get("/stages", summary="The programme's four stages")
def stages(conn=Depends(get_conn)) -> list[dict]:
    return _rows(conn, "SELECT number, code, label_fa, label_en, colour FROM stage ORDER BY number")


@router.get("/sources", summary="Where reports come from")
def sources(conn=Depends(get_conn)) -> list[dict]:
    return _rows(conn, "SELECT code, label_fa, label_en FROM source ORDER BY code")
