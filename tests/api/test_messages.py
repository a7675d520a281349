"""One catalogue of user-facing messages: Persian and English for every key, errors in the reader's language,
and error pages (not JSON) for a browser's page request."""

import ast
import re
import string
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from api.pages import strings
from gis import errors, users, vocabulary
from gis.db import CONSTRAINT_FIELDS, transaction
from gis.users import create_user, issue_token
from tests.api.channels import make_people

SESSION = {
    "area": "2201",
    "held_on": "1499/01/01",
    "facilitator": "مریم کریمی",
    "participants": 14,
    "women": 11,
}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_catalogue_key_has_persian_and_english_with_the_same_placeholders():
    for key, (fa, en) in errors.MESSAGES.items():
        assert fa.strip() and en.strip(), key
        assert re.search("[\u0600-\u06ff]", fa), f"{key}: the Persian text is not Persian"
        assert _placeholders(fa) == _placeholders(en), key
    for field, (fa, en) in errors.FIELDS.items():
        assert re.search("[\u0600-\u06ff]", fa) and en.strip(), field


def test_every_term_of_the_vocabulary_has_a_persian_and_an_english_label():
    """Each section of vocabulary.toml (audit criteria, event kinds, times of day …), as the code reads it."""
    terms = errors.read_catalogue(Path(vocabulary.__file__).with_name("vocabulary.toml"))
    assert {"audit_criteria", "event_kinds", "times_of_day"} <= set(terms)
    for section, tables in terms.items():
        for code, (fa, en) in errors.pairs(tables).items():
            assert re.search("[\u0600-\u06ff]", fa), f"{section}.{code}: the Persian label is not Persian"
            assert en.strip() and not re.search("[\u0600-\u06ff]", en), f"{section}.{code}"


def test_the_domain_and_the_pages_choose_a_language_by_one_rule():
    """English for an English reader, Persian for anyone else (the working language), in both catalogues."""
    for lang, index in (("en", 1), ("fa", 0), ("de", 0), ("", 0)):
        assert errors.text("no_such_report", lang, report_id=7) == errors.MESSAGES["no_such_report"][
            index
        ].format(report_id=7)
        assert strings.words("map", lang)["stage"] == strings.WORDS["map.stage"][index]


def test_a_future_focus_group_date_is_refused_in_the_callers_language(client, db_url):
    people = make_people(db_url)
    english = client.post("/api/focus-groups", json=SESSION, headers=people["gis"])
    persian = client.post(
        "/api/focus-groups",
        json=SESSION,
        headers={**people["gis"], "Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"},
    )
    assert english.status_code == persian.status_code == 400
    assert english.json()["error"]["field"] == persian.json()["error"]["field"] == "held_on"
    assert english.json()["error"]["message"].endswith("is in the future")
    message = persian.json()["error"]["message"]
    assert "در آینده است" in message and "future" not in message
    asked = client.post("/api/focus-groups?lang=fa", json=SESSION, headers=people["gis"])
    assert asked.json()["error"]["message"] == message


@pytest.fixture
def deputy(db_url, monkeypatch) -> dict[str, str]:
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with transaction(db_url) as conn:
        user = create_user(conn, username="deputy", password="long-enough-pw", role="deputy")
        return {"Authorization": f"Bearer {issue_token(conn, user.id)[0]}"}


def test_the_dashboard_with_until_before_since_is_a_persian_error_page(client, deputy):
    page = client.get(
        "/dashboard",
        params={"since": "1404/06/01", "until": "1404/01/01"},
        headers={**deputy, "Accept": "text/html"},
    )
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert 'dir="rtl"' in page.text and "پایان بازه پیش از آغاز آن است" in page.text
    assert "ends before" not in page.text
    english = client.get(
        "/dashboard",
        params={"since": "1404/06/01", "until": "1404/01/01", "lang": "en"},
        headers={**deputy, "Accept": "text/html"},
    )
    assert (
        english.status_code == 400 and 'dir="ltr"' in english.text and "ends before it starts" in english.text
    )
    api = client.get("/api/dashboard", params={"since": "1404/06/01", "until": "1404/01/01"}, headers=deputy)
    assert api.status_code == 400 and api.json()["error"]["field"] == "until"


