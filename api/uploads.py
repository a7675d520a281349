"""Uploads copied to a scratch folder in chunks, refused at the limit rather than copied whole first."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from uuid import UUID

from fastapi import Depends, File, Form, Response, UploadFile

from api.media import created_status
from gis.errors import InvalidInput
from gis.intake.photos import MAX_BYTES

CHUNK = 1 << 20


def save_upload(file: UploadFile, target: Path, *, max_bytes: int) -> Path:
    """Copy `file` to `target`; InvalidInput naming the file once it passes `max_bytes`."""
    with open(target, "wb") as out:
        while chunk := file.file.read(CHUNK):
            if out.tell() + len(chunk) > max_bytes:
                raise InvalidInput("file", "larger_than_mb_use_command", mb=max_bytes // 1024 // 1024)
            out.write(chunk)
    return target


def read_upload(file: UploadFile, *, field: str, max_bytes: int, refused: str, **params: object) -> bytes:
    """The bytes of a small upload (a scan); InvalidInput `refused` naming `field` past `max_bytes`."""
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput(field, refused, **params)
    return data


# A route answering with a stored photo's bytes, as OpenAPI describes it: `@router.get(path, **PHOTO_ROUTE)`.
PHOTO_ROUTE: dict = {
    "response_class": Response,
    "responses": {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
}


def photo_upload(what: str) -> dict:
    """The route that attaches a photo to `what`, as OpenAPI describes it: `@router.post(path, **…)`."""
    mb = MAX_BYTES // 1024 // 1024
    return {"status_code": 201, "summary": f"Attach a JPEG, PNG or WebP photo (at most {mb} MB) to {what}"}


@dataclass(frozen=True)
class PhotoForm:
    """A photo posted as a form: its UUID (a tablet sends it again on a retry) and its bytes."""

    uuid: str
    data: bytes


def photo_form(
    uuid: Annotated[UUID, Form(description="the photo's UUID")], file: UploadFile = File(...)
) -> PhotoForm:
    """The upload's bytes, one past the limit at most, so gis.intake.photos refuses a larger one."""
    return PhotoForm(str(uuid), file.file.read(MAX_BYTES + 1))


# A photo route's upload: `photo: NewPhoto`.
NewPhoto = Annotated[PhotoForm, Depends(photo_form)]


def stored_photo(response: Response, result: dict, href: str) -> dict:
    """A stored photo's answer: 201 when new, 200 when its UUID was sent before (a tablet's retry)."""
    created_status(response, result["created"])
    return {**result, "href": href}
