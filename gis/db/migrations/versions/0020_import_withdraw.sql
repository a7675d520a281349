-- A letter imported by mistake is withdrawn: its reports leave their spots (kept whole here, so the withdrawal
-- can be undone), the spots it founded are closed, and the same file is no longer "imported before".
ALTER TABLE import_batch
    ADD COLUMN withdrawn_at timestamptz,
    ADD COLUMN withdrawn_by integer REFERENCES app_user (id),
    ADD COLUMN withdrawn_spots integer[] NOT NULL DEFAULT '{}';

CREATE TABLE withdrawn_report (
    report_id bigint PRIMARY KEY,
    batch_id integer NOT NULL REFERENCES import_batch (id),
    record jsonb NOT NULL
);
CREATE INDEX withdrawn_report_batch_idx ON withdrawn_report (batch_id);

-- The header row a large file's job reads (NULL: found automatically).
ALTER TABLE import_job ADD COLUMN header_row integer CHECK (header_row >= 1);
