"""The GeoJSON media type and how OpenAPI is told that a route answers with it (the route builds it); the
status of a create that may come again."""

from fastapi import Response

GEOJSON = "application/geo+json"


def answers_geojson(*also: str) -> dict:
    """A route whose 200 is GeoJSON (or one of the media types `also`), as OpenAPI describes it:
    `@router.get(path, summary=…, **answers_geojson())`."""
    content = {media: {} for media in (GEOJSON, *also)}
    return {"response_class": Response, "responses": {200: {"content": content}}}


def created_status(response: Response, created: bool) -> None:
    """A create that a client may send again under the same UUID (a tablet's retry): 201 the first time, 200
    with the same body after, so the client sees that nothing was added twice."""
    if not created:
        response.status_code = 200
