"""Uploads copied to a scratch folder in chunks, refused at the limit rather than copied whole first."""

from pathlib import Path

from fastapi import Response, UploadFile

from gis.errors import InvalidInput

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


# The OpenAPI description of a route answering with a stored photo's bytes.
PHOTO_RESPONSES: dict = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}}


def stored_photo(response: Response, result: dict, href: str) -> dict:
    """A stored photo's answer: 201 when new, 200 when its UUID was sent before (a tablet's retry)."""
    if not result["created"]:
        response.status_code = 200
    return {**result, "href": href}
