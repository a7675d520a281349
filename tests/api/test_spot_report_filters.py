"""Spots filtered by what their reports say: source, period (ISO or Solar Hijri dates) and time of day."""

import psycopg2


def _count(db_url: str, where: str, params: tuple = ()) -> int:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT count(DISTINCT spot_id) FROM report WHERE spot_id IS NOT NULL AND {where}", params
        )
        return cur.fetchone()[0]


def test_source_and_time_of_day_keep_spots_with_such_a_report(viewer_client, db_url):
    hotline_nights = _count(db_url, "source = 'hotline_137' AND time_of_day = 'night'")
    mayors_or_fields = _count(db_url, "source IN ('mayor', 'field')")
    total = viewer_client.get("/api/spots").json()["numberMatched"]
    body = viewer_client.get("/api/spots", params={"source": "hotline_137", "time_of_day": "night"}).json()
    assert body["numberMatched"] == hotline_nights and 0 < hotline_nights < total
    assert (
        viewer_client.get("/api/spots", params={"source": "mayor,field"}).json()["numberMatched"]
        == mayors_or_fields
    )


def test_a_period_in_jalali_or_iso_dates_selects_the_same_spots(viewer_client, db_url):
    # ۱۴۰۵/۰۱/۰۱ is 2026-03-21; the period's days are Tehran days.
    spring = _count(
        db_url, "reported_at >= '2026-03-21 00:00+03:30' AND reported_at < '2026-06-22 00:00+03:30'"
    )
    iso = viewer_client.get("/api/spots", params={"since": "2026-03-21", "until": "2026-06-21"}).json()[
        "numberMatched"
    ]
    jalali = viewer_client.get("/api/spots", params={"since": "۱۴۰۵/۰۱/۰۱", "until": "1405-03-31"}).json()[
        "numberMatched"
    ]
    assert iso == jalali == spring > 0


def test_bad_report_filters_name_the_field(client):
    for params, field in (
        ({"source": "radio"}, "source"),
        ({"time_of_day": "noon"}, "time_of_day"),
        ({"since": "1405/13/01"}, "since"),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "until"),
    ):
        response = client.get("/api/spots", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]["field"] == field
