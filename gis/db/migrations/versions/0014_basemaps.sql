-- A base map the tool serves from a local file (no internet on an intranet or a tablet): its file is copied
-- under the data folder, and `path` is where that copy lies.
CREATE TABLE basemap (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    kind text NOT NULL CHECK (kind IN ('mbtiles', 'pmtiles', 'geotiff')),
    tile_format text NOT NULL CHECK (tile_format IN ('png', 'jpg', 'webp', 'pbf')),
    path text NOT NULL,
    attribution text NOT NULL DEFAULT '',
    min_zoom smallint NOT NULL DEFAULT 0 CHECK (min_zoom BETWEEN 0 AND 24),
    max_zoom smallint NOT NULL DEFAULT 19 CHECK (max_zoom BETWEEN 0 AND 24),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT basemap_zooms CHECK (min_zoom <= max_zoom)
);

-- Street centrelines the GIS office already holds: drawn on the map and searched by name.
CREATE TABLE street (
    id serial PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    name_key text NOT NULL,
    source text NOT NULL,
    geom geometry(MultiLineString, 4326) NOT NULL,
    CONSTRAINT street_geom_valid CHECK (NOT ST_IsEmpty(geom))
);
CREATE INDEX street_geom_idx ON street USING gist (geom);
CREATE INDEX street_name_key_idx ON street (name_key);

-- Named places drawn on the demo base map and found by address search: the lake, metro stations, landmarks.
CREATE TABLE landmark (
    id serial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('lake', 'metro', 'landmark')),
    name_fa text NOT NULL CHECK (name_fa <> ''),
    name_en text,
    name_key text NOT NULL,
    geom geometry(Point, 4326) NOT NULL,
    CONSTRAINT landmark_once UNIQUE (kind, name_fa)
);
CREATE INDEX landmark_geom_idx ON landmark USING gist (geom);
