"""Photos are decoded and stored as pixels only: a disguised HTML page is refused, a photo's EXIF (GPS) is
dropped, a decompression bomb is refused with a 400; uploads leave no temporary files behind."""

import io
import os
import struct
import threading
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image

from gis.db import transaction
from tests.conftest import point_in
from tests.reliability.conftest import make_role_tokens
from tests.reliability.test_kill_import import (  # noqa: F401 (report_file: a fixture)
    _attempt,
    _kill,
    _report_ids_taken,
    _upload,
    _wait_until_under_way,
    report_file,
)


@pytest.fixture
def report_url(client, db_url, heads) -> tuple[str, dict]:
    """(photo upload URL of a fresh report, the GIS office's headers)."""
    headers = heads["gis"]
    lon, lat = point_in(db_url, "2201")
    report = {"uuid": str(uuid.uuid4()), "category": "vacant_lot", "lat": lat, "lon": lon}
    assert client.post("/api/reports", json=report, headers=headers).status_code == 201
    return f"/api/reports/{report['uuid']}/photos", headers


def _send(client, url: str, headers: dict, data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg"):
    return client.post(
        url, data={"uuid": str(uuid.uuid4())}, files={"file": (name, io.BytesIO(data), kind)}, headers=headers
    )


def _stored_photos(db_url: str) -> list[bytes]:
    with transaction(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT bytes FROM report_photo ORDER BY id")
        return [bytes(row[0]) for row in cur.fetchall()]


def test_an_html_page_behind_a_jpeg_header_is_refused_and_not_stored(client, db_url, report_url):
    url, headers = report_url
    page = b"\xff\xd8\xff\xe0<html><body><script>alert(document.cookie)</script></body></html>"
    refused = _send(client, url, headers, page)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["message"] == "file: not a JPEG, PNG or WebP image"
    assert _stored_photos(db_url) == []


def _jpeg_with_gps() -> bytes:
    """A 40×20 JPEG whose EXIF holds a GPS position and says 'turn 90° clockwise to view' (orientation 6)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (35.0, 41.0, 12.5), 3: "E", 4: (51.0, 12.0, 3.25)})
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def test_a_photo_is_served_upright_without_its_exif_gps(client, db_url, report_url):
    url, headers = report_url
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original and Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    sent = _send(client, url, headers, original)
    assert sent.status_code == 201, sent.text
    served = client.get(sent.json()["href"], headers=headers)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG" and dict(image.getexif()) == {}
    assert b"Exif" not in served.content and b"PhoneMaker" not in served.content
    assert b"taken at home" not in served.content
    # The rotation the camera asked for is in the pixels now: 40×20 turned a quarter is 20×40.
    assert image.size == (20, 40)
    assert _stored_photos(db_url) == [served.content]


def _png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side×side black pixels: a few kilobytes that decode to 400 million pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + side // 8)
    pack = zlib.compressobj(9)
    idat = b"".join(pack.compress(row) for _ in range(side)) + pack.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_with_a_400(client, db_url, report_url):
    url, headers = report_url
    bomb = _png_bomb()
    assert len(bomb) < 200_000
    refused = _send(client, url, headers, bomb, "bomb.png", "image/png")
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["field"] == "file"
    assert "megapixels" in refused.json()["error"]["message"]
    assert _stored_photos(db_url) == []


def test_a_png_keeps_its_pixels_and_kind(client, db_url, report_url):
    url, headers = report_url
    out = io.BytesIO()
    Image.new("RGBA", (3, 2), (10, 20, 30, 128)).save(out, "PNG")
    sent = _send(client, url, headers, out.getvalue(), "a.png", "image/png")
    served = client.get(sent.json()["href"], headers=headers)
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).getpixel((2, 1)) == (10, 20, 30, 128)


def _left_behind(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("safemap-") and p.is_dir())


def test_an_upload_killed_mid_way_leaves_no_temporary_folder_after_the_next_start(
    db_url, tmp_path, report_file, start_server
):
    """The server (TMPDIR = the test's folder) is killed while it imports an uploaded file: its copy of the
    file stays behind until the next server starts, which removes it; a refused upload leaves nothing."""
    token = make_role_tokens(db_url, prefix="scratch")["gis_office"]
    server, url = start_server()
    start = _report_ids_taken(db_url)
    upload = threading.Thread(target=lambda: _attempt(url, token, report_file))
    upload.start()
    _wait_until_under_way(db_url, server, start)
    _kill(server)
    upload.join(timeout=30)
    assert _left_behind(tmp_path), "the killed upload had no temporary copy to clean up"
    # A folder of a process still running is not ours to remove.
    alive = tmp_path / f"safemap-upload-{os.getpid()}-inuse"
    alive.mkdir()
    _, url = start_server()
    assert _left_behind(tmp_path) == [alive.name]
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    assert _upload(url, token, broken).status_code == 400
    assert _left_behind(tmp_path) == [alive.name]
