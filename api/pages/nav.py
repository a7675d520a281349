"""The top bar every page shows: the links the signed-in role may use (from gis/access.py) and sign-out."""

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.pages.render import language, render, templates
from api.pages.strings import words
from gis.access import may
from gis.users import User

# (key, path, the actions of which one at least opens the link; none: everyone, the public included)
LINKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("map", "/map", ()),
    ("work", "/work", ("spot.verify", "action.progress")),
    ("field", "/field", ("page.field",)),
    ("dashboard", "/dashboard", ("dashboard.read",)),
    ("routing", "/routing", ("routing.manage",)),
    ("programme", "/programme", ("programme.manage",)),
    ("imports", "/imports/new", ("import.reports",)),
)


def bar_links(user: User | None) -> list[str]:
    """The keys of the links `user` (None: the public) may follow, in the bar's order."""
    role = None if user is None else user.role
    return [key for key, _path, actions in LINKS if not actions or any(may(role, a) for a in actions)]


def top_bar(request: Request, user: User | None) -> dict:
    """What templates/_topbar.html shows: links in the page's language, the current one marked."""
    lang = language(request)
    text = words("nav", lang)
    suffix = "?lang=en" if lang == "en" else ""
    paths = {key: path for key, path, _actions in LINKS}
    here = request.url.path
    return {
        "lang": lang,
        "links": [
            {"key": key, "href": paths[key] + suffix, "label": text[key], "current": here == paths[key]}
            for key in bar_links(user)
        ],
        "user": None if user is None else (user.full_name or user.username),
        "sign_in": f"/login?next={quote(here + suffix, safe='')}{'&lang=en' if lang == 'en' else ''}",
        "text": text,
    }


def top_bar_html(request: Request, user: User | None) -> str:
    """The bar as HTML, for pages not built from the Jinja templates (the folium map)."""
    return templates.get_template("_topbar.html").render(bar=top_bar(request, user))


def render_for(request: Request, user: User, name: str, context: dict) -> HTMLResponse:
    """A signed-in user's page: `context` with the user and the top bar every such page shows."""
    return render(request, name, {"user": user, "bar": top_bar(request, user), **context})