def test_an_unknown_page_is_a_persian_html_404_and_an_unknown_api_path_is_json(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'lang="fa"' in page.text and "صفحه پیدا نشد" in page.text
    english = client.get("/no-such-page?lang=en", headers={"Accept": "text/html"})
    assert english.status_code == 404 and "Page not found" in english.text
    api = client.get("/api/no-such", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert set(api.json()["error"]) >= {"code", "message", "field"}


def _raised_messages() -> list[tuple[str, int, ast.expr]]:
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in [*root.joinpath("gis").rglob("*.py"), *root.joinpath("api").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
                at = 1 if node.func.id == "InvalidInput" else 0
                if len(node.args) > at:
                    found.append((str(path.relative_to(root)), node.lineno, node.args[at]))
    return found


ERRORS = {"InvalidInput", "NotFound", "Conflict", "Forbidden", "Unauthorized", "DatabaseUnavailable"}


def test_every_domain_error_raised_in_gis_and_api_names_a_catalogue_key():
    wrong = []
    for path, line, arg in _raised_messages():
        keys = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
        for key in keys:
            if isinstance(key, ast.JoinedStr) or (
                isinstance(key, ast.Constant) and key.value not in errors.MESSAGES
            ):
                wrong.append(f"{path}:{line}")
    assert not wrong, "messages that are not catalogue keys: " + ", ".join(wrong)
    assert all(reason in errors.MESSAGES for _, reason in CONSTRAINT_FIELDS.values())


def test_each_page_word_is_written_once():
    """The pages' words (api/pages/strings.py) hold no pair twice and none the message catalogue has."""
    pairs = list(strings.WORDS.values())
    assert len(pairs) == len(set(pairs))
    assert not set(pairs) & set(errors.MESSAGES.values())
    assert strings.words("map", "en")["stage"] == "Stage" and strings.words("map", "fa")["stage"] == "مرحله"


def test_the_spot_dashboard_and_tablet_pages_take_their_words_from_the_one_module():
    """No label is written inline in these templates: all come from api/pages/strings.py's WORDS."""
    root = Path(__file__).resolve().parents[2]
    inline = [
        name
        for name in ("spot.html", "dashboard.html", "error.html", "field.html")
        if "if en else" in root.joinpath("api", "templates", name).read_text(encoding="utf-8")
    ]
    assert not inline, "labels written inline in " + ", ".join(inline)


@pytest.mark.parametrize("script", ["spot/workflow.js", "field/field.js"])
def test_the_spot_and_tablet_pages_scripts_hold_no_words_of_their_own(script):
    """The scripts read their words from the page; they write no Persian (nor digit) themselves."""
    root = Path(__file__).resolve().parents[2]
    text = root.joinpath("api", "static", script).read_text(encoding="utf-8")
    assert not re.search("[\u0600-\u06ff]", text), f"{script} holds Persian text of its own"


def test_a_request_of_the_wrong_shape_is_refused_in_the_callers_language(client, db_url):
    """FastAPI's own checks (a missing field, text for a number, a limit) speak the catalogue's words too."""
    people = make_people(db_url)
    wrong = {**SESSION, "participants": "many"}
    del wrong["facilitator"]
    persian = client.post("/api/focus-groups?lang=fa", json=wrong, headers=people["gis"])
    assert persian.status_code == 422
    error = persian.json()["error"]
    reasons = {p["field"]: p["reason"] for p in error["problems"]}
    assert reasons == {"facilitator": "لازم است", "participants": "باید عدد صحیح باشد"}
    assert error["message"] in ("تسهیلگر: لازم است", "شمار شرکت‌کنندگان: باید عدد صحیح باشد")
    english = client.post("/api/focus-groups", json=wrong, headers=people["gis"]).json()["error"]
    assert {p["reason"] for p in english["problems"]} == {"is required", "must be a whole number"}
    assert english["field"] == error["field"]
    limit = client.get("/api/spots?limit=0&lang=fa", headers=people["gis"]).json()["error"]
    assert limit["field"] == "limit" and limit["message"] == "limit: باید دست‌کم 1 باشد"
    verb = client.delete("/api/focus-groups?lang=fa", headers=people["gis"])
    assert verb.status_code == 405 and verb.json()["error"]["message"] == "این کار با این نشانی شدنی نیست"
