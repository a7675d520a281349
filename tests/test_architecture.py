"""The layout's rules, checked on the code itself: gis never imports the web framework or api, routes hold no
SQL, pages' JS and CSS live under api/, and gis/ keeps to a few top-level modules beside its subpackages."""

import ast
import re
from pathlib import Path

from gis import access

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


REQUEST_PARAMETERS = {"Path", "Query", "Body", "Form", "File", "Header", "Cookie"}


def test_no_request_parameter_object_is_shared_between_routes():
    """FastAPI names a Path()/Query()/Body() object after the first route parameter it meets, so one object
    shared by routes makes the others ask for that name (a 422 naming another route's parameter): a shared
    declaration is an Annotated type (`RecordId = Annotated[int, Path(...)]`), never a module-level object."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "api").rglob("*.py"))
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", getattr(node.value.func, "attr", "")) in REQUEST_PARAMETERS
    ]
    assert not found, found


PROBES = re.compile(r"to_regclass|information_schema\.tables|pg_catalog\.pg_class", re.I)


def test_no_code_asks_the_database_which_tables_exist():
    """The migrations say what exists: only their runner (gis/db) asks whether its own table is there."""
    found = [
        str(path.relative_to(ROOT))
        for path in [*GIS.rglob("*.py"), *(ROOT / "api").rglob("*.py")]
        if path.parent != GIS / "db"
        and "migrations" not in path.parts
        and PROBES.search(path.read_text("utf-8"))
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


ROLE_CODES = frozenset(access.ROLE_CODES)
ACCESS = GIS / "access.py"


def _role_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a role code is used as a role: (line, code).

    "agency" and "facilitator" are also ordinary words (a column, a JSON key, an error's field, a form
    field), so not every string equal to a role code is a role. A literal counts as a role when it is:
    - an operand of a comparison (`role == "agency"`, `role in ("deputy", "viewer")`), or a `case` pattern;
    - an argument of a call to `require_role`;
    - the whole value assigned to a name, or a parameter's default (`EDITOR_ROLE = "gis_office"`);
    - an element of a tuple, list or set literal whose elements are all role codes (a role list);
    - a key of a dict literal whose keys are all role codes (a table by role).
    Anything else (a dict with other keys too, a column list, `InvalidInput("agency", ...)`) is a word.
    """

    def roles_in(node: ast.AST | None) -> list[ast.Constant]:
        if isinstance(node, ast.Constant) and node.value in ROLE_CODES:
            return [node]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [n for element in node.elts for n in roles_in(element)]
        return []

    def all_roles(nodes: list[ast.expr | None]) -> bool:
        return bool(nodes) and all(isinstance(n, ast.Constant) and n.value in ROLE_CODES for n in nodes)

    found: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found += roles_in(operand)
        elif isinstance(node, ast.MatchValue):
            found += roles_in(node.value)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "require_role":
                for argument in (*node.args, *(k.value for k in node.keywords)):
                    found += roles_in(argument)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            found += roles_in(node.value) if isinstance(node.value, ast.Constant) else []
        elif isinstance(node, ast.arguments):
            for default in (*node.defaults, *node.kw_defaults):
                found += roles_in(default) if isinstance(default, ast.Constant) else []
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and all_roles(node.elts):
            found += node.elts
        elif isinstance(node, ast.Dict) and all_roles(node.keys):
            found += node.keys
    return sorted({(n.lineno, n.value) for n in found})


def test_roles_are_named_only_in_the_access_table():
    """Who may do what is read from gis/access.py (may, roles_for, scope_of, bound, require): a role code
    written elsewhere is a second copy of the permission table that can drift from it."""
    found = [
        f"{path.relative_to(ROOT)}:{line} {code!r}"
        for folder in (GIS, ROOT / "api")
        for path in sorted(folder.rglob("*.py"))
        if path != ACCESS
        for line, code in _role_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, found


def test_the_role_rule_tells_roles_from_words():
    """The rule above on small samples: roles in guards are caught, the same words as fields are not."""
    caught = [
        'if user.role == "agency": pass',
        'ok = role in ("deputy", "viewer")',
        'user.require_role("gis_office")',
        'EDITOR = "gis_office"',
        'READERS = ("deputy", "gis_office", "viewer")',
        'allowed = {"agency": 1, "deputy": 2}',
        'def f(role="viewer"): pass',
        'match role:\n    case "deputy": pass',
    ]
    words = [
        'raise InvalidInput("agency", "unknown_agency")',
        'keys = ("id", "agency", "what")',
        'params = {"agency": agency_id, "status": status}',
        'name = row["facilitator"]',
        'Forbidden("x", field="agency")',
    ]
    assert all(_role_literals(ast.parse(code)) for code in caught), caught
    assert not any(_role_literals(ast.parse(code)) for code in words), words
