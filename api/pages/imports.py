"""The GIS office's import pages: /imports/new takes a letter's file from upload through preview, value
mapping and the check to the import and its summary (api/static/imports/new.js, over the JSON routes);
/imports lists every batch as the letter it came with; /imports/{id}: a batch's rows and where each went."""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DB
from api.pages.nav import top_bar
from api.pages.render import language, page_reader, render
from api.pages.strings import WORDS, words
from gis.access import may
from gis.db import Conn
from gis.errors import pick
from gis.intake.files.letters import batch, batch_rows, batches
from gis.intake.files.mapping import MAPPED_KINDS
from gis.lang import jalali, persian_digits
from gis.users import User
from gis.vocabulary import alias_targets

router = APIRouter(include_in_schema=False)
# Words the import page's script shares with other pages, by the names it uses.
SHARED = {
    "rejected": "spot.status_rejected",
    "field_neighbourhood": "map.neighbourhood",
    "field_date": "spot.date",
    "field_coordinates": "basemap.kind_coordinates",
    "to_place": "map.to_place",
}
# The engine's routes that withdraw a batch and put it back; the batch page offers them when the app has them.
WITHDRAW = "/api/imports/batches/{batch}/withdraw"
RESTORE = "/api/imports/batches/{batch}/restore"


def _day(value: object, lang: str) -> str:
    """A date or time as the page's reader writes it (Jalali in Persian digits, or ISO)."""
    if value is None:
        return ""
    return value.isoformat()[:10] if lang == "en" else persian_digits(jalali(value))  # type: ignore[attr-defined]


def _letters(rows: list[dict], lang: str) -> list[dict]:
    return [
        {
            **row,
            "letter_day": _day(row["letter_date"], lang),
            "imported_day": _day(row["imported_at"], lang),
            "withdrawn_day": _day(row["withdrawn_at"], lang),
            "who": row["imported_by_name"] or row["imported_by"] or "",
            "scan_url": f"/api/imports/batches/{row['id']}/scan" if row["has_scan"] else None,
        }
        for row in rows
    ]


def _text(lang: str) -> dict[str, str]:
    """The words the page's script reads: its own and those it shares with other pages."""
    return words("imports", lang) | {name: pick(WORDS[key], lang) for name, key in SHARED.items()}


def _page(request: Request, user: User, name: str, context: Callable[[str], dict]) -> Response:
    """The page `name`, its context built from the page's language."""
    lang = language(request)
    suffix = "?lang=en" if lang == "en" else ""
    return render(request, name, {"bar": top_bar(request, user), "suffix": suffix, **context(lang)})


@router.get("/imports/new", response_class=HTMLResponse)
def new_import_page(
    request: Request, user: User = Depends(page_reader("import.reports")), conn: Conn = DB
) -> Response:
    def context(lang: str) -> dict:
        terms = {
            kind: [
                {"code": code, "label": pick(pair, lang)} for code, pair in alias_targets(conn, kind).items()
            ]
            for kind in MAPPED_KINDS
        }
        return {"data": {"lang": lang, "text": _text(lang), "terms": terms}}

    return _page(request, user, "import_new.html", context)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(
    request: Request, user: User = Depends(page_reader("import.read")), conn: Conn = DB
) -> Response:
    def context(lang: str) -> dict:
        return {
            "batches": _letters(batches(conn), lang),
            "may_import": may(user.role, "import.reports"),
        }

    return _page(request, user, "imports.html", context)


@router.get("/imports/{batch_id}", response_class=HTMLResponse)
def batch_page(
    batch_id: int, request: Request, user: User = Depends(page_reader("import.read")), conn: Conn = DB
) -> Response:
    def context(lang: str) -> dict:
        found = _letters([batch(conn, batch_id)], lang)[0]
        route = RESTORE if found["withdrawn_at"] else WITHDRAW
        offered = route in request.app.openapi()["paths"] and may(user.role, "import.reports")
        return {
            "batch": found,
            "rows": batch_rows(conn, batch_id),
            "move_url": route.format(batch=batch_id) if offered else None,
            "data": {"text": _text(lang)},
        }

    return _page(request, user, "import_batch.html", context)
