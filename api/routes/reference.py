"""Reference lists: categories, stages, sources (Persian and English labels)."""

from fastapi import APIRouter

from api.deps import DB
from gis.db import Conn
from gis.vocabulary import reference_list

router = APIRouter(prefix="/api", tags=["reference"])


@router.get("/categories", summary="The taxonomy of defenseless spaces")
def categories(conn: Conn = DB) -> list[dict]:
    return reference_list(conn, "categories")


@router.get("/stages", summary="The programme's four stages")
def stages(conn: Conn = DB) -> list[dict]:
    return reference_list(conn, "stages")


@router.get("/sources", summary="Where reports come from")
def sources(conn: Conn = DB) -> list[dict]:
    return reference_list(conn, "sources")
