"""Merge, unmerge, split and re-attach through the HTTP API, with roles, events and counts."""

import psycopg2
import pytest

from tests.aggregation.conftest import place_two_spots


@pytest.fixture
def two_spots(db_url) -> dict:
    """Spot A (two reports, mayor and hotline) and spot B (one focus-group report) 100 m apart."""
    return place_two_spots(db_url)


def _spot(client, tokens, spot_id: int) -> dict:
    """The spot as the GIS office reads it (the public does not see stage-1 spots)."""
    return client.get(f"/api/spots/{spot_id}", headers=tokens["gis"]).json()["properties"]


def test_candidates_show_distance_category_and_sources(client, tokens, two_spots):
    a, b = two_spots["a"], two_spots["b"]
    assert client.get(f"/api/spots/{a}/candidates", headers=tokens["ali"]).status_code == 403
    response = client.get(f"/api/spots/{a}/candidates", headers=tokens["gis"])
    assert response.status_code == 200
    found = {c["id"]: c for c in response.json()["candidates"]}
    assert found[b]["distance_m"] == pytest.approx(100, abs=3)
    assert (found[b]["category"], found[b]["compatible"], found[b]["sources"]) == (
        "vacant_lot",
        True,
        ["focus_group"],
    )
    assert a not in found
    assert client.get("/api/spots/999999/candidates", headers=tokens["gis"]).status_code == 404


def test_only_the_gis_office_merges(client, tokens, two_spots):
    a, b = two_spots["a"], two_spots["b"]
    body = {"into": b, "note": "same lot, two entrances"}
    assert client.post(f"/api/spots/{a}/merge", json=body).status_code == 401
    assert client.post(f"/api/spots/{a}/merge", json=body, headers=tokens["sara"]).status_code == 403
    assert client.post(f"/api/spots/{a}/merge", json=body, headers=tokens["ali"]).status_code == 403
    assert (
        client.post(
            f"/api/reports/{two_spots['a1']}/split", json={"note": "x"}, headers=tokens["sara"]
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/spots/{a}/unmerge", json={"note": "x"}, headers=tokens["ali"]).status_code == 403
    )
    assert _spot(client, tokens, a)["report_count"] == 2  # nothing changed


def test_merge_then_unmerge_restores_both_spots(client, tokens, two_spots):
    a, b = two_spots["a"], two_spots["b"]
    gis = tokens["gis"]
    assert (
        client.post(f"/api/spots/{a}/merge", json={"into": b, "note": " "}, headers=gis).json()["error"][
            "field"
        ]
        == "note"
    )
    merged = client.post(f"/api/spots/{a}/merge", json={"into": b, "note": "one lot"}, headers=gis)
    assert merged.status_code == 200, merged.text
    assert merged.json()["moved_reports"] == sorted([two_spots["a1"], two_spots["a2"]])
    gone, kept = _spot(client, tokens, a), _spot(client, tokens, b)
    assert (gone["status"], gone["report_count"]) == ("merged", 0)
    assert (kept["report_count"], kept["source_count"]) == (3, 3)
    assert [e["kind"] for e in gone["events"]][-1] == "merged"
    assert kept["events"][-1]["kind"] == "merge_received" and kept["events"][-1]["actor"] == "دفتر GIS"
    listed = client.get("/api/spots", params={"limit": 10000}, headers=tokens["gis"]).json()["features"]
    assert a not in {f["id"] for f in listed}
    again = client.post(f"/api/spots/{a}/merge", json={"into": b, "note": "again"}, headers=gis)
    assert again.status_code == 409

    undone = client.post(f"/api/spots/{a}/unmerge", json={"note": "two lots after all"}, headers=gis)
    assert undone.status_code == 200, undone.text
    gone, kept = _spot(client, tokens, a), _spot(client, tokens, b)
    assert (gone["status"], gone["report_count"], kept["report_count"]) == ("open", 2, 1)
    assert gone["events"][-1]["kind"] == "unmerged" and kept["events"][-1]["kind"] == "unmerge_released"
    assert client.post(f"/api/spots/{a}/unmerge", json={"note": "x"}, headers=gis).status_code == 409


def test_split_and_reattach(client, tokens, two_spots, db_url):
    a, gis = two_spots["a"], tokens["gis"]
    split = client.post(
        f"/api/reports/{two_spots['a2']}/split", json={"note": "across the street"}, headers=gis
    )
    assert split.status_code == 200, split.text
    new = split.json()["spot"]
    assert (_spot(client, tokens, a)["report_count"], _spot(client, tokens, new)["report_count"]) == (1, 1)
    assert _spot(client, tokens, a)["events"][-1]["kind"] == "report_split"
    assert _spot(client, tokens, new)["events"][0]["payload"]["split_from"] == a
    alone = client.post(f"/api/reports/{two_spots['a2']}/split", json={"note": "again"}, headers=gis)
    assert alone.status_code == 409

    back = client.post(
        f"/api/reports/{two_spots['a2']}/attach", json={"into": a, "note": "same after all"}, headers=gis
    )
    assert back.status_code == 200, back.text
    assert _spot(client, tokens, a)["report_count"] == 2
    assert (
        _spot(client, tokens, new)["status"] == "merged"
    )  # the emptied spot is merged back, its history kept
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM spot_event WHERE spot_id = ANY(%s)", ([a, new],))
        assert cur.fetchone()[0] >= 6


def test_a_spot_further_along_is_never_merged_into_an_earlier_one(client, tokens, two_spots, db_url):
    a, b = two_spots["a"], two_spots["b"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("UPDATE spot SET stage = 3 WHERE id = %s", (a,))
    refused = client.post(f"/api/spots/{a}/merge", json={"into": b, "note": "dup"}, headers=tokens["gis"])
    assert refused.status_code == 409
    assert f"merge spot {b} into spot {a} instead" in refused.json()["error"]["message"]
    assert (
        client.post(
            f"/api/spots/{b}/merge", json={"into": a, "note": "dup"}, headers=tokens["gis"]
        ).status_code
        == 200
    )


def test_a_stage_1_spot_follows_its_reports_when_the_first_one_leaves(client, tokens, two_spots, db_url):
    a = two_spots["a"]
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT ST_X(geom) FROM report WHERE id = %s", (two_spots["a2"],))
        second_lon = cur.fetchone()[0]
    before = client.get(f"/api/spots/{a}", headers=tokens["gis"]).json()["geometry"]["coordinates"][0]
    split = client.post(
        f"/api/reports/{two_spots['a1']}/split",
        json={"note": "the first was elsewhere"},
        headers=tokens["gis"],
    )
    assert split.status_code == 200, split.text
    after = client.get(f"/api/spots/{a}", headers=tokens["gis"]).json()["geometry"]["coordinates"][0]
    assert before != pytest.approx(second_lon, abs=1e-7) and after == pytest.approx(second_lon, abs=1e-6)


def test_a_spots_reports_list_source_and_category_for_staff_only(client, tokens, two_spots):
    a = two_spots["a"]
    assert client.get(f"/api/spots/{a}/reports", headers=tokens["ali"]).status_code == 403
    listed = client.get(f"/api/spots/{a}/reports", headers=tokens["gis"]).json()["reports"]
    assert [(r["id"], r["source"], r["category"]) for r in listed] == [
        (two_spots["a1"], "mayor", "vacant_lot"),
        (two_spots["a2"], "hotline_137", "vacant_lot"),
    ]
    assert listed[1]["distance_m"] == pytest.approx(20, abs=2) and "contact" not in listed[0]
    assert client.get("/api/spots/999999/reports", headers=tokens["gis"]).status_code == 404
