"""An agency's photo of the work on its action: stored cleaned, listed with the action, read back; another
agency's action answers as one that does not exist, and a file that is not an image is refused naming it."""

import io
import uuid

from PIL import Image

from gis.db import transaction
from tests.conftest import bearer_headers


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _upload(client, action_id: int, headers: dict, photo: str, data: bytes):
    return client.post(
        f"/api/actions/{action_id}/photos",
        headers=headers,
        data={"uuid": photo},
        files={"file": ("work.png", data, "image/png")},
    )


def test_an_agency_attaches_a_photo_to_its_action_and_only_to_its_own(client, db_url):
    with transaction(db_url) as conn:
        ours = bearer_headers(conn, "services", "agency", agency="urban_services")
        theirs = bearer_headers(conn, "police", "agency", agency="police")
    action_id = next(
        a["id"] for a in client.get("/api/actions", headers=ours).json() if a["status"] == "assigned"
    )
    photo = str(uuid.uuid4())

    first = _upload(client, action_id, ours, photo, _png())
    assert first.status_code == 201 and first.json()["created"] is True
    assert _upload(client, action_id, ours, photo, _png()).status_code == 200  # the same photo again
    listed = next(a for a in client.get("/api/actions", headers=ours).json() if a["id"] == action_id)
    assert listed["photos"] == [first.json()["href"]]
    read = client.get(first.json()["href"], headers=ours)
    assert read.status_code == 200 and read.headers["content-type"] == "image/png"

    refused = _upload(client, action_id, theirs, str(uuid.uuid4()), _png())
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "action"
    assert client.get(first.json()["href"], headers=theirs).status_code == 404
    not_image = _upload(client, action_id, ours, str(uuid.uuid4()), b"<html>not a photo</html>")
    assert not_image.status_code == 400 and not_image.json()["error"]["field"] == "file"
