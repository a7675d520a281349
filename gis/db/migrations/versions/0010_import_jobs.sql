-- A file of reports too large to import in one request: stored here as uploaded and imported by a worker (the
-- app's, or `safemap import reports` in the foreground) in committed chunks. rows_done and the counts move in
-- the same transaction as each chunk's reports, so a job whose worker died resumes after its last chunk.
CREATE TABLE import_job (
    id serial PRIMARY KEY,
    state text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    cancel_requested boolean NOT NULL DEFAULT false,
    source text NOT NULL REFERENCES source (code),
    source_ref text NOT NULL DEFAULT '',
    crs text NOT NULL DEFAULT 'auto',
    partial boolean NOT NULL DEFAULT false,
    radius_m double precision NOT NULL CHECK (radius_m > 0),
    file_name text NOT NULL,
    file_suffix text NOT NULL,
    file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_data bytea NOT NULL,
    rows_total integer CHECK (rows_total >= 0),
    rows_done integer NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    accepted integer NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    duplicates integer NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
    rejected integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    blank integer NOT NULL DEFAULT 0 CHECK (blank >= 0),
    new_spots integer NOT NULL DEFAULT 0 CHECK (new_spots >= 0),
    errors jsonb NOT NULL DEFAULT '[]',
    message text NOT NULL DEFAULT '',
    batch_id integer REFERENCES import_batch (id),
    started_by integer REFERENCES app_user (id),
    actor_name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX import_job_open_idx ON import_job (id) WHERE state IN ('queued', 'running');
