"""Every setting is read by the code and documented in the README: no variable promises what nothing does."""

import re
from pathlib import Path

from gis.publish.mapdata import MAX_SPOTS
from gis.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _code() -> str:
    files = [*(ROOT / "gis").rglob("*.py"), *(ROOT / "api").rglob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p.name != "settings.py")


def test_every_setting_is_read_somewhere() -> None:
    code = _code()
    unread = [name for name in Settings.model_fields if not re.search(rf"\.{name}\b", code)]
    assert unread == []


def test_the_readme_documents_only_real_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {v.lower() for v in re.findall(r"`SAFEMAP_([A-Z0-9_]+)`", readme)}
    assert documented - set(Settings.model_fields) == set()


def _written(value: object) -> str | None:
    """A default as the README's table writes it: `50` for 50.0, `true` for True, unset/empty for none."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_readme_states_each_default_the_code_has() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `SAFEMAP_([A-Z0-9_]+)` \| ([^|]+) \|", readme, re.M)
    assert len(rows) >= 10
    unset = {"unset": None, "empty": "", "a free port": None}
    for name, cell in rows:
        cell = cell.strip()
        stated = cell.strip("`") if cell.startswith("`") else unset[cell]
        assert (name, stated) == (name, _written(Settings.model_fields[name.lower()].default))


def test_the_readme_names_the_map_s_clustering_threshold() -> None:
    """The map turns into grid clusters past MAX_SPOTS spots in view: the README says the same number."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = {int(n.replace(",", "")) for n in re.findall(r"clusters past ([\d,]+)", readme)}
    assert stated == {MAX_SPOTS}
