"""Server-rendered pages: one Jinja environment, Persian by default, English with ?lang=en."""

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from api.auth import current_user
from api.pages.charts import number
from api.pages.strings import WORDS
from gis.errors import pick
from gis.users import User

templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))


@pass_context
def label(context: dict, pair: tuple[str, str]) -> str:
    """A (Persian, English) pair in the page's language: `{{ label(pair) }}` in any template."""
    return pick(pair, context["lang"])


@pass_context
def named(context: dict, row: dict, key: str) -> str:
    """A row's `key_fa`/`key_en` name in the page's language, the Persian where it has no English."""
    return pick((row[f"{key}_fa"], row.get(f"{key}_en") or row[f"{key}_fa"]), context["lang"])


@pass_context
def num(context: dict, value: object) -> str:
    """A count or a mean in the page's digits: `{{ num(n) }}` (api.pages.charts.number)."""
    return number(value, context["lang"])


templates.env.globals.update(label=label, named=named, num=num)


def language(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "fa"


def page_words(lang: str) -> dict[str, str]:
    """Every page word by its full key, in the page's language."""
    return {key: pick(pair, lang) for key, pair in WORDS.items()}


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Render a template with the page language and direction set, and `w`: every page word
    (api/pages/strings.py) by its full key ("spot.history"), so no template writes a label of its own."""
    lang = language(request)
    return templates.TemplateResponse(
        request,
        name,
        {"lang": lang, "dir": "ltr" if lang == "en" else "rtl", "w": page_words(lang), **context},
        status_code=status_code,
    )


class SignInFirst(Exception):
    """A staff page asked for by nobody signed in: answered by `sign_in_first` (the app's handler)."""


def sign_in_first(request: Request, _: SignInFirst | None = None) -> RedirectResponse:
    """To the sign-in page, coming back here (same language) afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = "&lang=en" if language(request) == "en" else ""
    return RedirectResponse(f"/login?next={quote(target, safe='')}{lang}", status_code=303)


def page_user(user: User | None = Depends(current_user)) -> User:
    """A staff page's reader: the signed-in user; nobody signed in is sent to sign in and back here."""
    if user is None:
        raise SignInFirst
    return user


def page_reader(*actions: str) -> Callable[[User], User]:
    """A staff page's reader who may do one of `actions` at least (others get the error page)."""

    def reader(user: User = Depends(page_user)) -> User:
        user.require(*actions)
        return user

    return reader
