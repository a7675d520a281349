"""Publishing: what leaves Safemap for readers: OGC API features, vector tiles, files, the map's data and the
analysis layers. Each reads through the reader's scope."""
