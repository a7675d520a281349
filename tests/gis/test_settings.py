"""Every setting is read by the code and documented in the README: no variable promises what nothing does."""

import re
from pathlib import Path

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
