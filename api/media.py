"""The GeoJSON media type, and how OpenAPI is told that a route answers with it (the route builds it)."""

from fastapi import Response

GEOJSON = "application/geo+json"


def answers_geojson(*also: str) -> dict:
    """A route whose 200 is GeoJSON (or one of the media types `also`), as OpenAPI describes it:
    `@router.get(path, summary=…, **answers_geojson())`."""
    content = {media: {} for media in (GEOJSON, *also)}
    return {"response_class": Response, "responses": {200: {"content": content}}}
