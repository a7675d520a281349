-- Every transaction that writes spots or areas leaves one row in tile_change; the generation a reader sees is
-- tile_generation.base + the rows it sees. A row becomes visible only when its transaction commits, so the
-- generation read in the same snapshot as a tile names exactly the data that tile was drawn from, and it
-- changes at every commit that could change a tile. One row per transaction, never one shared row updated by
-- all: a long import never holds a lock that single reports would wait on.
CREATE TABLE tile_generation (base bigint NOT NULL);
INSERT INTO tile_generation VALUES (0);

CREATE TABLE tile_change (
    id bigserial PRIMARY KEY,
    xid xid8 NOT NULL UNIQUE DEFAULT pg_current_xact_id()
);

-- Every thousandth change folds the committed rows into base (same sum, so the generation does not move
-- back), keeping the count a reader takes small.
CREATE FUNCTION note_tile_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added bigint;
BEGIN
    INSERT INTO tile_change DEFAULT VALUES ON CONFLICT (xid) DO NOTHING RETURNING id INTO added;
    IF added % 1000 = 0 THEN
        WITH folded AS (DELETE FROM tile_change WHERE id < added RETURNING 1)
        UPDATE tile_generation SET base = base + (SELECT count(*) FROM folded);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER spot_tile_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON spot
    FOR EACH STATEMENT EXECUTE FUNCTION note_tile_change();
CREATE TRIGGER area_tile_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON area
    FOR EACH STATEMENT EXECUTE FUNCTION note_tile_change();
