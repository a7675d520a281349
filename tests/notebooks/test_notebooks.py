"""Every notebook in notebooks/ runs top to bottom on a copy of the demo, and its figures match SQL.

Each notebook's last cell prints one line, `SAFEMAP_SUMMARY {json}`; the checks below recompute those figures
with plain SQL on the same database. The database is changed a little first (a planted cluster, a rejected
spot, late actions), so a notebook that read another database (the embedded one, say) would not match.
"""

import json
from collections.abc import Callable
from pathlib import Path

import nbformat
import psycopg2
import pytest
from fastapi.testclient import TestClient
from nbclient import NotebookClient

from api.app import create_app
from gis.db import transaction
from gis.intake.reports import ReportCreate, submit_report
from gis.settings import get_settings
from tests.conftest import bearer_headers

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
MARKER = "SAFEMAP_SUMMARY "
CELL_TIMEOUT_S = 60
CELL_M = 500  # the hotspot notebook's grid
METRIC_SRID = 32639
TEHRAN_TODAY = "(now() AT TIME ZONE 'Asia/Tehran')::date"
IN_DISTRICT = (
    "spot s JOIN area d ON d.level = 'district'"
    " AND ST_Intersects(d.geom, ST_PointOnSurface(s.geom)) AND s.status <> 'merged'"
)


