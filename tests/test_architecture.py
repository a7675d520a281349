"""The layout's rules, checked on the code itself: gis never imports the web framework or api, routes hold no
SQL, pages' JS and CSS live under api/, and gis/ keeps to a few top-level modules beside its subpackages."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIS, ROUTES = ROOT / "gis", ROOT / "api" / "routes"
SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+\w+)\b", re.S | re.I
)
MAX_TOP_LEVEL_MODULES = 8


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_gis_imports_no_web_framework_and_not_api():
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in GIS.rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in {"fastapi", "starlette", "api", "uvicorn"}
    }
    assert not found, found


def test_routes_hold_no_sql():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in ROUTES.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
    ]
    assert not found, found


def test_no_js_or_css_under_gis():
    assert not [p for p in GIS.rglob("*") if p.suffix in {".js", ".css", ".html"}]


def test_gis_has_a_few_top_level_modules_beside_its_subpackages():
    modules = sorted(p.name for p in GIS.glob("*.py") if p.name != "__init__.py")
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules
    assert {"db", "places", "intake", "aggregation", "programme", "publish", "demo"} <= {
        p.name for p in GIS.iterdir() if (p / "__init__.py").exists()
    }
