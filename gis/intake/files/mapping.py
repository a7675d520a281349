"""Value mapping for the import page: the words of a file the vocabulary does not know yet, each listed once
with the likeliest terms it means, and the office's column choices.

A suggestion comes from the names already known (a confirmed alias or built-in one made of the same words, or
found inside the cell), then from the category keywords ('کوچه با نور کم' names lighting → poor lighting),
then from spelling similarity. What the office confirms is saved by `gis.vocabulary.save_alias` and
resolves in every channel from then on.
"""

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date as date_type

from gis.db import Conn
from gis.errors import InvalidInput
from gis.intake.files.adjust import date_form, split_pairs
from gis.intake.files.columns import HEADERS, Lookups, load_lookups, map_columns
from gis.intake.files.rows import date_key
from gis.lang import match_key, normalise_persian
from gis.vocabulary import ALIAS_KINDS, CATEGORY_KEYWORDS, alias_targets, save_alias

# The report fields whose cells name a term of the vocabulary, in the order the page lists them (then the
# date forms: `adjust.date_form`).
MAPPED_KINDS = ("category", "neighbourhood", "time_of_day")
# A column the office leaves out of the import.
IGNORE = "-"
SUGGESTIONS = 3
SIMILARITY = 0.6


def parse_map(pairs: Iterable[str]) -> dict[str, str]:
    """'نوع فضا=category' pairs (as the CLI and the page send them) → column → field ('-' leaves it out)."""
    chosen: dict[str, str] = {}
    for column, name in split_pairs(pairs, "map", "map_pair"):
        chosen[normalise_persian(column).strip()] = name.strip()
    return chosen


def match_columns(columns: list[str], chosen: dict[str, str]) -> dict[str, str]:
    """Report field → column: the headers matched as the engine matches them, then the office's choices on
    top (a field chosen for a column moves to it; '-' leaves a column out)."""
    for column, name in chosen.items():
        if column not in columns:
            raise InvalidInput("map", "map_column_unknown", column=column, columns=", ".join(columns))
        if name != IGNORE and name not in HEADERS:
            raise InvalidInput("map", "map_field_unknown", field_name=name, fields=", ".join(HEADERS))
    rest = [c for c in columns if c not in chosen]
    try:
        mapping = map_columns(rest)
    except InvalidInput:
        if "category" not in chosen.values():
            raise
        mapping = {}
    return mapping | {name: column for column, name in chosen.items() if name != IGNORE}


def confirm_aliases(conn: Conn, pairs: Iterable[str], *, user_id: int | None = None) -> list[dict]:
    """'نور کم=poor_lighting' pairs (the CLI's --alias) saved as aliases; the kind is the one whose terms
    include the code (a category, a neighbourhood code, a time of day or a source)."""
    saved = []
    for written, code in split_pairs(pairs, "alias", "map_pair"):
        code = code.strip()
        kind = next((k for k in ALIAS_KINDS if code in alias_targets(conn, k)), ALIAS_KINDS[0])
        saved.append(save_alias(conn, kind=kind, written=written, code=code, user_id=user_id))
    return saved


@dataclass
class Unresolved:
    """One distinct word of a file that names no term yet: where it is, and what it likely means."""

    kind: str
    written: str
    rows: list[int] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "written": self.written,
            "count": len(self.rows),
            "rows": self.rows[:20],
            "suggestions": self.suggestions,
        }


class ValueMapper:
    """Collects the file's unresolved words (each once) over its rows, with the names loaded once."""

    def __init__(
        self,
        conn: Conn,
        mapping: dict[str, str],
        lookups: Lookups | None = None,
        dates: dict[str, str] | None = None,
    ) -> None:
        self.conn, self.mapping = conn, mapping
        self.lookups = lookups or load_lookups(conn)
        self.dates = dates or {}  # date forms whose reading the office confirmed for this file
        self.date_forms: dict[str, Unresolved] = {}
        self.jalali = False  # whether the date column holds Jalali dates (a Gregorian one there is listed)
        self.names = {
            "category": self.lookups.categories,
            "neighbourhood": {key: code for key, (_id, code) in self.lookups.neighbourhoods.items()},
            "time_of_day": self.lookups.times or {},
        }
        self.resolvers: dict[str, Callable[[object], object]] = {
            "category": self.lookups.category,
            "neighbourhood": self.lookups.neighbourhood,
            "time_of_day": self.lookups.time_of_day,
        }
        self.found: dict[tuple[str, str], Unresolved] = {}

    def add(self, number: int, values: dict[str, object]) -> None:
        """Note the cells of one row that name no term."""
        for kind in MAPPED_KINDS:
            column = self.mapping.get(kind)
            value = values.get(column) if column else None
            if value is None or not str(value).strip():
                continue
            written = normalise_persian(str(value)).strip()
            key = (kind, match_key(written))
            if key in self.found:
                self.found[key].rows.append(number)
                continue
            try:
                self.resolvers[kind](written)
            except InvalidInput:
                self.found[key] = Unresolved(kind, written, [number])
        column = self.mapping.get("date")
        if column:
            self._add_date(number, values.get(column))

    def _add_date(self, number: int, value: object) -> None:
        key = date_key(value) if value is not None else ""
        if not key or key in self.dates:
            return
        if key in self.date_forms:
            self.date_forms[key].rows.append(number)
            return
        form = date_form(value, self.lookups.date_rules)
        if form is None:
            self.jalali = self.jalali or not isinstance(value, date_type)
            return
        kind, reading = form
        self.date_forms[key] = Unresolved("date", key, [number], [{"code": reading, "by": kind}])

    def unresolved(self) -> list[dict]:
        """Every unresolved word once with its suggestions, by kind, then the most frequent first."""
        labels = {kind: alias_targets(self.conn, kind) for kind in MAPPED_KINDS}
        result = []
        for item in sorted(self.found.values(), key=lambda u: (MAPPED_KINDS.index(u.kind), -len(u.rows))):
            item.suggestions = [
                {"code": code, "by": by, "label_fa": fa, "label_en": en}
                for code, by in suggest(item.kind, item.written, self.names[item.kind])
                if code in labels[item.kind]
                for fa, en in [labels[item.kind][code]]
            ]
            result.append(item.as_dict())
        for item in self.date_forms.values():
            if item.suggestions[0]["by"] != "gregorian" or self.jalali:
                result.append(item.as_dict())
        return result


def _contains(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def suggest(kind: str, written: str, names: dict[str, str]) -> list[tuple[str, str]]:
    """(code, how it was found) of the likeliest terms `written` means, best first: by a known name of the
    same words or inside it ('alias'), by a category keyword ('keyword'), by spelling ('similar')."""
    key = match_key(written)
    words = set(key.split())
    found: dict[str, str] = {}
    for name, code in sorted(names.items(), key=lambda item: -len(item[0])):
        if set(name.split()) == words or (len(name) > 2 and _contains(key, name)):
            found.setdefault(code, "alias")
    if kind == "category":
        for code, keywords in CATEGORY_KEYWORDS.items():
            if any(_contains(key, match_key(word)) for word in keywords):
                found.setdefault(code, "keyword")
    for name in difflib.get_close_matches(key, list(names), n=SUGGESTIONS * 2, cutoff=SIMILARITY):
        found.setdefault(names[name], "similar")
    return list(found.items())[:SUGGESTIONS]
