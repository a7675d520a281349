"""The public's tiles kept in memory: the same tile for every anonymous reader, drawn once per change of the
data under it.

An entry is keyed by the tile and everything its query binds, and stamped with the tile generation it was
drawn from (migration 0022: a number every commit writing spots or areas moves, read in the same snapshot as
the tile). A lookup reads the current generation (one small query) and serves the entry only when it is
still the same, so the next reader after any change to a spot gets a fresh tile, never a stale one.
Signed-in readers' tiles are never put here: what they may see differs by who they are. A caller may name an
entry by an alias of its own as well (the API: the request's path and query), to find it again without
working out the key.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable

from gis.db import Conn

# The generation a reader sees: base + the change rows visible to its snapshot (each row one committed write),
# and the newest writer's transaction id (a database restored to an older state never matches a newer one).
GENERATION_SQL = """(SELECT g.base || '.' || c.n || '.' || coalesce(c.newest::text, '')
    FROM tile_generation g, (SELECT count(*) AS n, max(xid) AS newest FROM tile_change) c)"""
GENERATION_QUERY = f"SELECT {GENERATION_SQL}"
MAX_BYTES = 64 * 1024 * 1024
MAX_ALIASES = 100_000


class TileCache:
    """A least-recently-used map of tile key -> (generation, bytes), bounded by the bytes it holds."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._aliases: OrderedDict[Hashable, Hashable] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: str) -> bytes | None:
        """The tile drawn from `generation`, or None (a stale entry is dropped)."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] != generation:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return found[1]

    def has_alias(self, alias: Hashable) -> bool:
        """Whether `alias` names a tile (perhaps a stale one): worth reading the generation for."""
        return alias in self._aliases

    def get_alias(self, alias: Hashable, generation: str) -> bytes | None:
        """The tile `alias` names, drawn from `generation`, or None."""
        key = self._aliases.get(alias)
        return None if key is None else self.get(key, generation)

    def put(self, key: Hashable, generation: str, body: bytes, alias: Hashable | None = None) -> None:
        """Keep `body` drawn from `generation` (also under `alias`); the least recently used go when the
        budget is spent."""
        if len(body) > self.max_bytes // 16:
            return  # one huge tile would push out many small ones
        with self._lock:
            if alias is not None:
                self._aliases[alias] = key
                if len(self._aliases) > MAX_ALIASES:
                    self._aliases.popitem(last=False)
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (generation, body)
            self.size += len(body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._aliases.clear()
            self.size = 0

    def _drop(self, key: Hashable) -> None:
        self.size -= len(self._entries.pop(key)[1])


def generation(conn: Conn) -> str:
    """The tile generation this connection sees now."""
    with conn.cursor() as cur:
        cur.execute(GENERATION_QUERY)
        return cur.fetchone()[0]


PUBLIC_TILES = TileCache()
