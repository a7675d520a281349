"""Area layers load from the formats the GIS office uses, and link into the hierarchy."""

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import psycopg2
import pytest
from shapely.geometry import box

from gis.db import transaction
from gis.errors import InvalidInput
from gis.places.areas import import_areas, read_area_file


def _sub_districts() -> gpd.GeoDataFrame:
    """Two made-up sub-districts splitting District 22 at lon 51.19, in UTM 39N as municipal files are."""
    frame = gpd.GeoDataFrame(
        {"کد": ["1", "2"], "نام": ["ناحیه يك", "ناحیه دو"]},
        geometry=[box(51.08, 35.70, 51.19, 35.79), box(51.19, 35.70, 51.30, 35.79)],
        crs=4326,
    )
    return frame.to_crs(32639)


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shp.zip"])
def test_sub_districts_load_from_each_format_and_become_parents(tmp_path, db_url, kind):
    path = tmp_path / f"navahi.{kind}"
    if kind == "shp.zip":
        folder = tmp_path / "shp"
        folder.mkdir()
        _sub_districts().to_file(folder / "navahi.shp", encoding="utf-8")
        with zipfile.ZipFile(path, "w") as archive:
            for part in folder.iterdir():
                archive.write(part, part.name)
    else:
        _sub_districts().to_file(path, driver="GeoJSON" if kind == "geojson" else "GPKG")
    with transaction(db_url) as conn:
        result = import_areas(conn, read_area_file(path), level="sub_district", code_prefix="22-")
    assert (result.inserted, result.updated) == (2, 0)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT name_fa, (SELECT code FROM area p WHERE p.id = a.parent_id) FROM area a"
            " WHERE code = '22-1'"
        )
        assert cur.fetchone() == ("ناحیه یک", "22")  # Arabic ي/ك normalised, linked to the district
        cur.execute(
            "SELECT count(*) FROM area n JOIN area p ON p.id = n.parent_id"
            " WHERE n.level = 'neighbourhood' AND p.level = 'sub_district'"
        )
        assert cur.fetchone()[0] == 10


def test_an_invalid_polygon_names_the_feature_and_writes_nothing(tmp_path, db_url):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[51.20, 35.74], [51.21, 35.75], [51.21, 35.74], [51.20, 35.75], [51.20, 35.74]]],
    }
    good = {"type": "Polygon", "coordinates": [[[51.1, 35.7], [51.2, 35.7], [51.2, 35.8], [51.1, 35.7]]]}
    path = tmp_path / "bad.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": "x1", "name": "درست"}, "geometry": good},
                    {"type": "Feature", "properties": {"code": "x2", "name": "خراب"}, "geometry": bowtie},
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="feature 2: geometry"):
        with transaction(db_url) as conn:
            import_areas(conn, read_area_file(path), level="sub_district")
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM area WHERE code LIKE 'x%'")
        assert cur.fetchone()[0] == 0


def test_an_unknown_level_and_an_unreadable_file_are_refused(tmp_path, conn):
    path = Path(tmp_path / "notes.geojson")
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="file"):
        read_area_file(path)
    with pytest.raises(InvalidInput) as caught:
        import_areas(conn, _sub_districts(), level="county")
    assert caught.value.field == "level"
