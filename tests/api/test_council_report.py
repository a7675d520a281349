"""The council report as the deputy gets it: a PDF drawn on the server from the demo, read back with poppler's
pdftotext, pdfinfo and pdfimages, its figures checked against SQL counts."""

import re
import subprocess
from pathlib import Path

import jdatetime
import pytest

from gis import clock
from tests.cli.test_cli import run
from tests.conftest import query_all, query_one

TEHRAN_DAY = "(created_at AT TIME ZONE 'Asia/Tehran')::date"

BIDI = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _text(pdf: Path, *args: str) -> str:
    """The PDF's words without direction marks or ZWNJ (pdftotext keeps the one and drops the other)."""
    out = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True)
    return BIDI.sub("", out.stdout)


def _as_extracted(name: str) -> str:
    """A name as pdftotext gives it back: no ZWNJ, and the lam-alef ligature read as alef-lam."""
    return BIDI.sub("", name).replace("لا", "ال").replace(" ", "")


@pytest.fixture
def deputy(heads: dict) -> dict[str, str]:
    return heads["deputy"]


@pytest.fixture
def period(db_url: str) -> str:
    """The Jalali months the demo's spots were first seen in (the demo is dated from today)."""
    days = query_one(db_url, f"SELECT min({TEHRAN_DAY}), max({TEHRAN_DAY}) FROM spot")
    a, b = (jdatetime.date.fromgregorian(date=day) for day in days)
    return f"{a.year}/{a.month:02d}..{b.year}/{b.month:02d}"


def _pdf(client, headers: dict, period: str, tmp_path: Path, lang: str = "fa") -> Path:
    response = client.get("/dashboard/report.pdf", params={"period": period, "lang": lang}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(response.content)
    return path


@pytest.mark.dated
def test_the_persian_report_names_every_neighbourhood_on_two_to_four_pages_with_a_map(
    client, deputy, period, db_url, tmp_path
):
    pdf = _pdf(client, deputy, period, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 2 <= pages <= 4
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    assert len(images.stdout.strip().splitlines()) >= 3  # two header lines, then the map
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Vazirmatn" in fonts
    text = _text(pdf).replace(" ", "")
    names = query_all(db_url, "SELECT code, name_fa FROM area WHERE level = 'neighbourhood'")
    assert len(names) == 10
    for code, name in names:
        assert _as_extracted(name) in text, name
        for written in (code, code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))):
            # As a number of its own; a phase's delay may happen to be as many days (۲۲۰۷روز) in a far year.
            assert not re.search(f"(?<![0-9۰-۹]){written}(?![0-9۰-۹]|روز)", text), written
    assert not re.search("محله[۰-۹0-9]", text)  # never «محله ۲۲۰۹»


@pytest.mark.dated
def test_the_summary_figures_equal_sql_counts(client, deputy, period, db_url, tmp_path):
    text = " ".join(_text(_pdf(client, deputy, period, tmp_path, "en")).split())
    start, end = period.split("..")
    since = jdatetime.date(*map(int, start.split("/")), 1).togregorian()
    y, m = map(int, end.split("/"))
    until = (jdatetime.date(y + (m == 12), m % 12 + 1, 1) - jdatetime.timedelta(days=1)).togregorian()
    new = query_all(
        db_url,
        "SELECT count(*) FROM spot WHERE status IN ('open', 'resolved')"
        " AND (created_at AT TIME ZONE 'Asia/Tehran')::date BETWEEN %s AND %s",
        (since, until),
    )[0][0]
    assert new > 0
    assert f"In this period {new} new unsafe places were identified" in text
    open_by_stage = dict(
        query_all(db_url, "SELECT stage, count(*) FROM spot WHERE status = 'open' GROUP BY 1")
    )
    assert (
        f"{sum(open_by_stage.values())} places are open now: {open_by_stage.get(1, 0)} in identification"
        in text
    )
    overdue = query_all(
        db_url,
        "SELECT count(*) FROM spot_action x JOIN action_status s ON s.code = x.status"
        " WHERE s.is_open AND x.due_on < %s",
        (clock.today(),),
    )[0][0]
    assert f"{overdue} agency actions are past their due date" in text
    (oldest_agency,) = query_all(
        db_url,
        "SELECT g.name_en FROM spot_action x JOIN action_status s ON s.code = x.status"
        " JOIN agency g ON g.id = x.agency_id WHERE s.is_open AND x.due_on < %s"
        " ORDER BY x.due_on, x.id LIMIT 1",
        (clock.today(),),
    )[0]
    assert oldest_agency in text
    for name in (
        row[0] for row in query_all(db_url, "SELECT name_en FROM area WHERE level = 'neighbourhood'")
    ):
        assert name in text


@pytest.mark.dated
def test_a_phase_past_its_planned_end_shows_its_delay(client, deputy, tmp_path, db_url):
    late = query_all(
        db_url,
        "SELECT name_en, %s - planned_end FROM programme_phase WHERE actual_end IS NULL AND planned_end < %s",
        (clock.today(), clock.today()),
    )
    assert late
    text = " ".join(_text(_pdf(client, deputy, "1399", tmp_path, "en")).split())
    for name, days in late:
        assert re.search(rf"{re.escape(name)} .*? {days} days", text), (name, days)


def test_who_may_read_the_report_and_a_bad_period(client, period, heads):
    viewer, roads, sara = heads["viewer"], heads["roads"], heads["sara"]
    assert client.get("/dashboard/report.pdf", params={"period": period}, headers=viewer).status_code == 200
    for headers in (roads, sara):
        refused = client.get("/dashboard/report.pdf", params={"period": period}, headers=headers)
        assert refused.status_code == 403 and "pdf" not in refused.headers["content-type"]
    anonymous = client.get("/dashboard/report.pdf", params={"period": period})
    assert anonymous.status_code == 401 and "pdf" not in anonymous.headers["content-type"]
    bad = client.get("/dashboard/report.pdf", params={"period": "1399/13", "lang": "en"}, headers=viewer)
    assert bad.status_code == 400
    assert "period" in bad.text and "is not a period" in bad.text


@pytest.mark.dated
def test_the_command_line_writes_the_same_report(db_url, period, tmp_path):
    out = tmp_path / "council.pdf"
    result = run(
        "report", "council", "--period", period, str(out), database=db_url, env={"PATH": "/usr/bin:/bin"}
    )
    assert result.returncode == 0, result.stderr
    assert "council report written" in result.stdout
    assert out.read_bytes().startswith(b"%PDF")
    assert "شریف" in _text(out)
    english = run(
        "report",
        "council",
        "--period",
        period,
        str(out),
        "--lang",
        "en",
        database=db_url,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert english.returncode == 0, english.stderr
    assert "new unsafe places were identified" in " ".join(_text(out).split())
    german = run("report", "council", "--period", period, str(out), "--lang", "de", database=db_url)
    assert german.returncode == 2 and "--lang: 'de' is not one of fa, en" in german.stderr
    bad = run(
        "report", "council", "--period", "soon", str(out), database=db_url, env={"PATH": "/usr/bin:/bin"}
    )
    assert bad.returncode != 0 and "is not a period" in bad.stdout + bad.stderr
