"""CQL2 text filters (OGC API – Features Part 3) turned into parameterised SQL: pygeofilter parses, this walks
its tree, and only the collection's own public fields (its queryables) may be named; every value is bound."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from lark.exceptions import LarkError
from pygeofilter import ast
from pygeofilter.values import Geometry

from gis.errors import InvalidInput

GEOMETRY = "geometry"
KINDS: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "bool": bool,
    "str": str,
    "time": (date, datetime),
}
COMPARISONS = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}


@dataclass
class SqlFilter:
    """A filter's SQL condition and the values it binds (named cql_0, cql_1, … so they cannot clash)."""

    columns: dict[str, tuple[str, str]]  # queryable name → (SQL, kind: int, float, bool, str or time)
    geom: str
    allowed: str
    params: dict[str, object] = field(default_factory=dict)

    def bind(self, value: object, kind: str) -> str:
        """A placeholder for one value of the property's kind; the value itself never enters the SQL text."""
        if not isinstance(value, KINDS[kind]) or isinstance(value, bool) != (kind == "bool"):
            raise InvalidInput("filter", "filter_wrong_type", value=value, kind=kind, allowed=self.allowed)
        name = f"cql_{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def column(self, node: object) -> tuple[str, str]:
        """A property's SQL and kind, only when it is one of the queryables."""
        if isinstance(node, ast.Attribute) and node.name in self.columns:
            return self.columns[node.name]
        raise InvalidInput(
            "filter", "filter_unknown_property", name=getattr(node, "name", node), allowed=self.allowed
        )

    def compare(self, lhs: object, rhs: object) -> tuple[str, str]:
        """Both sides of a comparison: a property and a value of its kind, or two properties."""
        if not isinstance(lhs, ast.Attribute):
            if not isinstance(rhs, ast.Attribute):
                raise self.error()  # two values, or an expression: only a property meets a value
            right, left = self.compare(rhs, lhs)
            return left, right
        column, kind = self.column(lhs)
        if isinstance(rhs, ast.Attribute):
            return column, self.column(rhs)[0]
        return column, self.bind(rhs, kind)

    def error(self) -> InvalidInput:
        return InvalidInput("filter", "filter_not_supported", allowed=self.allowed)


def _geometry(sql: SqlFilter, node: object) -> str:
    """A literal geometry (WKT or BBOX) in CRS84, bound as GeoJSON text."""
    if isinstance(node, Geometry):
        geojson = sql.bind(json.dumps(node.geometry), "str")
        return f"ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON({geojson}), 4326))"
    if isinstance(node, ast.Function) and node.name.lower() == "bbox" and len(node.arguments) == 4:
        corners = ", ".join(sql.bind(v, "float") for v in node.arguments)
        return f"ST_MakeEnvelope({corners}, 4326)"
    if isinstance(node, ast.Attribute) and node.name == GEOMETRY:
        return sql.geom
    raise sql.error()


def _walk(sql: SqlFilter, node: object) -> str:
    def walk(child: object) -> str:
        return _walk(sql, child)

    if isinstance(node, ast.And | ast.Or):
        return f"({walk(node.lhs)} {'AND' if isinstance(node, ast.And) else 'OR'} {walk(node.rhs)})"
    if isinstance(node, ast.Not):
        return f"(NOT {walk(node.sub_node)})"
    if isinstance(node, ast.GeometryIntersects):
        return f"ST_Intersects({_geometry(sql, node.lhs)}, {_geometry(sql, node.rhs)})"
    if type(node) in COMPARISONS:
        left, right = sql.compare(node.lhs, node.rhs)
        return f"({left} {COMPARISONS[type(node)]} {right})"
    not_ = "NOT " if getattr(node, "not_", False) else ""
    if isinstance(node, ast.IsNull):
        return f"({sql.column(node.lhs)[0]} IS {not_}NULL)"
    if not isinstance(node, ast.Between | ast.Like | ast.In):
        raise sql.error()
    column, kind = sql.column(node.lhs)
    if isinstance(node, ast.Between):
        return f"({column} {not_}BETWEEN {sql.bind(node.low, kind)} AND {sql.bind(node.high, kind)})"
    if isinstance(node, ast.Like):
        like = "ILIKE" if node.nocase else "LIKE"
        return f"({column}::text {not_}{like} {sql.bind(node.pattern, 'str')})"
    values = ", ".join(sql.bind(v, kind) for v in node.sub_nodes)
    return f"({column} {not_}IN ({values}))"


def cql2_sql(text: str, columns: dict[str, tuple[str, str]], geom: str) -> tuple[str, dict[str, object]]:
    """The SQL condition (and its values) of a CQL2 text filter over `columns` (queryable name → SQL) and the
    geometry `geom`; anything else — a parse error, an unknown property, an unsupported operator — is a 400
    naming the properties one may use."""
    # The parser builds its grammar when imported (over a second): only a request with a filter pays it.
    from pygeofilter.parsers.cql2_text import parse as parse_cql2_text

    sql = SqlFilter(columns, geom, ", ".join([*columns, GEOMETRY]))
    try:
        tree = parse_cql2_text(text)
    except (LarkError, ValueError, TypeError) as exc:
        raise InvalidInput("filter", "filter_not_cql2", allowed=sql.allowed) from exc
    return _walk(sql, tree), sql.params
