-- What the GIS office settled on the import page, kept with a large file's job so the background import
-- reads the file as the page showed it: columns matched by hand, cells fixed in rows, date readings confirmed.
ALTER TABLE import_job ADD COLUMN adjustments jsonb NOT NULL DEFAULT '{}'::jsonb;

-- The rows of a batch found to repeat a report already stored (of an earlier batch, or the same file under
-- another letter): which report each repeats, so the summary can show where they went.
CREATE TABLE import_duplicate_row (
    batch_id integer NOT NULL REFERENCES import_batch (id),
    row_number integer NOT NULL,
    report_id bigint NOT NULL,
    PRIMARY KEY (batch_id, row_number)
);

-- A date form the GIS office confirmed once for every later file: 'two_digit_year' (۹۹/۹/۱۸ read as 1399/09/18,
-- a two-digit year in this Jalali century or the last, whichever is not ahead).
ALTER TABLE vocabulary_alias DROP CONSTRAINT vocabulary_alias_kind_check;
ALTER TABLE vocabulary_alias ADD CONSTRAINT vocabulary_alias_kind_check
    CHECK (kind IN ('category', 'neighbourhood', 'time_of_day', 'source', 'date'));
