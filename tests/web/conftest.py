"""Browser tests: the app served by uvicorn on 127.0.0.1, driven by Debian's headless Chromium via Playwright.

Fixtures for any page (map, dashboard, tablet):
- `serve_app`: a factory; `serve_app(db_url)` serves `create_app(db_url)` on a free 127.0.0.1 port and returns
  its base URL (e.g. http://127.0.0.1:43117). Stopped at the end of the test.
- `live_url`: the base URL of the app over a fresh copy of the District 22 demo database.
- `browser`: one Chromium per test process (session-scoped); Playwright's own browsers are never downloaded.
- `page`: a new browser context and page per test that records every request and console error:
  `page.requests` (URLs), `page.console_errors` (console errors and uncaught page errors), and
  `page.outside_requests()` (requests to any host other than 127.0.0.1 — those are also aborted, so a test
  never reaches the internet; assert the list is empty).
- `field`: the facilitator sara (password s3cret-sara) of 2201 and 2209, and `field["points"]`, four
  (lat, lon) inside 2209; `tablet`: a tablet-sized page signed in as sara at /field, GPS allowed, recording
  `page.requests` and `page.console_errors` (any response >= 400 counts as one).
Mark browser tests with `@pytest.mark.browser` (`pytest -m browser` runs only them).
"""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from urllib.parse import quote, urlsplit

import pytest
import time_machine
import uvicorn

from api.app import create_app
from gis import clock
from gis.db import transaction
from gis.programme import workflow
from gis.users import create_user, get_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = ("127.0.0.1",)
TABLET = {"width": 800, "height": 1280}


class _Server:
    """uvicorn in a background thread, listening on a socket bound before it starts (so no port race)."""

    def __init__(self, db_url: str) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(create_app(db_url), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


def sign_in(page, base: str, username: str, password: str, path: str) -> None:
    """Sign in through /login as a person does, landing on `path` (which may carry a query)."""
    page.goto(f"{base}/login?next={quote(path, safe='/')}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{path}")


@pytest.fixture
def serve_app() -> Iterator[Callable[[str], str]]:
    """A factory: serve create_app(db_url) on 127.0.0.1 and return the base URL; stopped after the test."""
    servers: list[_Server] = []

    def serve(db_url: str) -> str:
        server = _Server(db_url)
        servers.append(server)
        return server.start()

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture
def live_url(serve_app: Callable[[str], str], db_url: str) -> str:
    """The app over the District 22 demo, served on 127.0.0.1."""
    return serve_app(db_url)


_chromium: dict = {}  # the one Playwright and Chromium of this process, and how many sessions hold them


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched once per test process: a module outside tests/web that imports
    these fixtures (tests/reliability) gets the same one, since Playwright runs only once per process."""
    from playwright.sync_api import sync_playwright

    if not _chromium:
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        _chromium.update(playwright=playwright, chromium=chromium, users=0)
    _chromium["users"] += 1
    yield _chromium["chromium"]
    _chromium["users"] -= 1
    if not _chromium["users"]:
        _chromium["chromium"].close()
        _chromium.pop("playwright").stop()
        _chromium.clear()


def _same_clock(context) -> None:
    """Under --pretend-now the page's clock starts where the server's is (it ticks on from there)."""
    if time_machine.escape_hatch.is_travelling():
        context.clock.install(time=clock.now())


@pytest.fixture
def page(browser):
    """A fresh page recording requests and console errors; requests leaving 127.0.0.1 are aborted."""
    context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    _same_clock(context)
    page = context.new_page()
    page.requests = []
    page.console_errors = []

    def route(route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.outside_requests = lambda: [
        url
        for url in page.requests
        if not url.startswith("data:") and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assign_urban_services(db_url: str, *, by: str, spot_id: int, what: str, due_on: date) -> int:
    """`by` (a username) gives the urban services agency a job on a stage-3 spot; the new action's id."""
    with transaction(db_url) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT version FROM spot WHERE id = %s", (spot_id,))
            (version,) = cur.fetchone()
        user = get_user(conn, by)
        workflow.assign_action(
            conn,
            user=user,
            spot_id=spot_id,
            version=version,
            agency="urban_services",
            what=what,
            due_on=due_on,
        )
        with conn.cursor() as cur:
            cur.execute("SELECT max(id) FROM spot_action WHERE spot_id = %s", (spot_id,))
            return cur.fetchone()[0]


def add_sara(conn) -> list[tuple[float, float]]:
    """The facilitator sara (password s3cret-sara) of 2201 and 2209, and four (lat, lon) inside 2209 away from
    each other (also the tablet benchmark's facilitator)."""
    create_user(
        conn,
        username="sara",
        password="s3cret-sara",
        role="facilitator",
        full_name="سارا",
        areas=["2201", "2209"],
    )
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_Y(p), ST_X(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(geom::geography,"
            " -150)::geometry, 4, 11))).geom AS p FROM area WHERE code = '2209') q"
        )
        return cur.fetchall()


@pytest.fixture
def field(db_url) -> dict:
    """A facilitator of 2201 and 2209, and points inside 2209 away from each other."""
    with transaction(db_url) as conn:
        return {"points": add_sara(conn)}


def open_tablet(browser, base: str, position: tuple[float, float], viewport: dict = TABLET):
    """A tablet-sized context with GPS allowed at `position`, and a page signed in as sara at /field."""
    lat, lon = position
    context = browser.new_context(
        locale="fa-IR",
        viewport=viewport,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
        permissions=["geolocation"],
    )
    _same_clock(context)
    page = context.new_page()
    page.console_errors, page.requests = [], []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and page.console_errors.append(f"{message.text} {message.location.get('url', '')}")
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    context.on("request", lambda request: page.requests.append(request.url))
    context.on(
        "response",
        lambda response: (
            response.status >= 400 and page.console_errors.append(f"{response.status} {response.url}")
        ),
    )
    page.set_default_timeout(20_000)
    page.goto(f"{base}/field")
    assert urlsplit(page.url).path == "/login" and "next=%2Ffield" in page.url
    page.fill("#username", "sara")
    page.fill("#password", "s3cret-sara")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/field")
    page.wait_for_selector("body[data-ready=true][data-offline-ready=true]")
    return page


@pytest.fixture
def tablet(browser, live_url, field):
    """The tablet page signed in as sara at /field, GPS at the first of the field's points."""
    page = open_tablet(browser, live_url, field["points"][0])
    yield page
    page.context.close()
