-- Every rejected row of an import, kept so the answer can stay small (the first rows) and link to the whole
-- list: a job's (also one that wrote nothing, all-or-nothing) or a partial batch's. `cells` keeps the row as
-- [[column, value], …] in the file's order; `problems` every field's reason, [{field, reason, reason_fa}].
CREATE TABLE import_rejected_row (
    id bigserial PRIMARY KEY,
    job_id integer REFERENCES import_job (id) ON DELETE CASCADE,
    batch_id integer REFERENCES import_batch (id) ON DELETE CASCADE,
    row_number integer NOT NULL CHECK (row_number >= 0),
    problems jsonb NOT NULL DEFAULT '[]',
    cells jsonb NOT NULL DEFAULT '[]',
    CHECK (job_id IS NOT NULL OR batch_id IS NOT NULL)
);
CREATE INDEX import_rejected_row_job_idx ON import_rejected_row (job_id, row_number) WHERE job_id IS NOT NULL;
CREATE INDEX import_rejected_row_batch_idx ON import_rejected_row (batch_id, row_number)
    WHERE batch_id IS NOT NULL;
