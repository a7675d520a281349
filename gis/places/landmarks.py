"""Named places of the District 22 demo base map, found by address search too: the lake, metro stations and
landmarks, from the shipped files in data/ (see data/tehran/SOURCES.md for their sources and licences)."""

import csv
import json
from pathlib import Path

from gis.db import Conn
from gis.lang import match_key, normalise_persian

# The metro stations' licence (ODbL) asks for this credit wherever they are shown.
ATTRIBUTION = "Metro stations © tehran-metro-data contributors, ODbL"

UPSERT = """
    INSERT INTO landmark (kind, name_fa, name_en, name_key, geom)
    VALUES (%s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
    ON CONFLICT (kind, name_fa) DO UPDATE SET
        name_en = EXCLUDED.name_en, name_key = EXCLUDED.name_key, geom = EXCLUDED.geom
"""

LANDMARKS_GEOJSON = """
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', id,
        'properties', json_build_object('kind', kind, 'name_fa', name_fa, 'name_en', name_en),
        'geometry', ST_AsGeoJSON(geom, 6)::json) ORDER BY id), '[]'::json))
    FROM landmark
"""


def load_landmarks(conn: Conn, data: Path) -> int:
    """Load (or refresh) the landmarks of `data`/district22_poi_seed.csv and the metro stations of
    `data`/district22_metro_stations_wgs84.geojson; returns how many there are."""
    rows = []
    with open(data / "district22_poi_seed.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kind = "lake" if row["kind"] == "lake" else "landmark"
            rows.append((kind, row["name_fa"], row["name_en"], float(row["lon"]), float(row["lat"])))
    stations = json.loads((data / "district22_metro_stations_wgs84.geojson").read_text(encoding="utf-8"))
    for feature in stations["features"]:
        props = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        rows.append(("metro", props.get("name_fa") or props["translations"]["fa"], props["name"], lon, lat))
    with conn.cursor() as cur:
        for kind, name_fa, name_en, lon, lat in rows:
            name_fa = normalise_persian(name_fa.strip())
            cur.execute(UPSERT, (kind, name_fa, name_en, match_key(name_fa), lon, lat))
        cur.execute("SELECT count(*) FROM landmark")
        return cur.fetchone()[0]


def landmarks_geojson(conn: Conn) -> str:
    """Every landmark as GeoJSON (a few dozen points: the map loads them at once)."""
    with conn.cursor() as cur:
        cur.execute(LANDMARKS_GEOJSON)
        return json.dumps(cur.fetchone()[0], ensure_ascii=False)
