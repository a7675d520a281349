-- Files of reports sent to the GIS office (sub-district mayors' lists): one row per import that wrote
-- something, with the file's hash so a re-sent file is recognised. Reports point back to their batch.
CREATE TABLE import_batch (
    id serial PRIMARY KEY,
    source text NOT NULL REFERENCES source (code),
    source_ref text NOT NULL DEFAULT '',
    file_name text NOT NULL,
    file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_format text NOT NULL CHECK (file_format IN ('csv', 'xlsx', 'geojson', 'gpkg', 'shapefile')),
    rows_read integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    accepted integer NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    duplicates integer NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
    rejected integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    partial boolean NOT NULL DEFAULT false,
    imported_by integer REFERENCES app_user (id),
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_batch_file_idx ON import_batch (file_sha256);

ALTER TABLE report ADD COLUMN import_batch_id integer REFERENCES import_batch (id);
CREATE INDEX report_import_batch_idx ON report (import_batch_id) WHERE import_batch_id IS NOT NULL;