def _rows(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else []


def _summary(notebook: nbformat.NotebookNode) -> dict:
    """The JSON the last code cell printed."""
    last = [cell for cell in notebook.cells if cell.cell_type == "code"][-1]
    text = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    lines = [line for line in text.splitlines() if line.startswith(MARKER)]
    assert len(lines) == 1, f"the last cell must print one {MARKER!r} line, got: {text[:500]!r}"
    return json.loads(lines[0][len(MARKER) :])


def _spots_in_cell(url: str, cell: str) -> int:
    i, j = (int(part) for part in cell.split("_"))
    (count,) = _rows(
        url,
        f"""
        SELECT count(*) FROM {IN_DISTRICT} CROSS JOIN LATERAL ST_Transform(ST_PointOnSurface(s.geom), %s) p
        WHERE floor(ST_X(p) / %s) = %s AND floor(ST_Y(p) / %s) = %s""",
        (METRIC_SRID, CELL_M, i, CELL_M, j),
    )[0]
    return count


def plant_cluster(url: str) -> dict:
    """Twenty spots within 150 m of a cell's centre in Sharif, a large sparse neighbourhood: a new hotspot."""
    rows = _rows(
        url,
        """
        WITH c AS (SELECT floor(ST_X(p) / %(cell)s) AS i, floor(ST_Y(p) / %(cell)s) AS j
                   FROM area, ST_Transform(ST_PointOnSurface(geom), %(srid)s) p WHERE code = '2201')
        INSERT INTO spot (geom, category)
        SELECT ST_Transform(ST_SetSRID(ST_MakePoint((i + 0.5) * %(cell)s + 150 * cos(k) * (k %% 3) / 2.0,
                                                    (j + 0.5) * %(cell)s + 150 * sin(k) * (k %% 3) / 2.0),
                                       %(srid)s), 4326), 'other'
        FROM c, generate_series(1, 20) k
        RETURNING (SELECT i::int || '_' || j::int FROM c)""",
        {"cell": CELL_M, "srid": METRIC_SRID},
    )
    return {"cell": rows[0][0], "planted": len(rows)}


def check_hotspots(url: str, summary: dict, planted: dict) -> None:
    expected = dict(
        _rows(
            url,
            """
        SELECT a.code, count(s.id) FROM area a
        LEFT JOIN spot s ON s.status <> 'merged' AND ST_Intersects(a.geom, ST_PointOnSurface(s.geom))
        WHERE a.level = 'neighbourhood' GROUP BY a.code""",
        )
    )
    assert summary["spots_by_neighbourhood"] == expected and expected["2201"] >= planted["planted"]
    (inside,) = _rows(url, f"SELECT count(*) FROM {IN_DISTRICT}")[0]
    assert summary["grid_spots"] == inside
    cells = {c["cell"]: c for c in summary["significant_cells"]}
    assert cells.get(planted["cell"], {}).get("hotspot") == "hot", "the planted cluster must be a hot spot"
    assert cells[planted["cell"]]["count"] == _spots_in_cell(url, planted["cell"]) >= planted["planted"]
    assert max(cells.values(), key=lambda c: c["gi_z"])["hotspot"] == "hot"
    for cell in cells.values():
        assert cell["count"] == _spots_in_cell(url, cell["cell"]), cell


def reject_and_delay(url: str) -> dict:
    """One open stage-1 spot rejected; every open action of the parks agency made late."""
    _rows(
        url,
        "UPDATE spot SET status = 'rejected'"
        " WHERE id = (SELECT min(id) FROM spot WHERE stage = 1 AND status = 'open')",
    )
    delayed = _rows(
        url,
        f"""
        UPDATE spot_action SET due_on = {TEHRAN_TODAY} - 400
        WHERE status IN ('assigned', 'in_progress')
          AND agency_id = (SELECT id FROM agency WHERE code = 'parks')
        RETURNING id""",
    )
    return {"delayed_parks": len(delayed)}


def check_stage_report(url: str, summary: dict, changed: dict) -> None:
    (totals,) = _rows(
        url,
        """
        SELECT count(*) FILTER (WHERE stage = 1), count(*) FILTER (WHERE stage = 2),
               count(*) FILTER (WHERE stage = 3), count(*) FILTER (WHERE stage = 4),
               count(*) FILTER (WHERE status = 'resolved'), count(*)
        FROM spot s JOIN area a ON a.id = s.area_id AND a.level = 'neighbourhood'
        WHERE s.status IN ('open', 'resolved')""",
    )
    keys = ("stage_1", "stage_2", "stage_3", "stage_4", "resolved", "total")
    assert summary["stage_totals"] == dict(zip(keys, totals))
    by_status = {str(stage): {"open": 0, "resolved": 0, "rejected": 0} for stage in range(1, 5)}
    for stage, status, count in _rows(
        url,
        "SELECT stage, status, count(*) FROM spot WHERE status IN"
        " ('open', 'resolved', 'rejected') GROUP BY 1, 2",
    ):
        by_status[str(stage)][status] = count
    assert summary["by_status"] == by_status and by_status["1"]["rejected"] >= 1
    overdue = dict(
        _rows(
            url,
            f"""
        SELECT g.code, count(*) FILTER (WHERE x.status IN ('assigned', 'in_progress')
                                          AND x.due_on < {TEHRAN_TODAY})
        FROM spot_action x JOIN agency g ON g.id = x.agency_id GROUP BY g.code""",
        )
    )
    assert summary["overdue_by_agency"] == overdue and overdue["parks"] == changed["delayed_parks"] > 0
    done = dict(
        _rows(
            url,
            "SELECT g.code, count(x.done_at)"
            " FROM spot_action x JOIN agency g ON g.id = x.agency_id GROUP BY g.code",
        )
    )
    assert summary["actions_done_by_agency"] == done
    after = {
        str(spot): float(score)
        for spot, score in _rows(
            url,
            """
        SELECT DISTINCT ON (v.spot_id) v.spot_id,
               (SELECT round(avg(value::numeric), 2) FROM jsonb_each_text(v.audit))
        FROM site_visit v JOIN spot s ON s.id = v.spot_id
        WHERE s.status = 'resolved' AND v.purpose = 're_audit'
        ORDER BY v.spot_id, v.visited_on DESC, v.id DESC""",
        )
    }
    assert summary["audit_after"] == after and len(after) > 0
    (reached, resolved) = _rows(
        url,
        """
        SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM spot_event e WHERE e.spot_id = s.id
                                                        AND e.kind = 'resolved'))
        FROM spot s WHERE s.status <> 'merged' AND s.area_id IS NOT NULL""",
    )[0]
    assert summary["funnel_last"]["stage_1"] == reached and summary["funnel_last"]["resolved"] == resolved
    assert all(days is None or days > 0 for days in summary["median_days"].values())


# The fixed spots as gis.programme.evaluation counts them, written again in plain SQL: an action done.
FIXED_SPOTS = """
    SELECT s.id, max(x.done_at) AS fixed_at FROM spot s
    JOIN spot_action x ON x.spot_id = s.id AND x.status = 'done'
    WHERE s.status IN ('open', 'resolved') GROUP BY s.id
"""


def report_after_a_fix(url: str) -> dict:
    """A new report at a fixed spot (reported now, after its fix): recurrence the notebook must count."""
    (spot, lon, lat) = _rows(
        url,
        f"SELECT f.id, ST_X(ST_PointOnSurface(s.geom)), ST_Y(ST_PointOnSurface(s.geom))"
        f" FROM ({FIXED_SPOTS}) f JOIN spot s ON s.id = f.id ORDER BY f.id LIMIT 1",
    )[0]
    with transaction(url) as conn:
        report = ReportCreate(source="field", category="poor_lighting", lon=lon, lat=lat, description="again")
        submit_report(conn, report)
    return {"spot": spot}


def check_evaluation(url: str, summary: dict, changed: dict) -> None:
    """The notebook's figures are the dashboard's (its evaluation endpoint on the same database), and the
    fixed spots and their reports after the fix are what SQL counts."""
    with transaction(url) as conn:
        headers = bearer_headers(conn, "nb-viewer", "viewer")
    with TestClient(create_app(url)) as client:
        board = client.get("/api/dashboard/evaluation", headers=headers)
    assert board.status_code == 200, board.text
    assert summary["programme"] == board.json()["programme"]
    fixed = summary["programme"]["fixed"]
    radius = get_settings().aggregation_radius_m
    (spots, after) = _rows(
        url,
        f"""
        SELECT count(DISTINCT f.id), count(r.id) FROM ({FIXED_SPOTS}) f JOIN spot s ON s.id = f.id
        LEFT JOIN report r ON r.reported_at >= f.fixed_at
             AND ST_DWithin(r.geom::geography, s.geom::geography, %s)""",
        (radius,),
    )[0]
    assert fixed["spots"] == spots > 0
    assert fixed["reports_after"] == after >= 1, changed
    assert fixed["improved"] <= fixed["re_audited"] <= fixed["spots"]


# Per notebook: how to change the demo first, and how to check the summary against SQL.
CHECKS: dict[str, tuple[Callable[[str], dict], Callable[[str, dict, dict], None]]] = {
    "hotspots_district22": (plant_cluster, check_hotspots),
    "stage_report": (reject_and_delay, check_stage_report),
    "evaluation": (report_after_a_fix, check_evaluation),
}


def test_the_required_notebooks_exist():
    assert set(CHECKS) <= {path.stem for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "clear the outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_matches_sql(path: Path, db_url: str, tmp_path: Path, monkeypatch):
    assert path.stem in CHECKS, "give every notebook a summary line and a check against SQL here"
    prepare, check = CHECKS[path.stem]
    changed = prepare(db_url)
    monkeypatch.setenv("DATABASE_URL", db_url)  # the kernel inherits the environment
    notebook = nbformat.read(path, as_version=4)
    # The kernel's python is this interpreter (jupyter_client maps the spec's "python" to sys.executable).
    NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    check(db_url, _summary(notebook), changed)
