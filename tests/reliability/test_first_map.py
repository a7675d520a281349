"""The first person to open the map after `safemap serve` starts does not wait for folium and pandas."""

from pathlib import Path

import httpx


def _loaded(pid: int, part: str) -> bool:
    """Whether the process has a file whose path holds `part` mapped (a module's compiled library)."""
    return part in Path(f"/proc/{pid}/maps").read_text()


def test_serve_has_the_map_builder_loaded_before_the_first_map(start_server) -> None:
    process, url = start_server()
    assert _loaded(process.pid, "/pandas/_libs/"), "pandas is not loaded when the server starts answering"
    response = httpx.get(f"{url}/map", timeout=30)
    assert response.status_code == 200
    assert "leaflet" in response.text.lower()
